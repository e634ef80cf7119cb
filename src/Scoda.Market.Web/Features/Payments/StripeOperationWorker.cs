using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Security;
using Scoda.Market.Web.Infrastructure.Workers;
using Stripe;
using Stripe.Checkout;

namespace Scoda.Market.Web.Features.Payments;

/// <summary>
/// The one <see cref="StripeClient"/> of the host, on the named <c>Stripe</c> HttpClient (tests swap its handler for the
/// fake) with Stripe.net's own retries, which honour <c>Stripe-Should-Retry</c>. Null while no secret key is configured.
/// </summary>
public sealed class StripeClientHolder
{
    public const string HttpClientName = "Stripe";

    public StripeClientHolder(PaymentOptions options, IHttpClientFactory http)
    {
        var stripe = options.Stripe;
        if (string.IsNullOrWhiteSpace(stripe.SecretKey))
        {
            return;
        }
        var transport = new SystemNetHttpClient(http.CreateClient(HttpClientName), stripe.MaxNetworkRetries);
        Client = new StripeClient(stripe.SecretKey, httpClient: transport,
            apiBase: string.IsNullOrWhiteSpace(stripe.ApiBase) ? null : stripe.ApiBase.TrimEnd('/'));
    }

    public StripeClient? Client { get; }

    public StripeClient Require() =>
        Client ?? throw new InvalidOperationException("Payments:Stripe:SecretKey is not set; Stripe calls cannot be made.");
}

