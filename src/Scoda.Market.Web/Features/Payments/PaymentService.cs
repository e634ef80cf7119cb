using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Payments;

/// <summary>Bank details a transfer goes to, with the reference it must quote.</summary>
public sealed record BankInstructions(string Beneficiary, string BankName, string Iban, string Swift, string? BankAddress, string Reference, Money Amount);

/// <summary>A payment as both sides of the deal (and admins) see it.</summary>
public sealed record PaymentResponse(
    Guid PaymentId, Guid DealId, PaymentKind Kind, PaymentProvider Provider, PaymentStatus Status, Money Amount, Money Received, Money Fees,
    string Reference, string? CheckoutUrl, BankInstructions? BankInstructions, string? IssuingBank, string? InstrumentNumber, DateOnly? ExpiresOn,
    DateOnly? ValueDate, string? BankReference, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt);

/// <summary>
/// The deal's money, summed from its payments. <c>held</c> = captured − transferred − refunded − fees is what the platform
/// holds (the commission less the provider's fees once the seller is paid; the platform bears the fees, so it can be
/// below zero); <c>balanced</c> says no more went out to the parties than came in and no more came in than the deal is worth.
/// </summary>
public sealed record PaymentLedger(
    string Currency, decimal Expected, decimal Deposit, decimal Authorized, decimal Captured, decimal Transferred, decimal Refunded, decimal Fees,
    decimal Commission, decimal Held, bool Balanced);

public sealed record DealPayments(Guid DealId, DealStatus DealStatus, IReadOnlyList<PaymentResponse> Payments, PaymentLedger Ledger);

/// <summary>
/// Records payments and moves them on; the one writer of the Payments tables. Deal changes go through
/// <see cref="DealService"/>, in the same transaction as the payment change.
/// </summary>
public sealed class PaymentService(MarketDbContext db, PaymentGateways gateways, PaymentOptions options, TimeProvider clock)
{
    public TimeProvider Clock => clock;

    public PaymentResponse ToResponse(Payment p) => new(
        p.Id, p.DealId, p.Kind, p.Provider, p.Status, new Money(p.Amount, p.Currency), new Money(p.ReceivedAmount, p.Currency),
        new Money(p.FeeAmount, p.Currency), p.Reference, PaymentRules.IsOpen(p.Status) ? p.CheckoutUrl : null,
        p.Provider == PaymentProvider.Offline && p.IsInbound ? Instructions(p) : null,
        p.IssuingBank, p.InstrumentNumber, p.ExpiresOn, p.ValueDate, p.BankReference, p.LastError, p.CreatedAt, p.ConfirmedAt);

    BankInstructions Instructions(Payment p)
    {
        var bank = options.Offline;
        return new BankInstructions(bank.Beneficiary, bank.BankName, bank.Iban, bank.Swift, bank.BankAddress, p.Reference, new Money(p.Amount, p.Currency));
    }

    /// <summary>A new payment record, not yet added; the caller adds it inside its transaction.</summary>
    public Payment NewPayment(DealFacts deal, PaymentKind kind, PaymentProvider provider, decimal amount, Guid? organizationId, Guid? by)
    {
        var now = clock.GetUtcNow();
        return new Payment
        {
            Id = Guid.CreateVersion7(now), DealId = deal.Id, Kind = kind, Provider = provider, Status = PaymentStatus.Pending, Amount = amount,
            Currency = deal.Total.Currency, Reference = PaymentRules.NewReference(), ActiveSlot = kind.ToString(), OrganizationId = organizationId,
            CreatedBy = by, CreatedAt = now, UpdatedAt = now,
        };
    }

