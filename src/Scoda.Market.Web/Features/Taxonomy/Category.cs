using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.Taxonomy;

/// <summary>Text in several languages, keyed by ISO 639-1 code (en, ru, zh, kk, uz).</summary>
[FeatureContract]
public sealed class LocalizedText : Dictionary<string, string>
{
    public LocalizedText() : base(StringComparer.Ordinal) { }

    public LocalizedText(IDictionary<string, string> values) : base(values, StringComparer.Ordinal) { }

    public static readonly IReadOnlyList<string> Languages = ["en", "ru", "zh", "kk", "uz"];
}

/// <summary>One quality parameter of a commodity, as contracts quote it.</summary>
public sealed record SpecField(
    string Key, LocalizedText Label, string Type, string? Unit, decimal? Min, decimal? Max, bool Required, IReadOnlyList<string>? Options)
{
    public const string Number = "number";
    public const string Enum = "enum";
}

[FeatureContract]
public sealed class SpecSchema : List<SpecField>
{
    public SpecSchema() { }

    public SpecSchema(IEnumerable<SpecField> fields) : base(fields) { }
}

/// <summary>A node of the commodity taxonomy (Agriculture › Grains › Wheat). Leaves carry the HS code, unit and specs.</summary>
[FeatureContract] // reference data: every feature reads commodities; only Taxonomy changes them
public sealed class Category
{
    public Guid Id { get; set; }
    public required string Key { get; set; }
    public Guid? ParentId { get; set; }

    /// <summary>Keys from the root, slash-separated and slash-terminated, so "descendants of X" is a prefix match.</summary>
    public required string Path { get; set; }

    public LocalizedText Name { get; set; } = new();
    public string? HsCode { get; set; }
    public string? Unit { get; set; }
    public SpecSchema Specs { get; set; } = [];
    public int SortOrder { get; set; }

    public bool IsLeaf => HsCode is not null;

    /// <summary>Ids derive from keys, so every installation (and every test database) agrees on them.</summary>
    public static Guid IdFor(string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"scoda.market/category/{key}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5-style marker
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}

sealed class CategoryConfiguration : IEntityTypeConfiguration<Category>
{
    public void Configure(EntityTypeBuilder<Category> builder)
    {
        builder.Property(c => c.Key).HasMaxLength(64);
        builder.HasIndex(c => c.Key).IsUnique();
        builder.Property(c => c.Path).HasMaxLength(400);
        builder.HasIndex(c => c.Path);
        builder.Property(c => c.HsCode).HasMaxLength(6);
        builder.Property(c => c.Unit).HasMaxLength(8);
        builder.Property(c => c.Name).HasJsonConversion();
        builder.Property(c => c.Specs).HasJsonConversion();
        builder.HasOne<Category>().WithMany().HasForeignKey(c => c.ParentId).OnDelete(DeleteBehavior.Restrict);
        builder.Ignore(c => c.IsLeaf);
    }
}

/// <summary>Which version of a shipped reference data file (taxonomy, FX seed) the database holds.</summary>
public sealed class ReferenceDataRevision
{
    public required string Name { get; set; }
    public required string Checksum { get; set; }
    public DateTimeOffset AppliedAt { get; set; }
}

sealed class ReferenceDataRevisionConfiguration : IEntityTypeConfiguration<ReferenceDataRevision>
{
    public void Configure(EntityTypeBuilder<ReferenceDataRevision> builder)
    {
        builder.HasKey(r => r.Name);
        builder.Property(r => r.Name).HasMaxLength(64);
        builder.Property(r => r.Checksum).HasMaxLength(64);
    }
}
