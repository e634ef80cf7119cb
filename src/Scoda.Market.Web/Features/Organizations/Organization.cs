using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Scoda.Market.Web.Features.Organizations;

public enum OrganizationKind
{
    Exporter,
    Importer,
    Both,
}

public enum VerificationStatus
{
    Unverified,
    Pending,
    Verified,
    Rejected,
}

/// <summary>A company trading on the platform; owns listings, warehouses, buy requests and deals.</summary>
public sealed class Organization
{
    public Guid Id { get; set; }
    public required string Name { get; set; }

    /// <summary>The legal name in Russian and in Chinese where the company has one; the contract prints them under <see cref="Name"/>.</summary>
    public string? LegalNameRu { get; set; }
    public string? LegalNameZh { get; set; }
    public required string CountryCode { get; set; }
    public OrganizationKind Kind { get; set; }
    public required string RegistrationNumber { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public VerificationStatus VerificationStatus { get; set; }
    public string? VerificationNote { get; set; }
    public DateTimeOffset? VerificationRequestedAt { get; set; }
    public DateTimeOffset? VerificationDecidedAt { get; set; }
    public Guid? VerificationDecidedBy { get; set; }

    /// <summary>
    /// Accepting an offer whose total is above this amount (compared after FX normalization) needs a second Owner's
    /// approval; null: no threshold. Owners set it (PUT /api/organizations/{id}/settings).
    /// </summary>
    public decimal? ApprovalThresholdAmount { get; set; }
    public string? ApprovalThresholdCurrency { get; set; }

    public List<Membership> Members { get; set; } = [];
    public List<VerificationDocument> Documents { get; set; } = [];

    /// <summary>Concurrency token: two owners editing at once must not silently overwrite each other.</summary>
    public Guid Version { get; set; }

    public bool IsVerified => VerificationStatus == VerificationStatus.Verified;
}

sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.Property(o => o.Name).HasMaxLength(200);
        builder.Property(o => o.LegalNameRu).HasMaxLength(200);
        builder.Property(o => o.LegalNameZh).HasMaxLength(200);
        builder.Property(o => o.CountryCode).HasMaxLength(2).IsFixedLength();
        builder.Property(o => o.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(o => o.RegistrationNumber).HasMaxLength(64);
        builder.Property(o => o.VerificationStatus).HasConversion<string>().HasMaxLength(20);
        builder.Property(o => o.VerificationNote).HasMaxLength(2000);
        builder.Property(o => o.ApprovalThresholdCurrency).HasMaxLength(3);
        builder.Property(o => o.Version).IsConcurrencyToken();
        builder.HasIndex(o => new { o.CountryCode, o.RegistrationNumber }).IsUnique();
        builder.HasIndex(o => new { o.VerificationStatus, o.CreatedAt });
        builder.Ignore(o => o.IsVerified);
    }
}