/// <summary>
/// Makes the calls to Stripe that payments staged (Checkout Sessions, Transfers, Refunds), outside any transaction, each
/// with an idempotency key derived from our ids so a retry is the same request. Stripe.net retries what Stripe allows; a
/// call still failing on a transient error waits for the next pass with back-off, one Stripe refused is marked failed.
/// </summary>
public sealed partial class StripeOperationWorker(
    IServiceScopeFactory scopes, StripeClientHolder stripe, PaymentOptions options, PublicAddress address, TimeProvider clock,
    ILogger<StripeOperationWorker> logger)
    : PeriodicWorker(clock, logger)
{
    public const int MaxAttempts = 8;
    static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    protected override TimeSpan Interval => options.Stripe.WorkerInterval;

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        if (stripe.Client is null)
        {
            return 0;
        }
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var now = Clock.GetUtcNow();
            due = await scope.ServiceProvider.GetRequiredService<MarketDbContext>().StripeOperations.AsNoTracking()
                .Where(o => o.Status == StripeOperationStatus.Pending && o.NextAttemptAt <= now)
                .OrderBy(o => o.CreatedAt).Select(o => o.Id).Take(50).ToListAsync(ct);
        }
        var handled = 0;
        foreach (var id in due)
        {
            handled += await ExecuteAsync(id, ct) ? 1 : 0;
        }
        return handled;
    }

    /// <summary>Makes one staged call if no other host holds it; true when it was made (or refused for good).</summary>
    public async Task<bool> ExecuteAsync(Guid operationId, CancellationToken ct)
    {
        var client = stripe.Client;
        if (client is null)
        {
            return false;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
        var now = Clock.GetUtcNow();
        var leaseUntil = now + Lease;
        var claimed = await db.StripeOperations
            .Where(o => o.Id == operationId && o.Status == StripeOperationStatus.Pending && (o.LeaseUntil == null || o.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.LeaseUntil, leaseUntil).SetProperty(o => o.Attempts, o => o.Attempts + 1), ct);
        if (claimed == 0)
        {
            return false;
        }
        var operation = await db.StripeOperations.SingleAsync(o => o.Id == operationId, ct);
        var payment = await db.Payments.SingleAsync(p => p.Id == operation.PaymentId, ct);
        var request = new RequestOptions { IdempotencyKey = operation.IdempotencyKey };
        var refused = false;
        var later = false;
        try
        {
            switch (operation.Kind)
            {
                case StripeOperationKind.CreateCheckoutSession when !PaymentRules.IsOpen(payment.Status):
                    // Cancelled before Stripe heard of it: no session to open, none to expire.
                    break;
                case StripeOperationKind.CreateCheckoutSession:
                    var session = await new SessionService(client).CreateAsync(CheckoutOf(payment), request, ct);
                    payment.CheckoutSessionId = session.Id;
                    payment.CheckoutUrl = session.Url;
                    payment.PaymentIntentId ??= session.PaymentIntentId;
                    break;
                case StripeOperationKind.CreateTransfer:
                    var account = await db.PayoutAccounts.AsNoTracking().SingleAsync(a => a.OrganizationId == payment.OrganizationId, ct);
                    var transfer = await new TransferService(client).CreateAsync(new TransferCreateOptions
                    {
                        Amount = StripeAmounts.ToMinor(payment.Amount, payment.Currency), Currency = payment.Currency.ToLowerInvariant(),
                        Destination = account.StripeAccountId, TransferGroup = payment.DealId.ToString(),
                        Metadata = MetadataOf(payment),
                    }, request, ct);
                    payment.StripeObjectId = transfer.Id;
                    PaymentRules.Advance(payment, PaymentStatus.Succeeded, payment.Amount, Clock.GetUtcNow());
                    break;
                case StripeOperationKind.CreateRefund:
                    var deposit = await db.Payments.AsNoTracking().SingleAsync(p => p.Id == payment.ParentPaymentId, ct);
                    var refund = await new RefundService(client).CreateAsync(new RefundCreateOptions
                    {
                        PaymentIntent = deposit.PaymentIntentId, Amount = StripeAmounts.ToMinor(payment.Amount, payment.Currency),
                        Metadata = MetadataOf(payment),
                    }, request, ct);
                    payment.StripeObjectId = refund.Id;
                    PaymentRules.ApplyRefundStatus(payment, refund.Status, Clock.GetUtcNow());
                    break;
                case StripeOperationKind.ExpireCheckoutSession when payment.CheckoutSessionId is { } openSession:
                    await new SessionService(client).ExpireAsync(openSession, null, request, ct);
                    break;
                case StripeOperationKind.ExpireCheckoutSession:
                    break; // the session was never created (its creation saw the payment cancelled)
                case StripeOperationKind.ReadDepositFee:
                    later = !await ReadFeeAsync(client, payment, ct);
                    break;
            }
            if (later)
            {
                // Stripe has not settled the charge yet: its balance transaction comes later.
                operation.NextAttemptAt = Clock.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(3600, 15 * Math.Pow(2, operation.Attempts)));
                operation.LastError = "The charge's balance transaction is not there yet.";
            }
            else
            {
                operation.Status = StripeOperationStatus.Done;
                operation.CompletedAt = Clock.GetUtcNow();
                operation.LastError = null;
            }
        }
        catch (StripeException e) when (IsPermanent(e) || operation.Attempts >= MaxAttempts)
        {
            operation.Status = StripeOperationStatus.Failed;
            operation.LastError = Describe(e);
            payment.LastError = operation.LastError;
            refused = true;
            LogRefused(logger, operation.Kind, payment.Id, (int)e.HttpStatusCode, e.StripeError?.Type, e.StripeError?.Code);
        }
        catch (Exception e) when (e is StripeException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            operation.LastError = e is StripeException stripeError ? Describe(stripeError) : e.GetType().Name;
            operation.NextAttemptAt = Clock.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(3600, 15 * Math.Pow(2, operation.Attempts)));
            LogDeferred(logger, operation.Kind, payment.Id, operation.Attempts, operation.LastError);
        }
        operation.LeaseUntil = null;
        payment.UpdatedAt = Clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (refused && operation.Kind == StripeOperationKind.CreateCheckoutSession)
        {
            // A Checkout Session Stripe will not create: the deposit failed, and the deal is free for another.
            await scope.ServiceProvider.GetRequiredService<PaymentSettlement>().FailAsync(payment, PaymentStatus.Failed, payment.LastError, ct);
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return operation.Status != StripeOperationStatus.Pending;
    }

    /// <summary>
    /// Reads what Stripe charged for a paid deposit: its PaymentIntent with <c>latest_charge.balance_transaction</c>
    /// expanded; the balance transaction's fee becomes the deposit's fee in the ledger. False while the charge has no
    /// balance transaction yet; a fee in another currency than the deal's is noted, not converted.
    /// </summary>
    static async Task<bool> ReadFeeAsync(StripeClient client, Payment payment, CancellationToken ct)
    {
        var intentId = payment.PaymentIntentId;
        if (intentId is null && payment.CheckoutSessionId is { } sessionId)
        {
            intentId = (await new SessionService(client).GetAsync(sessionId, cancellationToken: ct)).PaymentIntentId;
            payment.PaymentIntentId = intentId;
        }
        if (intentId is null)
        {
            return false;
        }
        var intent = await new PaymentIntentService(client).GetAsync(intentId,
            new PaymentIntentGetOptions { Expand = ["latest_charge.balance_transaction"] }, cancellationToken: ct);
        if (intent.LatestCharge?.BalanceTransaction is not { } balance)
        {
            return false;
        }
        if (!string.Equals(balance.Currency, payment.Currency, StringComparison.OrdinalIgnoreCase))
        {
            payment.LastError = Truncate(string.Create(CultureInfo.InvariantCulture,
                $"Stripe's fee is {StripeAmounts.FromMinor(balance.Fee, balance.Currency)} {balance.Currency?.ToUpperInvariant()}, not in the deal's currency; not in the ledger."));
            return true;
        }
        payment.FeeAmount = StripeAmounts.FromMinor(balance.Fee, payment.Currency);
        return true;
    }

    /// <summary>Stripe said no for a reason a retry does not change: a bad request, a declined card, an idempotency clash.</summary>
    static bool IsPermanent(StripeException e) =>
        (int)e.HttpStatusCode is >= 400 and < 500 and not 409 and not 429;

    /// <summary>The error's type, code and message; Stripe's messages never carry our key.</summary>
    static string Describe(StripeException e) =>
        Truncate(string.Create(CultureInfo.InvariantCulture,
            $"{(int)e.HttpStatusCode} {e.StripeError?.Type ?? "error"}{(e.StripeError?.Code is { } code ? $" ({code})" : "")}: {e.StripeError?.Message ?? e.Message}"));

    static string Truncate(string text) => text.Length <= 500 ? text : text[..500];

    SessionCreateOptions CheckoutOf(Payment payment) => new()
    {
        Mode = "payment",
        ClientReferenceId = payment.Id.ToString(),
        SuccessUrl = address.Rebase($"/deals/{payment.DealId}?payment={payment.Id}&result=success"),
        CancelUrl = address.Rebase($"/deals/{payment.DealId}?payment={payment.Id}&result=cancelled"),
        Metadata = MetadataOf(payment),
        LineItems =
        [
            new SessionLineItemOptions
            {
                Quantity = 1,
                PriceData = new SessionLineItemPriceDataOptions
                {
                    Currency = payment.Currency.ToLowerInvariant(),
                    UnitAmount = StripeAmounts.ToMinor(payment.Amount, payment.Currency),
                    ProductData = new SessionLineItemPriceDataProductDataOptions { Name = $"Deposit {payment.Reference}" },
                },
            },
        ],
        PaymentIntentData = new SessionPaymentIntentDataOptions { TransferGroup = payment.DealId.ToString(), Metadata = MetadataOf(payment) },
    };

    static Dictionary<string, string> MetadataOf(Payment payment) => new()
    {
        [StripeAmounts.PaymentIdKey] = payment.Id.ToString(),
        [StripeAmounts.DealIdKey] = payment.DealId.ToString(),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe refused {Operation} for payment {PaymentId}: HTTP {Status} {ErrorType} {ErrorCode}")]
    private static partial void LogRefused(ILogger logger, StripeOperationKind operation, Guid paymentId, int status, string? errorType, string? errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe call {Operation} for payment {PaymentId} failed (attempt {Attempt}): {Error}; retrying later")]
    private static partial void LogDeferred(ILogger logger, StripeOperationKind operation, Guid paymentId, int attempt, string error);
}

/// <summary>Stripe counts money in the currency's minor unit; our metadata names the payment and deal.</summary>
public static class StripeAmounts
{
    public const string PaymentIdKey = "payment_id";
    public const string DealIdKey = "deal_id";

    // Of the currencies we trade, none is zero-decimal at Stripe; the set is here so one added later is not charged ×100.
    static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase) { "JPY", "KRW", "VND", "CLP", "XAF", "XOF" };

    public static long ToMinor(decimal amount, string currency) =>
        (long)Math.Round(ZeroDecimal.Contains(currency) ? amount : amount * 100m, 0, MidpointRounding.AwayFromZero);

    public static decimal FromMinor(long amount, string currency) =>
        ZeroDecimal.Contains(currency) ? amount : amount / 100m;
}
