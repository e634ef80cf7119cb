using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Commands;
using Stripe;
using Stripe.Checkout;

namespace Scoda.Market.Web.Features.Payments;

/// <summary>
/// One difference between our ledger and Stripe's objects: <see cref="Code"/> says which (<see cref="MismatchCodes"/>),
/// <see cref="Stripe"/> and <see cref="Ours"/> what each side has (for clients to word it in the reader's language),
/// <see cref="Problem"/> the same in English (as the command prints it).
/// </summary>
public sealed record PaymentMismatch(Guid PaymentId, Guid DealId, string StripeObject, string Code, string? Stripe, string? Ours, string Problem);

/// <summary>The kinds of <see cref="PaymentMismatch"/>.</summary>
public static class MismatchCodes
{
    public const string NoSession = "no_session";
    public const string PaymentStatus = "payment_status";
    public const string Amount = "amount";
    public const string IntentAmount = "intent_amount";
    public const string TransferGroup = "transfer_group";
    public const string Fee = "fee";
    public const string TransferAmount = "transfer_amount";
    public const string Refund = "refund";
    public const string NoObject = "no_object";
    public const string UnknownObject = "unknown_object";
}

/// <summary>
/// What a reconciliation found: whether Stripe is configured here at all, how many Stripe payments were compared, and
/// the mismatches (empty when the ledger agrees with Stripe).
/// </summary>
public sealed record ReconciliationReport(bool StripeConfigured, int Checked, IReadOnlyList<PaymentMismatch> Mismatches, DateTimeOffset CheckedAt);

/// <summary>
/// <c>reconcile-payments</c>: runs <see cref="PaymentReconciliation"/> and prints the mismatches. Exit code 0 when
/// everything matches, 1 when something does not, 2 when Stripe is not configured.
/// </summary>
sealed class ReconcilePaymentsCommand : IHostCommand
{
    public string Name => "reconcile-payments";
    public string Usage => "reconcile-payments";
    public string Summary => "Compare the payments ledger with Stripe's objects and list mismatches.";

    public Task<int> RunAsync(IReadOnlyList<string> args, IServiceProvider services, CancellationToken ct) =>
        RunAsync(services, Console.Out, ct);

    internal static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        if (services.GetRequiredService<StripeClientHolder>().Client is null)
        {
            await output.WriteLineAsync("Payments:Stripe:SecretKey is not set: there is nothing at Stripe to reconcile with.");
            return 2;
        }
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        await using var scope = services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<PaymentReconciliation>().RunAsync(ct);
        foreach (var m in report.Mismatches)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"MISMATCH payment {m.PaymentId} deal {m.DealId} {m.StripeObject}: {m.Problem}"));
        }
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{report.Checked} Stripe payments checked, {report.Mismatches.Count} mismatches."));
        return report.Mismatches.Count == 0 ? 0 : 1;
    }
}

