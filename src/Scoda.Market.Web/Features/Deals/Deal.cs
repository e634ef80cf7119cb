using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Organizations;

namespace Scoda.Market.Web.Features.Deals;

/// <summary>Where a deal stands (DESIGN.md). Negotiations create deals in <see cref="Agreed"/>; payments move them on.</summary>
public enum DealStatus
{
    Agreed,
    DepositPending,
    DepositPaid,
    Shipped,
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
