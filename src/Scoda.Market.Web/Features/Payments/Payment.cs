using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Web.Features.Deals;

namespace Scoda.Market.Web.Features.Payments;

/// <summary>What a payment record is for: money coming in from the buyer, an instrument securing it, or money going out.</summary>
public enum PaymentKind
{
    Deposit,
    Balance,
    LetterOfCredit,
    DocumentaryCollection,
    Payout,
    Refund,
}

/// <summary>
/// Where a payment stands. The order is the rank a payment only ever climbs (webhooks arriving out of order never move it
/// back); <see cref="Failed"/> and <see cref="Cancelled"/> end a payment that never got money.
/// </summary>
public enum PaymentStatus
{
    Pending,
    Authorized,
    Succeeded,
    Failed,
    Cancelled,
}

public enum PaymentProvider
{
    Offline,
    Stripe,
}

/// <summary>
/// One movement of money (or an instrument securing it) for a deal: a deposit, the balance against documents, an L/C or
/// documentary collection, the seller's payout, a refund. Amounts are the deal's currency.
/// </summary>
public sealed class Payment
{
    public Guid Id { get; set; }
    public Guid DealId { get; set; }
    public PaymentKind Kind { get; set; }
    public PaymentProvider Provider { get; set; }
    public PaymentStatus Status { get; set; }
    public decimal Amount { get; set; }
    public required string Currency { get; set; }

    /// <summary>The reference a bank transfer must quote (unique), e.g. <c>SCM-7KQ2-M9XD</c>.</summary>
    public required string Reference { get; set; }

    /// <summary>The caller's <c>Idempotency-Key</c> (unique per deal) and a hash of what it asked, for replays.</summary>
    public string? IdempotencyKey { get; set; }
    public string? RequestHash { get; set; }

    /// <summary>
    /// Set to the kind while the payment is open or succeeded, null once it failed or was cancelled: a unique index on
    /// (deal, slot) lets a deal have one live deposit (one balance, one payout, one refund) even when two requests race.
    /// </summary>
    public string? ActiveSlot { get; set; }

    /// <summary>The payment a payout or refund pays out of (the deposit).</summary>
    public Guid? ParentPaymentId { get; set; }
    public Guid? OrganizationId { get; set; }
    public Guid? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public decimal ReceivedAmount { get; set; }
    public decimal FeeAmount { get; set; }
    public DateOnly? ValueDate { get; set; }
    public string? BankReference { get; set; }
    public Guid? ConfirmedBy { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>L/C or collection: the bank, the instrument's number and when it expires.</summary>
    public string? IssuingBank { get; set; }
    public string? InstrumentNumber { get; set; }
    public DateOnly? ExpiresOn { get; set; }

    /// <summary>Stripe's objects: the Checkout Session, its PaymentIntent, the Transfer or Refund made for this record.</summary>
    public string? CheckoutSessionId { get; set; }
    public string? CheckoutUrl { get; set; }
    public string? PaymentIntentId { get; set; }
    public string? StripeObjectId { get; set; }
    public string? LastError { get; set; }

    /// <summary>Bumped on every change so two confirmations of one payment cannot both win.</summary>
    public int Version { get; set; }

    public bool IsInbound => Kind is PaymentKind.Deposit or PaymentKind.Balance;
    public bool IsInstrument => Kind is PaymentKind.LetterOfCredit or PaymentKind.DocumentaryCollection;
    public bool IsOutbound => Kind is PaymentKind.Payout or PaymentKind.Refund;
}

/// <summary>A call to Stripe staged in our tables (outbox-style) and made by <see cref="StripeOperationWorker"/> outside any transaction.</summary>
public enum StripeOperationKind
{
    CreateCheckoutSession,
    CreateTransfer,
    CreateRefund,

    /// <summary>A cancelled deposit's Checkout Session is expired so the buyer can no longer pay it.</summary>
    ExpireCheckoutSession,

    /// <summary>A paid deposit's fee is read from its charge's balance transaction into the ledger.</summary>
    ReadDepositFee,
}

public enum StripeOperationStatus
{
    Pending,
    Done,
    Failed,
}

public sealed class StripeOperation
{
    public Guid Id { get; set; }
    public Guid PaymentId { get; set; }
    public StripeOperationKind Kind { get; set; }
    public StripeOperationStatus Status { get; set; }

