using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Organizations;

namespace Scoda.Market.Web.Features.Deals;

/// <summary>
/// Where a deal stands (DESIGN.md). Negotiations create deals in <see cref="Agreed"/>; <see cref="DealTransitions"/> says
/// which state follows which, and who moves it.
/// </summary>
public enum DealStatus
{
    Agreed,
    DepositPending,
    DepositPaid,
    Shipped,
    Delivered,
    Completed,
    Cancelled,
    Disputed,
}

/// <summary>
/// A contract the two sides agreed in a negotiation room: the accepted offer's terms, frozen, and the stock reserved
/// for it when the offer named a warehouse. One deal per offer (a unique index), so an offer is never accepted twice.
/// </summary>
public sealed class Deal
{
    public Guid Id { get; set; }
    public Guid RoomId { get; set; }
    public Guid OfferId { get; set; }
    public Guid ListingId { get; set; }
    public Guid SellerOrganizationId { get; set; }
    public Guid BuyerOrganizationId { get; set; }
    public DealStatus Status { get; set; }
    public required TermSheet Terms { get; set; }

    /// <summary>Price × quantity, in the price's currency (the contract value before tolerance).</summary>
    public decimal TotalAmount { get; set; }
    public required string Currency { get; set; }

    public Guid? ReservationId { get; set; }
    public Guid AcceptedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The sequence number of the deal's last event (<see cref="DealEvent"/>); a transition moves it on conditionally.</summary>
    public long LastSequence { get; set; }

    /// <summary>The contract PDF as first generated: its SHA-256 (hex) and the stored file; the same bytes are served after.</summary>
    public string? ContractSha256 { get; set; }
    public Guid? ContractFileId { get; set; }

    /// <summary>While <see cref="DealStatus.Disputed"/>: the state the dispute was opened from (an admin may resume it there).</summary>
    public DealStatus? DisputedFrom { get; set; }

    public Listing? Listing { get; set; }
    public Organization? SellerOrganization { get; set; }
    public Organization? BuyerOrganization { get; set; }
}

sealed class DealConfiguration : IEntityTypeConfiguration<Deal>
{
    public void Configure(EntityTypeBuilder<Deal> builder)
    {
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Terms).HasJsonRecordConversion();
        builder.Property(d => d.Currency).HasMaxLength(3);
        builder.Property(d => d.LastSequence).HasDefaultValue(0L);
        builder.Property(d => d.ContractSha256).HasMaxLength(64);
        builder.Property(d => d.DisputedFrom).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(d => d.OfferId).IsUnique();
        builder.HasIndex(d => d.RoomId);
        builder.HasIndex(d => new { d.BuyerOrganizationId, d.CreatedAt });
        builder.HasIndex(d => new { d.SellerOrganizationId, d.CreatedAt });
        builder.HasOne(d => d.Listing).WithMany().HasForeignKey(d => d.ListingId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(d => d.SellerOrganization).WithMany().HasForeignKey(d => d.SellerOrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(d => d.BuyerOrganization).WithMany().HasForeignKey(d => d.BuyerOrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<NegotiationRoom>().WithMany().HasForeignKey(d => d.RoomId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Offer>().WithMany().HasForeignKey(d => d.OfferId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>What a deal event records.</summary>
public static class DealEventKinds
{
    public const string Created = "created";
    public const string Transition = "transition";
    public const string DocumentUploaded = "document_uploaded";
    public const string DocumentAccepted = "document_accepted";
    public const string DocumentRejected = "document_rejected";
    public const string ContractGenerated = "contract_generated";
}

/// <summary>Which side an event's actor acted for: a party of the deal, a platform admin, or the system (no person).</summary>
public enum DealActorSide
{
    Buyer,
    Seller,
    Admin,
    System,
}

/// <summary>
/// One entry of a deal's own log, numbered per deal: a transition (from, to), a document upload or review, the contract's
/// first generation; who did it (null for the system), when and why.
/// </summary>
public sealed class DealEvent
{
    public Guid Id { get; set; }
    public Guid DealId { get; set; }
    public long Sequence { get; set; }
    public required string Kind { get; set; }
    public DealStatus? FromStatus { get; set; }
    public DealStatus? ToStatus { get; set; }
    public Guid? ActorUserId { get; set; }

    /// <summary>The actor's side when the event was recorded (null only for events older than V0014 that could not be told).</summary>
    public DealActorSide? ActorSide { get; set; }
    public string? Reason { get; set; }

    /// <summary>The document an upload or review event is about.</summary>
    public Guid? DocumentId { get; set; }
    public DateTimeOffset At { get; set; }
}

sealed class DealEventConfiguration : IEntityTypeConfiguration<DealEvent>
{
    public void Configure(EntityTypeBuilder<DealEvent> builder)
    {
        builder.Property(e => e.Kind).HasMaxLength(32);
        builder.Property(e => e.FromStatus).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.ToStatus).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.ActorSide).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Reason).HasMaxLength(DealService.MaxReasonLength);
        builder.HasIndex(e => new { e.DealId, e.Sequence }).IsUnique();
        builder.HasOne<Deal>().WithMany().HasForeignKey(e => e.DealId).OnDelete(DeleteBehavior.Cascade);
    }
}

public enum DealDocumentStatus
{
    Uploaded,
    Accepted,
    Rejected,
}

/// <summary>
/// A file the seller uploaded for one item of the deal's checklist (<see cref="DealDocument.Kind"/>); the buyer accepts or
/// rejects it. A rejected document is answered by a new upload of the same kind; the newest upload of a kind counts.
/// </summary>
public sealed class DealDocument
{
    public Guid Id { get; set; }
    public Guid DealId { get; set; }
    public required string Kind { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public long Size { get; set; }
    public required string Sha256 { get; set; }
    public DealDocumentStatus Status { get; set; }
    public Guid UploadedBy { get; set; }
    public DateTimeOffset UploadedAt { get; set; }
    public Guid? ReviewedBy { get; set; }
    public DateTimeOffset? ReviewedAt { get; set; }
    public string? RejectionReason { get; set; }
}

sealed class DealDocumentConfiguration : IEntityTypeConfiguration<DealDocument>
{
    public void Configure(EntityTypeBuilder<DealDocument> builder)
    {
        builder.Property(d => d.Kind).HasMaxLength(32);
        builder.Property(d => d.FileName).HasMaxLength(255);
        builder.Property(d => d.ContentType).HasMaxLength(100);
        builder.Property(d => d.Sha256).HasMaxLength(64);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.RejectionReason).HasMaxLength(DealService.MaxReasonLength);
        builder.HasIndex(d => new { d.DealId, d.Kind, d.UploadedAt });
        builder.HasOne<Deal>().WithMany().HasForeignKey(d => d.DealId).OnDelete(DeleteBehavior.Cascade);
    }
}
