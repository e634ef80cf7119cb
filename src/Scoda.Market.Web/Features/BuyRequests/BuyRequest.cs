using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Taxonomy;

namespace Scoda.Market.Web.Features.BuyRequests;

public enum BuyRequestStatus
{
    Open,
    Closed,
}

/// <summary>An accepted range for one spec: numbers between Min and Max, or one of Options.</summary>
public sealed record SpecRange(decimal? Min, decimal? Max, IReadOnlyList<string>? Options);

public sealed class SpecRanges : Dictionary<string, SpecRange>
{
    public SpecRanges() : base(StringComparer.Ordinal) { }

    public SpecRanges(IDictionary<string, SpecRange> ranges) : base(ranges, StringComparer.Ordinal) { }
}

/// <summary>A buyer's standing requirement (RFQ): what, how much, where, by when, at about what price.</summary>
public sealed class BuyRequest
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CategoryId { get; set; }
    public SpecRanges SpecRanges { get; set; } = new();
    public decimal Quantity { get; set; }
    public required string QuantityUnit { get; set; }
    public decimal TargetAmount { get; set; }
    public required string TargetCurrency { get; set; }
    public required string TargetUnit { get; set; }

    /// <summary>The target price per basis unit (t or m3) in USD at the rates of the day it was posted.</summary>
    public decimal? TargetUsd { get; set; }

    public required string Incoterm { get; set; }
    public required string NamedPlace { get; set; }
    public DateTimeOffset DeliveryBy { get; set; }
    public TextList OriginCountries { get; set; } = [];
    public string? Note { get; set; }
    public BuyRequestStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public Organization? Organization { get; set; }
    public Category? Category { get; set; }
}

/// <summary>A listing that meets a buy request, with how well and why; kept so both sides can see it later.</summary>
public sealed class Match
{
    public Guid Id { get; set; }
    public Guid BuyRequestId { get; set; }
    public Guid ListingId { get; set; }
    public int Score { get; set; }
    public MatchReasons Reasons { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public BuyRequest? BuyRequest { get; set; }
    public Listing? Listing { get; set; }
}

sealed class BuyRequestConfiguration : IEntityTypeConfiguration<BuyRequest>
{
    public void Configure(EntityTypeBuilder<BuyRequest> builder)
    {
        builder.Property(b => b.SpecRanges).HasJsonConversion();
        builder.Property(b => b.OriginCountries).HasJsonConversion();
        builder.Property(b => b.QuantityUnit).HasMaxLength(8);
        builder.Property(b => b.TargetCurrency).HasMaxLength(3).IsFixedLength();
        builder.Property(b => b.TargetUnit).HasMaxLength(8);
        builder.Property(b => b.Incoterm).HasMaxLength(3).IsFixedLength();
        builder.Property(b => b.NamedPlace).HasMaxLength(120);
        builder.Property(b => b.Note).HasMaxLength(2000);
        builder.Property(b => b.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasOne(b => b.Organization).WithMany().HasForeignKey(b => b.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(b => b.Category).WithMany().HasForeignKey(b => b.CategoryId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(b => new { b.OrganizationId, b.CreatedAt });
        builder.HasIndex(b => b.Status);
    }
}

sealed class MatchConfiguration : IEntityTypeConfiguration<Match>
{
    public void Configure(EntityTypeBuilder<Match> builder)
    {
        builder.Property(m => m.Reasons).HasJsonConversion();
        builder.HasOne(m => m.BuyRequest).WithMany().HasForeignKey(m => m.BuyRequestId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(m => m.Listing).WithMany().HasForeignKey(m => m.ListingId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => new { m.BuyRequestId, m.ListingId }).IsUnique();
        builder.HasIndex(m => m.ListingId);
    }
}
