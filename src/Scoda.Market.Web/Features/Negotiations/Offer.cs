using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Negotiations;

public enum OfferStatus
{
    Open,
    Countered,
    Withdrawn,
    Declined,
    Expired,
    Accepted,
}

public sealed record DeliveryWindow(DateOnly From, DateOnly To);

/// <summary>
/// The contract terms one side proposes. Frozen once stored: a change is a new offer (a counter), and an accepted
/// offer's terms are copied into the deal as they are.
/// </summary>
public sealed record TermSheet(
    UnitPrice Price,
    Quantity Quantity,
    decimal TolerancePercent,
    string Incoterm,
    string NamedPlace,
    string DeliveryMode,
    DeliveryWindow DeliveryWindow,
    string PaymentTerms,
    string? InspectionBody,
    SpecValues Specs,
    Guid? SourceWarehouseId)
{
    /// <summary>The fields a counter changed, with their old and new values as display text.</summary>
    public IReadOnlyList<TermChange> ChangesFrom(TermSheet previous)
    {
        var changes = new List<TermChange>();
        void Compare(string field, string? before, string? after)
        {
            if (!string.Equals(before, after, StringComparison.Ordinal))
            {
                changes.Add(new TermChange(field, before, after));
            }
        }
        Compare("price", Show(previous.Price), Show(Price));
        Compare("quantity", Show(previous.Quantity), Show(Quantity));
        Compare("tolerancePercent", Show(previous.TolerancePercent), Show(TolerancePercent));
        Compare("incoterm", previous.Incoterm, Incoterm);
        Compare("namedPlace", previous.NamedPlace, NamedPlace);
        Compare("deliveryMode", previous.DeliveryMode, DeliveryMode);
        Compare("deliveryWindow", Show(previous.DeliveryWindow), Show(DeliveryWindow));
        Compare("paymentTerms", previous.PaymentTerms, PaymentTerms);
        Compare("inspectionBody", previous.InspectionBody, InspectionBody);
        foreach (var key in previous.Specs.Keys.Union(Specs.Keys).Order(StringComparer.Ordinal))
        {
            Compare($"specs.{key}", previous.Specs.GetValueOrDefault(key), Specs.GetValueOrDefault(key));
        }
        Compare("sourceWarehouseId", previous.SourceWarehouseId?.ToString(), SourceWarehouseId?.ToString());
        return changes;
    }

    static string Show(decimal value) => Decimals.Normalize(value).ToString(CultureInfo.InvariantCulture);

    static string Show(UnitPrice price) => $"{Show(price.Amount)} {price.Currency}/{price.Unit}";

    static string Show(Quantity quantity) => $"{Show(quantity.Value)} {quantity.Unit}";

    static string Show(DeliveryWindow window) =>
        $"{window.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}..{window.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
}

public sealed record TermChange(string Field, string? From, string? To);

/// <summary>A term sheet put to the other side of a room; only that side may accept or decline it, while it is open.</summary>
public sealed class Offer
{
    public Guid Id { get; set; }
    public Guid RoomId { get; set; }
    public Side Side { get; set; }
    public Guid MadeBy { get; set; }
    public Guid? CounterToOfferId { get; set; }
    public OfferStatus Status { get; set; }
    public required TermSheet Terms { get; set; }
    public DateTimeOffset ValidUntil { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The room event that carried the offer.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }
}

sealed class OfferConfiguration : IEntityTypeConfiguration<Offer>
{
    public void Configure(EntityTypeBuilder<Offer> builder)
    {
        builder.Property(o => o.Side).HasConversion<string>().HasMaxLength(8);
        builder.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(o => o.Terms).HasJsonRecordConversion();
        builder.HasIndex(o => o.RoomId);
        builder.HasIndex(o => new { o.Status, o.ValidUntil });
        builder.HasOne<NegotiationRoom>().WithMany().HasForeignKey(o => o.RoomId).OnDelete(DeleteBehavior.Cascade);
    }
}
