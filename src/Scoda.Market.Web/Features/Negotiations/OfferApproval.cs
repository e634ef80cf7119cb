using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Scoda.Market.Web.Features.Negotiations;

public enum OfferApprovalStatus
{
    /// <summary>Waiting for a second Owner; the offer stays open and can still expire or be withdrawn.</summary>
    Pending,

    /// <summary>A second Owner approved: the deal exists.</summary>
    Approved,
}

/// <summary>
/// An acceptance above the accepting organization's approval threshold, waiting for a second Owner. One per offer (a
/// unique index), so an offer's acceptance is asked for once and approved once.
/// </summary>
public sealed class OfferApproval
{
    public Guid Id { get; set; }
    public Guid RoomId { get; set; }
    public Guid OfferId { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid RequestedBy { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public decimal TotalAmount { get; set; }
    public required string Currency { get; set; }
    public OfferApprovalStatus Status { get; set; }
    public Guid? ApprovedBy { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }
}

sealed class OfferApprovalConfiguration : IEntityTypeConfiguration<OfferApproval>
{
    public void Configure(EntityTypeBuilder<OfferApproval> builder)
    {
        builder.Property(a => a.Currency).HasMaxLength(3);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(a => a.OfferId).IsUnique();
        builder.HasIndex(a => a.RoomId);
        builder.HasOne<Offer>().WithMany().HasForeignKey(a => a.OfferId).OnDelete(DeleteBehavior.Cascade);
    }
}
