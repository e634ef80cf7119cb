using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Scoda.Market.Web.Features.FxRates;

/// <summary>How many units of a currency one US dollar buys, as of a date. Admin-maintained; USD is 1 by definition.</summary>
public sealed class FxRate
{
    public required string Currency { get; set; }
    public decimal PerUsd { get; set; }
    public DateTimeOffset AsOf { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Guid? UpdatedBy { get; set; }
}

sealed class FxRateConfiguration : IEntityTypeConfiguration<FxRate>
{
    public void Configure(EntityTypeBuilder<FxRate> builder)
    {
        builder.HasKey(r => r.Currency);
        builder.Property(r => r.Currency).HasMaxLength(3).IsFixedLength();
    }
}