    /// <summary>Derived from our ids (<c>kind:payment</c>), so a retry after a crash is the same request to Stripe.</summary>
    public required string IdempotencyKey { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? LastError { get; set; }
}

/// <summary>A Stripe event we have seen (its id is unique): a replay finds it and changes nothing.</summary>
public sealed class StripeWebhookEvent
{
    public required string Id { get; set; }
    public required string Type { get; set; }
    public string? ApiVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public bool Applied { get; set; }
}

/// <summary>An organization's Stripe connected (Express) account, and whether Stripe lets it receive payouts.</summary>
public sealed class PayoutAccount
{
    public Guid OrganizationId { get; set; }
    public required string StripeAccountId { get; set; }
    public bool PayoutsEnabled { get; set; }
    public bool DetailsSubmitted { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> builder)
    {
        builder.Property(p => p.Kind).HasConversion<string>().HasMaxLength(24);
        builder.Property(p => p.Provider).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Currency).HasMaxLength(3);
        builder.Property(p => p.Reference).HasMaxLength(32);
        builder.Property(p => p.IdempotencyKey).HasMaxLength(100);
        builder.Property(p => p.RequestHash).HasMaxLength(64);
        builder.Property(p => p.BankReference).HasMaxLength(PaymentsEndpoints.MaxTextLength);
        builder.Property(p => p.IssuingBank).HasMaxLength(PaymentsEndpoints.MaxTextLength);
        builder.Property(p => p.InstrumentNumber).HasMaxLength(PaymentsEndpoints.MaxTextLength);
        builder.Property(p => p.CheckoutSessionId).HasMaxLength(255);
        builder.Property(p => p.CheckoutUrl).HasMaxLength(2000);
        builder.Property(p => p.PaymentIntentId).HasMaxLength(255);
        builder.Property(p => p.StripeObjectId).HasMaxLength(255);
        builder.Property(p => p.LastError).HasMaxLength(500);
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.HasIndex(p => p.Reference).IsUnique();
        builder.Property(p => p.ActiveSlot).HasMaxLength(24);
        builder.HasIndex(p => new { p.DealId, p.IdempotencyKey }).IsUnique();
        builder.HasIndex(p => new { p.DealId, p.ActiveSlot }).IsUnique();
        builder.HasIndex(p => new { p.DealId, p.CreatedAt });
        builder.HasIndex(p => new { p.Status, p.CreatedAt });
        builder.HasIndex(p => p.CheckoutSessionId);
        builder.HasIndex(p => p.PaymentIntentId);
        builder.HasOne<Deal>().WithMany().HasForeignKey(p => p.DealId).OnDelete(DeleteBehavior.Restrict);
    }
}

sealed class StripeOperationConfiguration : IEntityTypeConfiguration<StripeOperation>
{
    public void Configure(EntityTypeBuilder<StripeOperation> builder)
    {
        builder.Property(o => o.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(o => o.IdempotencyKey).HasMaxLength(100);
        builder.Property(o => o.LastError).HasMaxLength(500);
        builder.HasIndex(o => o.IdempotencyKey).IsUnique();
        builder.HasIndex(o => new { o.Status, o.NextAttemptAt });
        builder.HasOne<Payment>().WithMany().HasForeignKey(o => o.PaymentId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class StripeWebhookEventConfiguration : IEntityTypeConfiguration<StripeWebhookEvent>
{
    public void Configure(EntityTypeBuilder<StripeWebhookEvent> builder)
    {
        builder.Property(e => e.Id).HasMaxLength(255);
        builder.Property(e => e.Type).HasMaxLength(100);
        builder.Property(e => e.ApiVersion).HasMaxLength(64);
    }
}

sealed class PayoutAccountConfiguration : IEntityTypeConfiguration<PayoutAccount>
{
    public void Configure(EntityTypeBuilder<PayoutAccount> builder)
    {
        builder.HasKey(a => a.OrganizationId);
        builder.Property(a => a.StripeAccountId).HasMaxLength(255);
        builder.HasIndex(a => a.StripeAccountId).IsUnique();
        builder.HasOne<Organizations.Organization>().WithMany().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
