using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;

namespace Scoda.Market.Web.Features.Payments;

/// <summary>
/// A payment provider. <see cref="StageAsync"/> runs inside the transaction that records the payment and only adds rows;
/// <see cref="DispatchAsync"/> runs after the commit, outside any transaction, and makes whatever outside calls were
/// staged (the worker retries the ones that fail).
/// </summary>
public interface IPaymentGateway
{
    PaymentProvider Provider { get; }

    Task StageAsync(Payment payment, CancellationToken ct);

    /// <summary>An open payment was cancelled: stages what closes it at the provider (a Checkout Session's expiry).</summary>
    Task StageCancelAsync(Payment payment, CancellationToken ct);

    /// <summary>Money arrived for a payment: stages what the provider still has to tell of it (its fee).</summary>
    Task StageSettledAsync(Payment payment, CancellationToken ct);

    Task DispatchAsync(Guid paymentId, CancellationToken ct);
}

/// <summary>
/// Bank transfers, L/Cs and collections: nothing to call. The buyer transfers quoting the payment's reference, and an
/// admin confirms what the bank statement shows; payouts and refunds wait for an admin to record the transfer made.
/// </summary>
public sealed class OfflineGateway : IPaymentGateway
{
    public PaymentProvider Provider => PaymentProvider.Offline;

    public Task StageAsync(Payment payment, CancellationToken ct) => Task.CompletedTask;

    public Task StageCancelAsync(Payment payment, CancellationToken ct) => Task.CompletedTask;

    public Task StageSettledAsync(Payment payment, CancellationToken ct) => Task.CompletedTask;

    public Task DispatchAsync(Guid paymentId, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>Stripe: each outside call is a <see cref="StripeOperation"/> row, made by <see cref="StripeOperationWorker"/>.</summary>
public sealed class StripeGateway(MarketDbContext db, StripeOperationWorker worker, TimeProvider clock) : IPaymentGateway
{
    public PaymentProvider Provider => PaymentProvider.Stripe;

    public Task StageAsync(Payment payment, CancellationToken ct)
    {
        var kind = payment.Kind switch
        {
            PaymentKind.Deposit => StripeOperationKind.CreateCheckoutSession,
            PaymentKind.Payout => StripeOperationKind.CreateTransfer,
            PaymentKind.Refund => StripeOperationKind.CreateRefund,
            _ => throw new InvalidOperationException($"Stripe does not take {payment.Kind} payments; they are offline."),
        };
        return StageOnceAsync(payment, kind, ct);
    }

    public Task StageCancelAsync(Payment payment, CancellationToken ct) =>
        payment.Kind == PaymentKind.Deposit ? StageOnceAsync(payment, StripeOperationKind.ExpireCheckoutSession, ct) : Task.CompletedTask;

    public Task StageSettledAsync(Payment payment, CancellationToken ct) =>
        payment.Kind == PaymentKind.Deposit ? StageOnceAsync(payment, StripeOperationKind.ReadDepositFee, ct) : Task.CompletedTask;

    /// <summary>One operation of a kind per payment: its idempotency key, from our ids, is unique.</summary>
    async Task StageOnceAsync(Payment payment, StripeOperationKind kind, CancellationToken ct)
    {
        var key = $"{kind}:{payment.Id:N}";
        if (db.StripeOperations.Local.Any(o => o.IdempotencyKey == key) || await db.StripeOperations.AnyAsync(o => o.IdempotencyKey == key, ct))
        {
            return;
        }
        var now = clock.GetUtcNow();
        db.StripeOperations.Add(new StripeOperation
        {
            Id = Guid.CreateVersion7(now), PaymentId = payment.Id, Kind = kind, Status = StripeOperationStatus.Pending,
            IdempotencyKey = key, CreatedAt = now, NextAttemptAt = now,
        });
    }

    public async Task DispatchAsync(Guid paymentId, CancellationToken ct)
    {
        var operations = await db.StripeOperations.AsNoTracking()
            .Where(o => o.PaymentId == paymentId && o.Status == StripeOperationStatus.Pending).Select(o => o.Id).ToListAsync(ct);
        foreach (var operation in operations)
        {
            await worker.ExecuteAsync(operation, ct);
        }
    }
}

/// <summary>The gateway of a provider: new deposits use the configured one; payouts and refunds follow the deposit's.</summary>
public sealed class PaymentGateways(OfflineGateway offline, IServiceProvider services, PaymentOptions options)
{
    public IPaymentGateway Configured => For(options.Provider);

    public IPaymentGateway For(PaymentProvider provider) =>
        provider == PaymentProvider.Stripe ? services.GetRequiredService<StripeGateway>() : offline;
}