    /// <summary>On completion: the seller's share of the deposit (less the commission), by Stripe Transfer where the deposit
    /// came through Stripe and the seller's connected account takes payouts, else as an offline payout for an admin.</summary>
    public async Task StagePayoutAsync(DealFacts deal, CancellationToken ct)
    {
        var deposit = await SucceededDepositAsync(deal.Id, ct);
        if (deposit is null || await db.Payments.AnyAsync(p => p.DealId == deal.Id && p.Kind == PaymentKind.Payout && p.ActiveSlot != null, ct))
        {
            return;
        }
        var share = deposit.ReceivedAmount - CommissionOf(deposit.ReceivedAmount) - await RefundedAsync(deal.Id, ct);
        if (share <= 0)
        {
            return;
        }
        var enabled = await db.PayoutAccounts.AnyAsync(a => a.OrganizationId == deal.SellerOrganizationId && a.PayoutsEnabled, ct);
        var provider = deposit.Provider == PaymentProvider.Stripe && enabled ? PaymentProvider.Stripe : PaymentProvider.Offline;
        var payout = NewPayment(deal, PaymentKind.Payout, provider, share, deal.SellerOrganizationId, null);
        payout.ParentPaymentId = deposit.Id;
        if (deposit.Provider == PaymentProvider.Stripe && provider == PaymentProvider.Offline)
        {
            payout.LastError = "The seller has no Stripe account that takes payouts: pay it by bank transfer and confirm it here.";
        }
        db.Payments.Add(payout);
        await gateways.For(provider).StageAsync(payout, ct);
    }

    /// <summary>On cancellation before shipment: the deposit goes back to the buyer; open payments are cancelled.</summary>
    public async Task CancelOpenAndRefundAsync(DealFacts deal, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var open in await db.Payments.Where(p => p.DealId == deal.Id && (p.Status == PaymentStatus.Pending || p.Status == PaymentStatus.Authorized)
                     && (p.Kind == PaymentKind.Deposit || p.Kind == PaymentKind.Balance)).ToListAsync(ct))
        {
            PaymentRules.Advance(open, PaymentStatus.Cancelled, 0, now);
            // A Checkout still open at Stripe is expired (after commit), so the buyer cannot pay a cancelled deal.
            await gateways.For(open.Provider).StageCancelAsync(open, ct);
        }
        if (await SucceededDepositAsync(deal.Id, ct) is { } deposit)
        {
            await StageRefundAsync(deal, deposit, ct);
        }
    }

    public async Task StageRefundAsync(DealFacts deal, Payment deposit, CancellationToken ct)
    {
        if (db.Payments.Local.Any(p => p.DealId == deal.Id && p.Kind == PaymentKind.Refund)
            || await db.Payments.AnyAsync(p => p.DealId == deal.Id && p.Kind == PaymentKind.Refund && p.ActiveSlot != null, ct))
        {
            return;
        }
        var refund = NewPayment(deal, PaymentKind.Refund, deposit.Provider, deposit.ReceivedAmount, deal.BuyerOrganizationId, null);
        refund.ParentPaymentId = deposit.Id;
        db.Payments.Add(refund);
        await gateways.For(deposit.Provider).StageAsync(refund, ct);
    }

    /// <summary>Money arrived for <paramref name="payment"/>: what its provider still reports of it (Stripe's fee) is staged.</summary>
    public Task StageSettledAsync(Payment payment, CancellationToken ct) => gateways.For(payment.Provider).StageSettledAsync(payment, ct);

    public decimal CommissionOf(decimal amount) => Math.Round(amount * options.CommissionRate, 2, MidpointRounding.ToEven);

    /// <summary>The deal's deposit that counts (holding its slot); a late capture of a cancelled one is refunded on its own.</summary>
    Task<Payment?> SucceededDepositAsync(Guid dealId, CancellationToken ct) =>
        db.Payments.SingleOrDefaultAsync(p => p.DealId == dealId && p.Kind == PaymentKind.Deposit && p.Status == PaymentStatus.Succeeded && p.ActiveSlot != null, ct);

    async Task<decimal> RefundedAsync(Guid dealId, CancellationToken ct) =>
        (await db.Payments.Where(p => p.DealId == dealId && p.Kind == PaymentKind.Refund && p.ActiveSlot != null).Select(p => p.Amount).ToListAsync(ct)).Sum();

    /// <summary>The deal's payments, oldest first, and its ledger.</summary>
    public async Task<DealPayments> OfDealAsync(DealFacts deal, CancellationToken ct)
    {
        var payments = await db.Payments.AsNoTracking().Where(p => p.DealId == deal.Id).ToListAsync(ct);
        payments = payments.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToList();
        return new DealPayments(deal.Id, deal.Status, payments.Select(ToResponse).ToList(), LedgerOf(deal, payments));
    }

    /// <summary>Sums in C#: SQLite stores decimals scaled and cannot add them up in SQL.</summary>
    public PaymentLedger LedgerOf(DealFacts deal, IReadOnlyCollection<Payment> payments)
    {
        decimal Sum(Func<Payment, bool> which, Func<Payment, decimal> amount) => payments.Where(which).Sum(amount);
        var succeeded = (Payment p) => p.Status == PaymentStatus.Succeeded;
        var captured = Sum(p => p.IsInbound && succeeded(p), p => p.ReceivedAmount);
        var authorized = captured + Sum(p => (p.IsInbound && p.Status == PaymentStatus.Authorized) || (p.IsInstrument && succeeded(p)), p => p.Amount);
        var transferred = Sum(p => p.Kind == PaymentKind.Payout && succeeded(p), p => p.ReceivedAmount);
        var refunded = Sum(p => p.Kind == PaymentKind.Refund && succeeded(p), p => p.ReceivedAmount);
        var fees = Sum(_ => true, p => p.FeeAmount);
        var commission = transferred > 0 ? Sum(p => p.Kind == PaymentKind.Deposit && succeeded(p), p => CommissionOf(p.ReceivedAmount)) : 0;
        var held = captured - transferred - refunded - fees;
        var balanced = transferred + refunded <= captured && fees >= 0 && captured <= deal.Total.Amount && payments.All(p => p.Currency == deal.Total.Currency)
            && payments.Where(p => p.IsOutbound && succeeded(p)).All(p => p.ReceivedAmount <= p.Amount);
        return new PaymentLedger(deal.Total.Currency, deal.Total.Amount, deal.Deposit.Amount, authorized, captured, transferred, refunded, fees,
            commission, held, balanced);
    }
}