/// <summary>
/// Compares our ledger with Stripe's objects, read through Stripe.net: the Checkout Session and PaymentIntent of a deposit
/// (amount, status, transfer group, and the fee of its charge's balance transaction), the Transfer of a payout, the Refund
/// of a refund. One comparison for the <c>reconcile-payments</c> command and the admin's reconciliation endpoint.
/// </summary>
public sealed class PaymentReconciliation(MarketDbContext db, StripeClientHolder stripe, TimeProvider clock)
{
    public async Task<ReconciliationReport> RunAsync(CancellationToken ct)
    {
        if (stripe.Client is not { } client)
        {
            return new ReconciliationReport(false, 0, [], clock.GetUtcNow());
        }
        var payments = await db.Payments.AsNoTracking().Where(p => p.Provider == PaymentProvider.Stripe).ToListAsync(ct);
        var mismatches = new List<PaymentMismatch>();
        foreach (var payment in payments.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id))
        {
            mismatches.AddRange(await CompareAsync(client, payment, ct));
        }
        return new ReconciliationReport(true, payments.Count, mismatches, clock.GetUtcNow());
    }

    static async Task<IReadOnlyList<PaymentMismatch>> CompareAsync(StripeClient client, Payment p, CancellationToken ct)
    {
        var found = new List<PaymentMismatch>();
        void Differs(string stripeObject, string code, string? stripe, string? ourSide, string problem) =>
            found.Add(new PaymentMismatch(p.Id, p.DealId, stripeObject, code, stripe, ourSide, problem));
        string Money(long minor) => $"{StripeAmounts.FromMinor(minor, p.Currency).ToString(CultureInfo.InvariantCulture)} {p.Currency}";
        var ours = $"{Infrastructure.Domain.Decimals.Normalize(p.ReceivedAmount).ToString(CultureInfo.InvariantCulture)} {p.Currency}";
        try
        {
            switch (p.Kind)
            {
                case PaymentKind.Deposit when p.CheckoutSessionId is null:
                    if (p.Status != PaymentStatus.Pending && p.Status != PaymentStatus.Failed)
                    {
                        Differs("checkout.session", MismatchCodes.NoSession, null, p.Status.ToString(), $"ours is {p.Status} but no Checkout Session was created");
                    }
                    break;
                case PaymentKind.Deposit:
                    var session = await new SessionService(client).GetAsync(p.CheckoutSessionId, cancellationToken: ct);
                    var paid = session.PaymentStatus == "paid";
                    if (paid != (p.Status == PaymentStatus.Succeeded))
                    {
                        Differs($"checkout.session {session.Id}", MismatchCodes.PaymentStatus, session.PaymentStatus, p.Status.ToString(),
                            $"Stripe says payment_status={session.PaymentStatus}, ours is {p.Status}");
                    }
                    if (paid && StripeAmounts.ToMinor(p.ReceivedAmount, p.Currency) != session.AmountTotal)
                    {
                        Differs($"checkout.session {session.Id}", MismatchCodes.Amount, Money(session.AmountTotal ?? 0), ours,
                            $"Stripe took {Money(session.AmountTotal ?? 0)}, our ledger has {ours}");
                    }
                    if (session.PaymentIntentId is { } intentId)
                    {
                        var intent = await new PaymentIntentService(client).GetAsync(intentId,
                            new PaymentIntentGetOptions { Expand = ["latest_charge.balance_transaction"] }, cancellationToken: ct);
                        if (paid && intent.AmountReceived != session.AmountTotal)
                        {
                            Differs($"payment_intent {intent.Id}", MismatchCodes.IntentAmount, Money(intent.AmountReceived), Money(session.AmountTotal ?? 0),
                                $"received {Money(intent.AmountReceived)}, the session says {Money(session.AmountTotal ?? 0)}");
                        }
                        if (intent.TransferGroup != p.DealId.ToString())
                        {
                            Differs($"payment_intent {intent.Id}", MismatchCodes.TransferGroup, intent.TransferGroup, p.DealId.ToString(),
                                $"transfer_group is '{intent.TransferGroup}', not the deal");
                        }
                        if (paid && intent.LatestCharge?.BalanceTransaction is { } balance
                            && string.Equals(balance.Currency, p.Currency, StringComparison.OrdinalIgnoreCase)
                            && balance.Fee != StripeAmounts.ToMinor(p.FeeAmount, p.Currency))
                        {
                            var ourFee = $"{Infrastructure.Domain.Decimals.Normalize(p.FeeAmount).ToString(CultureInfo.InvariantCulture)} {p.Currency}";
                            Differs($"balance_transaction {balance.Id}", MismatchCodes.Fee, Money(balance.Fee), ourFee,
                                $"Stripe's fee is {Money(balance.Fee)}, our ledger has {ourFee}");
                        }
                    }
                    break;
                case PaymentKind.Payout when p.StripeObjectId is not null:
                    var transfer = await new TransferService(client).GetAsync(p.StripeObjectId, cancellationToken: ct);
                    var reversed = transfer.AmountReversed;
                    if (transfer.Amount - reversed != StripeAmounts.ToMinor(p.Status == PaymentStatus.Succeeded ? p.ReceivedAmount : 0, p.Currency))
                    {
                        Differs($"transfer {transfer.Id}", MismatchCodes.TransferAmount, Money(transfer.Amount - reversed), $"{ours} ({p.Status})",
                            $"Stripe moved {Money(transfer.Amount - reversed)}, our ledger has {ours} ({p.Status})");
                    }
                    break;
                case PaymentKind.Refund when p.StripeObjectId is not null:
                    var refund = await new RefundService(client).GetAsync(p.StripeObjectId, cancellationToken: ct);
                    if ((refund.Status == "succeeded") != (p.Status == PaymentStatus.Succeeded) || refund.Amount != StripeAmounts.ToMinor(p.Amount, p.Currency))
                    {
                        var ourRefund = $"{p.Amount.ToString(CultureInfo.InvariantCulture)} {p.Currency} {p.Status}";
                        Differs($"refund {refund.Id}", MismatchCodes.Refund, $"{Money(refund.Amount)} {refund.Status}", ourRefund,
                            $"Stripe: {Money(refund.Amount)} {refund.Status}; ours: {ourRefund}");
                    }
                    break;
                case PaymentKind.Payout or PaymentKind.Refund when p.Status == PaymentStatus.Succeeded:
                    Differs(p.Kind.ToString().ToLowerInvariant(), MismatchCodes.NoObject, null, p.Status.ToString(), "ours succeeded but names no Stripe object");
                    break;
            }
        }
        catch (StripeException e) when ((int)e.HttpStatusCode == 404)
        {
            Differs(p.CheckoutSessionId ?? p.StripeObjectId ?? "object", MismatchCodes.UnknownObject, null, null, "Stripe does not know this object");
        }
        return found;
    }
}
