using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Organizations;

namespace Scoda.Market.Web.Features.Inventory;

public enum WarehouseKind
{
    /// <summary>A warehouse in an SCO country (Almaty, Tashkent, Novosibirsk ...).</summary>
    Overseas,

    /// <summary>A bonded zone (Qingdao bonded port area, Khorgos ICBC): goods not yet cleared through customs.</summary>
    Bonded,

    /// <summary>A port or rail terminal.</summary>
    Port,
}

public sealed class Warehouse
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string Name { get; set; }
    public WarehouseKind Kind { get; set; }
    public required string CountryCode { get; set; }
    public required string City { get; set; }
    public decimal Latitude { get; set; }
    public decimal Longitude { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// One lot of a listing's goods in a warehouse, with its running balances. Balances change only by conditional
/// updates in the same transaction as the ledger row that explains them, so they always equal the ledger's sums.
/// </summary>
public sealed class StockLot
{
    public Guid Id { get; set; }
    public Guid WarehouseId { get; set; }
    public Guid ListingId { get; set; }
    public required string LotNumber { get; set; }
    public string? QualityCertificate { get; set; }

    /// <summary>In the listing's quantity unit.</summary>
    public required string Unit { get; set; }

    public decimal OnHand { get; set; }
    public decimal Reserved { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public Warehouse? Warehouse { get; set; }
    public Listing? Listing { get; set; }
}

public enum MovementKind
{
    Receipt,
    Shipment,
    Adjustment,
    TransferOut,
    TransferIn,
    Reserve,
    Release,
}

/// <summary>An append-only ledger row. Its deltas say what it did to the lot's on-hand and reserved balances.</summary>
public sealed class StockMovement
{
    public Guid Id { get; set; }
    public Guid WarehouseId { get; set; }
    public Guid ListingId { get; set; }
    public Guid LotId { get; set; }
    public MovementKind Kind { get; set; }
    public decimal OnHandDelta { get; set; }
    public decimal ReservedDelta { get; set; }
    public required string Unit { get; set; }
    public string? Reason { get; set; }
    public string? Note { get; set; }
    public Guid? ReservationId { get; set; }
    public Guid? CounterpartWarehouseId { get; set; }
    public Guid? ActorUserId { get; set; }
    public DateTimeOffset At { get; set; }
}

public enum ReservationStatus
{
    Active,
    Released,
    Expired,

    /// <summary>The deal it was held for shipped: the stock left the warehouse (a shipment movement).</summary>
    Shipped,
}

/// <summary>Stock held for a buyer (or a deal) until it is released or expires.</summary>
public sealed class Reservation
{
    public Guid Id { get; set; }
    public Guid ListingId { get; set; }
    public Guid WarehouseId { get; set; }
    public Guid LotId { get; set; }
    public Guid OrganizationId { get; set; }
    public decimal Quantity { get; set; }
    public required string Unit { get; set; }
    public ReservationStatus Status { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public Guid CreatedBy { get; set; }

    /// <summary>The client's <c>Idempotency-Key</c>, unique per organization: a retry gets this reservation back.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>SHA-256 of what was asked for under that key, so the same key with another request is told apart.</summary>
    public string? RequestHash { get; set; }
}

sealed class WarehouseConfiguration : IEntityTypeConfiguration<Warehouse>
{
    public void Configure(EntityTypeBuilder<Warehouse> builder)
    {
        builder.Property(w => w.Name).HasMaxLength(120);
        builder.Property(w => w.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(w => w.CountryCode).HasMaxLength(2).IsFixedLength();
        builder.Property(w => w.City).HasMaxLength(80);
        builder.HasOne<Organization>().WithMany().HasForeignKey(w => w.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(w => w.OrganizationId);
    }
}

sealed class StockLotConfiguration : IEntityTypeConfiguration<StockLot>
{
    public void Configure(EntityTypeBuilder<StockLot> builder)
    {
        builder.Property(l => l.LotNumber).HasMaxLength(64);
        builder.Property(l => l.QualityCertificate).HasMaxLength(120);
        builder.Property(l => l.Unit).HasMaxLength(8);
        builder.HasOne(l => l.Warehouse).WithMany().HasForeignKey(l => l.WarehouseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(l => l.Listing).WithMany().HasForeignKey(l => l.ListingId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(l => new { l.WarehouseId, l.ListingId, l.LotNumber }).IsUnique();
        builder.HasIndex(l => l.ListingId);
    }
}

sealed class StockMovementConfiguration : IEntityTypeConfiguration<StockMovement>
{
    public void Configure(EntityTypeBuilder<StockMovement> builder)
    {
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Unit).HasMaxLength(8);
        builder.Property(m => m.Reason).HasMaxLength(200);
        builder.Property(m => m.Note).HasMaxLength(500);
        builder.HasOne<StockLot>().WithMany().HasForeignKey(m => m.LotId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(m => new { m.WarehouseId, m.At });
        builder.HasIndex(m => m.LotId);
    }
}

sealed class ReservationConfiguration : IEntityTypeConfiguration<Reservation>
{
    public void Configure(EntityTypeBuilder<Reservation> builder)
    {
        builder.Property(r => r.Unit).HasMaxLength(8);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<StockLot>().WithMany().HasForeignKey(r => r.LotId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(r => new { r.Status, r.ExpiresAt });
        builder.HasIndex(r => r.ListingId);
        builder.Property(r => r.IdempotencyKey).HasMaxLength(ReservationsEndpoints.MaxIdempotencyKeyLength);
        builder.Property(r => r.RequestHash).HasMaxLength(64);
        builder.HasIndex(r => new { r.OrganizationId, r.IdempotencyKey }).IsUnique();
    }
}