/// <summary>Stages the money a deal's transition calls for, inside its transaction: a payout on completion, a refund on cancellation.</summary>
public sealed class PaymentsDealListener(PaymentService payments) : IDealTransitionListener
{
    public Task OnTransitionAsync(DealFacts deal, DealStatus from, DealStatus to, CancellationToken ct) => to switch
    {
        DealStatus.Completed => payments.StagePayoutAsync(deal, ct),
        // Before shipment (directly, or a dispute opened before shipment resolved as cancelled): the goods never left.
        DealStatus.Cancelled when deal.CancelsBeforeShipment(from) => payments.CancelOpenAndRefundAsync(deal, ct),
        _ => Task.CompletedTask,
    };
}

/// <summary>
/// Settles inbound payments against the deal: a separate class because it moves the deal through <see cref="DealService"/>,
/// whose listeners include <see cref="PaymentsDealListener"/> (which needs <see cref="PaymentService"/>, not this).
/// </summary>
public sealed class PaymentSettlement(MarketDbContext db, DealService deals, PaymentService payments, PaymentGateways gateways)
{
    /// <summary>
    /// Records a new payment in one transaction: the row, what its gateway stages, and for a deposit the deal's move to
    /// DepositPending. A unique index refusing it (the same key, or a second live payment of the kind, racing) throws
    /// <see cref="DbUpdateException"/>. The gateway's outside calls are <see cref="DispatchAsync"/>, after this returns.
    /// </summary>
    public async Task RecordAsync(Payment payment, DealFacts deal, Guid by, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Payments.Add(payment);
        await gateways.For(payment.Provider).StageAsync(payment, ct);
        await db.SaveChangesAsync(ct);
        if (payment.Kind == PaymentKind.Deposit && deal.Status == DealStatus.Agreed)
        {
            await deals.AdvanceBySystemAsync(deal.Id, DealStatus.DepositPending, by, $"Deposit requested ({payment.Reference}).", ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>Makes the outside calls <see cref="RecordAsync"/> staged, outside any transaction.</summary>
    public Task DispatchAsync(Payment payment, CancellationToken ct) => gateways.For(payment.Provider).DispatchAsync(payment.Id, ct);

    /// <summary>
    /// An admin (<paramref name="by"/>) records what the bank statement shows for an open offline payment, in one
    /// transaction; a concurrent confirmation throws <see cref="DbUpdateConcurrencyException"/>.
    /// </summary>
    public async Task ConfirmOfflineAsync(Payment payment, decimal amount, DateOnly valueDate, string bankReference, Guid by, CancellationToken ct)
    {
        payment.ValueDate = valueDate;
        payment.BankReference = bankReference.Trim();
        payment.ConfirmedBy = by;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await SucceedAsync(payment, amount, by, $"Bank transfer {payment.Reference} confirmed.", ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Money has arrived for an inbound payment (an admin saw it on the statement, or Stripe said so): the payment succeeds
    /// and a deposit moves the deal to DepositPaid, in the caller's transaction. A deposit for a deal that was cancelled
    /// meanwhile is refunded instead.
    /// </summary>
    public async Task SucceedAsync(Payment payment, decimal received, Guid? actor, string reason, CancellationToken ct)
    {
        var now = payments.Clock.GetUtcNow();
        // Stripe took money for a deposit we had cancelled (the buyer paid while its Checkout was being expired).
        var late = payment is { Provider: PaymentProvider.Stripe, Kind: PaymentKind.Deposit } && PaymentRules.RecordLateCapture(payment, received, now);
        if (!late && !PaymentRules.Advance(payment, PaymentStatus.Succeeded, received, now))
        {
            return;
        }
        await payments.StageSettledAsync(payment, ct);
        if (payment.Kind != PaymentKind.Deposit)
        {
            return;
        }
        await db.SaveChangesAsync(ct);
        var deal = await deals.FactsAsync(payment.DealId, ct) ?? throw new InvalidOperationException($"Deal {payment.DealId} is gone.");
        if (!late && deal.Status is DealStatus.Agreed or DealStatus.DepositPending)
        {
            await deals.AdvanceBySystemAsync(payment.DealId, DealStatus.DepositPaid, actor, reason, ct);
        }
        else if (late || deal.Status == DealStatus.Cancelled)
        {
            await payments.StageRefundAsync(deal, payment, ct);
        }
    }

    /// <summary>An open deposit that will not be paid (Checkout expired, cancelled): the deal goes back to Agreed.</summary>
    public async Task FailAsync(Payment payment, PaymentStatus to, string? error, CancellationToken ct)
    {
        if (!PaymentRules.Advance(payment, to, 0, payments.Clock.GetUtcNow()))
        {
            return;
        }
        payment.LastError = error ?? payment.LastError;
        await db.SaveChangesAsync(ct);
        if (payment.Kind == PaymentKind.Deposit && await deals.FactsAsync(payment.DealId, ct) is { Status: DealStatus.DepositPending })
        {
            await deals.AdvanceBySystemAsync(payment.DealId, DealStatus.Agreed, null, "The deposit was not paid.", ct);
        }
    }

}

/// <summary>
/// The offline deposit for a named buyer and an admin's confirmation of it, outside a request (the demo seeder pays its
/// deal with them): the same recording and settlement the deposit and confirm routes use.
/// </summary>
[FeatureContract]
public sealed class OfflinePayments(MarketDbContext db, DealService deals, PaymentService payments, PaymentSettlement settlement, TimeProvider clock)
{
    /// <summary>The buyer's member <paramref name="buyerUserId"/> asks to pay the deal's deposit by bank transfer; returns the payment.</summary>
    public async Task<Guid> RequestDepositAsync(Guid dealId, Guid buyerUserId, CancellationToken ct)
    {
        var deal = await deals.FactsAsync(dealId, ct) ?? throw new InvalidOperationException($"Deal {dealId} does not exist.");
        var payment = payments.NewPayment(deal, PaymentKind.Deposit, PaymentProvider.Offline, deal.Deposit.Amount, deal.BuyerOrganizationId, buyerUserId);
        payment.IdempotencyKey = $"offline-deposit:{dealId:N}";
        await settlement.RecordAsync(payment, deal, buyerUserId, ct);
        await settlement.DispatchAsync(payment, ct);
        return payment.Id;
    }

    /// <summary>A platform admin (<paramref name="adminUserId"/>) confirms the full amount arrived today under <paramref name="bankReference"/>.</summary>
    public async Task ConfirmAsync(Guid paymentId, Guid adminUserId, string bankReference, CancellationToken ct)
    {
        var payment = await db.Payments.SingleAsync(p => p.Id == paymentId && p.Provider == PaymentProvider.Offline, ct);
        await settlement.ConfirmOfflineAsync(payment, payment.Amount, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), bankReference, adminUserId, ct);
    }
}
