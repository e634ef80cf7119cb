using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Problems;
using Stripe;
using Stripe.Checkout;

namespace Scoda.Market.Web.Features.Payments;

/// <summary>
/// <c>POST /api/payments/stripe/webhook</c>: the raw body verified with Stripe.net's <see cref="EventUtility"/> against
/// each configured signing secret (several while one is rolled), within the timestamp tolerance; each event applied once
/// (its id is stored, unique) in one transaction; payments only move forward; types we do not use are acknowledged.
/// </summary>
public sealed partial class StripeWebhook(
    MarketDbContext db, PaymentSettlement settlement, PaymentOptions options, TimeProvider clock, ILogger<StripeWebhook> logger)
{
    public const string Path = "/api/payments/stripe/webhook";
    public const int MaxBodyBytes = 256 * 1024;

    public async Task<IResult> HandleAsync(HttpRequest request, CancellationToken ct)
    {
        var secrets = options.Stripe.WebhookSecrets;
        if (secrets.Count == 0)
        {
            return Problems.NotFound("Webhook endpoint");
        }
        if (request.ContentLength is > MaxBodyBytes)
        {
            return TypedResults.Problem(title: "The event is too large.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        string json;
        using (var reader = new StreamReader(request.Body, System.Text.Encoding.UTF8))
        {
            var buffer = new char[MaxBodyBytes + 1];
            var read = await reader.ReadBlockAsync(buffer, ct);
            if (read > MaxBodyBytes)
            {
                return TypedResults.Problem(title: "The event is too large.", statusCode: StatusCodes.Status413PayloadTooLarge);
            }
            json = new string(buffer, 0, read);
        }
        var signature = request.Headers["Stripe-Signature"].ToString();
        var stripeEvent = Verify(json, signature, secrets);
        if (stripeEvent is null)
        {
            return TypedResults.Problem(title: "The Stripe signature does not verify.",
                detail: "Signed with none of this endpoint's secrets, or outside the timestamp tolerance.", statusCode: StatusCodes.Status400BadRequest);
        }
        if (!string.Equals(stripeEvent.ApiVersion, StripeConfiguration.ApiVersion, StringComparison.Ordinal))
        {
            LogOtherVersion(logger, stripeEvent.Id, stripeEvent.Type, stripeEvent.ApiVersion, StripeConfiguration.ApiVersion);
        }
        if (await db.StripeWebhookEvents.AnyAsync(e => e.Id == stripeEvent.Id, ct))
        {
            return TypedResults.Ok(new { received = true, duplicate = true });
        }
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var record = new StripeWebhookEvent
            {
                Id = stripeEvent.Id, Type = stripeEvent.Type, ApiVersion = stripeEvent.ApiVersion, CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc)),
                ReceivedAt = clock.GetUtcNow(),
            };
            db.StripeWebhookEvents.Add(record);
            await db.SaveChangesAsync(ct);
            record.Applied = await ApplyAsync(stripeEvent, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same event delivered twice at once: the unique id let the other delivery apply it.
            db.ChangeTracker.Clear();
            if (await db.StripeWebhookEvents.AnyAsync(e => e.Id == stripeEvent.Id, ct))
            {
                return TypedResults.Ok(new { received = true, duplicate = true });
            }
            throw;
        }
        return TypedResults.Ok(new { received = true, duplicate = false });
    }

    /// <summary>
    /// The event if any secret verifies it. An event of another API version is parsed, not refused (Stripe sends the
    /// endpoint's version, which may differ from Stripe.net's while one of them is upgraded): we read only fields that
    /// have kept their shape, and log the difference.
    /// </summary>
    Event? Verify(string json, string signature, IReadOnlyList<string> secrets)
    {
        if (signature.Length == 0)
        {
            return null;
        }
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        foreach (var secret in secrets)
        {
            try
            {
                return EventUtility.ConstructEvent(json, signature, secret, options.Stripe.WebhookToleranceSeconds, now, throwOnApiVersionMismatch: false);
            }
            catch (StripeException)
            {
                // Not this secret (or too old, or a header that is no signature): the next secret may verify it.
            }
            catch (Exception e) when (e is Newtonsoft.Json.JsonException or System.Text.Json.JsonException or FormatException or ArgumentException or InvalidCastException or NullReferenceException)
            {
                // Signed but no event Stripe.net can read: refused like a bad signature, never a 500.
                LogUnreadable(logger, e.GetType().Name);
                return null;
            }
        }
        LogRejected(logger, signature.Length);
        return null;
    }

    /// <summary>Applies what we use; returns false for types we acknowledge and ignore (or objects we do not know).</summary>
    async Task<bool> ApplyAsync(Event stripeEvent, CancellationToken ct)
    {
        switch (stripeEvent.Data?.Object)
        {
            case Session session when stripeEvent.Type is EventTypes.CheckoutSessionCompleted or EventTypes.CheckoutSessionAsyncPaymentSucceeded:
                if (await DepositOfAsync(session.Id, session.PaymentIntentId, session.Metadata, ct) is { } paid && session.PaymentStatus == "paid")
                {
                    paid.PaymentIntentId ??= session.PaymentIntentId;
                    await settlement.SucceedAsync(paid, StripeAmounts.FromMinor(session.AmountTotal ?? 0, paid.Currency), null,
                        $"Stripe Checkout {session.Id} paid.", ct);
                    return true;
                }
                return false;
            case Session session when stripeEvent.Type is EventTypes.CheckoutSessionExpired or EventTypes.CheckoutSessionAsyncPaymentFailed:
                if (await DepositOfAsync(session.Id, session.PaymentIntentId, session.Metadata, ct) is { } lapsed)
                {
                    await settlement.FailAsync(lapsed, PaymentStatus.Failed, $"Stripe Checkout {stripeEvent.Type.Split('.')[^1].Replace('_', ' ')}.", ct);
                    return true;
                }
                return false;
            case PaymentIntent intent when stripeEvent.Type == EventTypes.PaymentIntentSucceeded:
                if (await DepositOfAsync(null, intent.Id, intent.Metadata, ct) is { } succeeded)
                {
                    succeeded.PaymentIntentId ??= intent.Id;
                    await settlement.SucceedAsync(succeeded, StripeAmounts.FromMinor(intent.AmountReceived, succeeded.Currency), null,
                        $"Stripe PaymentIntent {intent.Id} succeeded.", ct);
                    return true;
                }
                return false;
            case PaymentIntent intent when stripeEvent.Type == EventTypes.PaymentIntentAmountCapturableUpdated:
                if (await DepositOfAsync(null, intent.Id, intent.Metadata, ct) is { } held)
                {
                    held.PaymentIntentId ??= intent.Id;
                    return PaymentRules.Advance(held, PaymentStatus.Authorized, 0, clock.GetUtcNow());
                }
                return false;
            case PaymentIntent intent when stripeEvent.Type == EventTypes.PaymentIntentPaymentFailed:
                // Checkout lets the buyer try another card: the deposit stays open, with the reason shown.
                if (await DepositOfAsync(null, intent.Id, intent.Metadata, ct) is { } declined && PaymentRules.IsOpen(declined.Status))
                {
                    declined.PaymentIntentId ??= intent.Id;
                    declined.LastError = Truncate($"{intent.LastPaymentError?.Code ?? "payment_failed"}: {intent.LastPaymentError?.Message}");
                    declined.UpdatedAt = clock.GetUtcNow();
                    return true;
                }
                return false;
            case Refund refund when stripeEvent.Type is EventTypes.RefundCreated or EventTypes.RefundUpdated or EventTypes.RefundFailed:
                if (await OutboundOfAsync(refund.Id, refund.Metadata, ct) is { } ours)
                {
                    ours.StripeObjectId ??= refund.Id;
                    return PaymentRules.ApplyRefundStatus(ours, refund.Status, clock.GetUtcNow());
                }
                return false;
            case Transfer transfer when stripeEvent.Type is EventTypes.TransferCreated:
                if (await OutboundOfAsync(transfer.Id, transfer.Metadata, ct) is { } payout)
                {
                    payout.StripeObjectId ??= transfer.Id;
                    return PaymentRules.Advance(payout, PaymentStatus.Succeeded, payout.Amount, clock.GetUtcNow());
                }
                return false;
            case Account account when stripeEvent.Type == EventTypes.AccountUpdated:
                if (await db.PayoutAccounts.SingleOrDefaultAsync(a => a.StripeAccountId == account.Id, ct) is { } connected)
                {
                    connected.PayoutsEnabled = account.PayoutsEnabled;
                    connected.DetailsSubmitted = account.DetailsSubmitted;
                    connected.UpdatedAt = clock.GetUtcNow();
                    return true;
                }
                return false;
            default:
                LogIgnored(logger, stripeEvent.Id, stripeEvent.Type);
                return false;
        }
    }

    async Task<Payment?> DepositOfAsync(string? sessionId, string? intentId, Dictionary<string, string>? metadata, CancellationToken ct)
    {
        var id = PaymentIdOf(metadata);
        return await db.Payments.FirstOrDefaultAsync(p => p.Provider == PaymentProvider.Stripe && p.Kind == PaymentKind.Deposit
            && ((id != null && p.Id == id) || (sessionId != null && p.CheckoutSessionId == sessionId) || (intentId != null && p.PaymentIntentId == intentId)), ct);
    }

    async Task<Payment?> OutboundOfAsync(string objectId, Dictionary<string, string>? metadata, CancellationToken ct)
    {
        var id = PaymentIdOf(metadata);
        return await db.Payments.FirstOrDefaultAsync(p => p.Provider == PaymentProvider.Stripe && (p.Kind == PaymentKind.Payout || p.Kind == PaymentKind.Refund)
            && ((id != null && p.Id == id) || p.StripeObjectId == objectId), ct);
    }

    static Guid? PaymentIdOf(Dictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(StripeAmounts.PaymentIdKey, out var text) && Guid.TryParse(text, out var parsed) ? parsed : null;

    static string Truncate(string text) => text.Length <= 500 ? text : text[..500];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe webhook refused: no configured secret verifies its signature header ({Length} characters) within the tolerance")]
    private static partial void LogRejected(ILogger logger, int length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe webhook refused: its body is no event Stripe.net can read ({Error})")]
    private static partial void LogUnreadable(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe event {EventId} ({Type}) is of API version {Version}, Stripe.net speaks {Current}; applied from the fields we read")]
    private static partial void LogOtherVersion(ILogger logger, string eventId, string type, string? version, string current);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stripe event {EventId} ({Type}) acknowledged and ignored")]
    private static partial void LogIgnored(ILogger logger, string eventId, string type);
}
