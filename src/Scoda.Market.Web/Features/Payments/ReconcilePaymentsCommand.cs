using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Commands;
using Stripe;
using Stripe.Checkout;

namespace Scoda.Market.Web.Features.Payments;

/// <summary>One difference between our ledger and Stripe's objects.</summary>
public sealed record PaymentMismatch(Guid PaymentId, Guid DealId, string StripeObject, string Problem);

/// <summary>
/// <c>reconcile-payments</c>: reads the Stripe object behind every Stripe payment through Stripe.net (Checkout Session and
/// PaymentIntent of a deposit, Transfer of a payout, Refund of a refund) and lists where amount or status differ from our
/// ledger. Exit code 0 when everything matches, 1 when something does not, 2 when Stripe is not configured.
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
        if (services.GetRequiredService<StripeClientHolder>().Client is not { } client)
        {
            await output.WriteLineAsync("Payments:Stripe:SecretKey is not set: there is nothing at Stripe to reconcile with.");
            return 2;
        }
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
        var payments = await db.Payments.AsNoTracking().Where(p => p.Provider == PaymentProvider.Stripe).ToListAsync(ct);
        var mismatches = new List<PaymentMismatch>();
        foreach (var payment in payments.OrderBy(p => p.CreatedAt))
        {
            mismatches.AddRange(await CompareAsync(client, payment, ct));
        }
        foreach (var m in mismatches)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"MISMATCH payment {m.PaymentId} deal {m.DealId} {m.StripeObject}: {m.Problem}"));
        }
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{payments.Count} Stripe payments checked, {mismatches.Count} mismatches."));
        return mismatches.Count == 0 ? 0 : 1;
    }

    internal static async Task<IReadOnlyList<PaymentMismatch>> CompareAsync(StripeClient client, Payment p, CancellationToken ct)
    {
        var found = new List<PaymentMismatch>();
        void Differs(string stripeObject, string problem) => found.Add(new PaymentMismatch(p.Id, p.DealId, stripeObject, problem));
        string Money(long minor) => $"{StripeAmounts.FromMinor(minor, p.Currency).ToString(CultureInfo.InvariantCulture)} {p.Currency}";
        var ours = $"{p.ReceivedAmount.ToString(CultureInfo.InvariantCulture)} {p.Currency}";
        try
        {
            switch (p.Kind)
            {
                case PaymentKind.Deposit when p.CheckoutSessionId is null:
                    if (p.Status != PaymentStatus.Pending && p.Status != PaymentStatus.Failed)
                    {
                        Differs("checkout.session", $"ours is {p.Status} but no Checkout Session was created");
                    }
                    break;
                case PaymentKind.Deposit:
                    var session = await new SessionService(client).GetAsync(p.CheckoutSessionId, cancellationToken: ct);
                    var paid = session.PaymentStatus == "paid";
                    if (paid != (p.Status == PaymentStatus.Succeeded))
                    {
                        Differs($"checkout.session {session.Id}", $"Stripe says payment_status={session.PaymentStatus}, ours is {p.Status}");
                    }
                    if (paid && StripeAmounts.ToMinor(p.ReceivedAmount, p.Currency) != session.AmountTotal)
                    {
                        Differs($"checkout.session {session.Id}", $"Stripe took {Money(session.AmountTotal ?? 0)}, our ledger has {ours}");
                    }
                    if (session.PaymentIntentId is { } intentId)
                    {
                        var intent = await new PaymentIntentService(client).GetAsync(intentId, cancellationToken: ct);
                        if (paid && intent.AmountReceived != session.AmountTotal)
                        {
                            Differs($"payment_intent {intent.Id}", $"received {Money(intent.AmountReceived)}, the session says {Money(session.AmountTotal ?? 0)}");
                        }
                        if (intent.TransferGroup != p.DealId.ToString())
                        {
                            Differs($"payment_intent {intent.Id}", $"transfer_group is '{intent.TransferGroup}', not the deal");
                        }
                    }
                    break;
                case PaymentKind.Payout when p.StripeObjectId is not null:
                    var transfer = await new TransferService(client).GetAsync(p.StripeObjectId, cancellationToken: ct);
                    var reversed = transfer.AmountReversed;
                    if (transfer.Amount - reversed != StripeAmounts.ToMinor(p.Status == PaymentStatus.Succeeded ? p.ReceivedAmount : 0, p.Currency))
                    {
                        Differs($"transfer {transfer.Id}", $"Stripe moved {Money(transfer.Amount - reversed)}, our ledger has {ours} ({p.Status})");
                    }
                    break;
                case PaymentKind.Refund when p.StripeObjectId is not null:
                    var refund = await new RefundService(client).GetAsync(p.StripeObjectId, cancellationToken: ct);
                    if ((refund.Status == "succeeded") != (p.Status == PaymentStatus.Succeeded) || refund.Amount != StripeAmounts.ToMinor(p.Amount, p.Currency))
                    {
                        Differs($"refund {refund.Id}", $"Stripe: {Money(refund.Amount)} {refund.Status}; ours: {p.Amount.ToString(CultureInfo.InvariantCulture)} {p.Currency} {p.Status}");
                    }
                    break;
                case PaymentKind.Payout or PaymentKind.Refund when p.Status == PaymentStatus.Succeeded:
                    Differs(p.Kind.ToString().ToLowerInvariant(), "ours succeeded but names no Stripe object");
                    break;
            }
        }
        catch (StripeException e) when ((int)e.HttpStatusCode == 404)
        {
            Differs(p.CheckoutSessionId ?? p.StripeObjectId ?? "object", "Stripe does not know this object");
        }
        return found;
    }
}
