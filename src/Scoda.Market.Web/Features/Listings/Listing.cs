using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.Listings;

public enum ListingStatus
{
    Draft,
    Published,
    Paused,
    Closed,
    Expired,
}

/// <summary>Spec values by key, as invariant text (numbers are checked against the category schema on the way in).</summary>
[FeatureContract]
public sealed class SpecValues : Dictionary<string, string>
{
    public SpecValues() : base(StringComparer.Ordinal) { }

    public SpecValues(IDictionary<string, string> values) : base(values, StringComparer.Ordinal) { }
}

[FeatureContract]
public sealed class TextList : List<string>
{
    public TextList() { }

    public TextList(IEnumerable<string> values) : base(values) { }
}

/// <summary>A bulk commodity offered by an exporter: what, how much, at what price and on which terms.</summary>
public sealed class Listing
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CategoryId { get; set; }
    public ListingStatus Status { get; set; }

    public LocalizedText Title { get; set; } = new();
    public LocalizedText Description { get; set; } = new();
    public required string HsCode { get; set; }
    public SpecValues Specs { get; set; } = new();

    public required string OriginCountry { get; set; }
    public string? OriginRegion { get; set; }

    public decimal Quantity { get; set; }
    public required string QuantityUnit { get; set; }
    public decimal MinOrder { get; set; }
    public required string MinOrderUnit { get; set; }

    public decimal PriceAmount { get; set; }
    public required string PriceCurrency { get; set; }
    public required string PriceUnit { get; set; }

    /// <summary>Price per <see cref="NormalizedUnit"/> (t, or m3 for timber) at the current FX rates.</summary>
    public decimal? NormalizedPriceUsd { get; set; }
    public decimal? NormalizedPriceCny { get; set; }
    public required string NormalizedUnit { get; set; }

    public required string Incoterm { get; set; }
    public required string NamedPlace { get; set; }
    public DeliveryMode DeliveryMode { get; set; }
    public TextList PaymentTerms { get; set; } = [];
    public string? Packaging { get; set; }
    public int LeadTimeDays { get; set; }
    public TextList Certificates { get; set; } = [];

    public DateTimeOffset ValidUntil { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }

    /// <summary>Concurrency token: two traders editing one listing must not overwrite each other silently.</summary>
    public Guid Version { get; set; }

    public Organization? Organization { get; set; }
    public Category? Category { get; set; }
    public List<ListingFile> Files { get; set; } = [];

    public UnitPrice Price => new(PriceAmount, PriceCurrency, PriceUnit);
}

/// <summary>Every price a listing has had, newest last: buyers and disputes need the history.</summary>
public sealed class ListingPriceChange
{
    public Guid Id { get; set; }
    public Guid ListingId { get; set; }
    public decimal Amount { get; set; }
    public required string Currency { get; set; }
    public required string Unit { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public Guid ChangedBy { get; set; }
}

public enum ListingFileKind
{
    Photo,
    Document,
}

/// <summary>A photo of the goods or a document (quality certificate, phytosanitary certificate, specification sheet).</summary>
public sealed class ListingFile
{
    public Guid Id { get; set; }
    public Guid ListingId { get; set; }
    public ListingFileKind Kind { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public long Size { get; set; }
    public required string Sha256 { get; set; }
    public DateTimeOffset UploadedAt { get; set; }
    public Guid UploadedBy { get; set; }
}

sealed class ListingConfiguration : IEntityTypeConfiguration<Listing>
{
    public void Configure(EntityTypeBuilder<Listing> builder)
    {
        builder.Property(l => l.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(l => l.Title).HasJsonConversion();
        builder.Property(l => l.Description).HasJsonConversion();
        builder.Property(l => l.Specs).HasJsonConversion();
        builder.Property(l => l.PaymentTerms).HasJsonConversion();
        builder.Property(l => l.Certificates).HasJsonConversion();
        builder.Property(l => l.HsCode).HasMaxLength(10);
        builder.Property(l => l.OriginCountry).HasMaxLength(2).IsFixedLength();
        builder.Property(l => l.OriginRegion).HasMaxLength(100);
        builder.Property(l => l.QuantityUnit).HasMaxLength(8);
        builder.Property(l => l.MinOrderUnit).HasMaxLength(8);
        builder.Property(l => l.PriceCurrency).HasMaxLength(3).IsFixedLength();
        builder.Property(l => l.PriceUnit).HasMaxLength(8);
        builder.Property(l => l.NormalizedUnit).HasMaxLength(8);
        builder.Property(l => l.Incoterm).HasMaxLength(3).IsFixedLength();
        builder.Property(l => l.NamedPlace).HasMaxLength(120);
        builder.Property(l => l.DeliveryMode).HasConversion<string>().HasMaxLength(16);
        builder.Property(l => l.Packaging).HasMaxLength(32);
        builder.Property(l => l.Version).IsConcurrencyToken();
        builder.HasOne(l => l.Organization).WithMany().HasForeignKey(l => l.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(l => l.Category).WithMany().HasForeignKey(l => l.CategoryId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(l => l.Files).WithOne().HasForeignKey(f => f.ListingId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(l => new { l.OrganizationId, l.CreatedAt });
        builder.HasIndex(l => new { l.Status, l.ValidUntil });
        builder.Ignore(l => l.Price);
    }
}

sealed class ListingPriceChangeConfiguration : IEntityTypeConfiguration<ListingPriceChange>
{
    public void Configure(EntityTypeBuilder<ListingPriceChange> builder)
    {
        builder.Property(p => p.Currency).HasMaxLength(3).IsFixedLength();
        builder.Property(p => p.Unit).HasMaxLength(8);
        builder.HasOne<Listing>().WithMany().HasForeignKey(p => p.ListingId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(p => new { p.ListingId, p.ChangedAt });
    }
}

sealed class ListingFileConfiguration : IEntityTypeConfiguration<ListingFile>
{
    public void Configure(EntityTypeBuilder<ListingFile> builder)
    {
        builder.Property(f => f.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(f => f.FileName).HasMaxLength(255);
        builder.Property(f => f.ContentType).HasMaxLength(100);
        builder.Property(f => f.Sha256).HasMaxLength(64);
    }
}
