using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Listings;

/// <summary>
/// A listing as a live session shows it (featured, pinned): what it is, its price and terms, and its seller with the
/// seller's country and verification, which decide whether an ambassador may feature it.
/// </summary>
public sealed record ListingShowcase(
    Guid Id,
    ListingStatus Status,
    LocalizedText Title,
    Guid CategoryId,
    string CategoryKey,
    string CategoryPath,
    string? CommodityUnit,
    IReadOnlyDictionary<string, string> Specs,
    PriceResponse Price,
    NormalizedPriceResponse? NormalizedPrice,
    decimal? NormalizedPriceUsd,
    decimal Quantity,
    string QuantityUnit,
    decimal MinOrder,
    string MinOrderUnit,
    string Incoterm,
    string NamedPlace,
    DeliveryMode DeliveryMode,
    IReadOnlyList<string> PaymentTerms,
    int LeadTimeDays,
    string OriginCountry,
    SellerResponse Seller)
{
    public string DisplayTitle => Title.GetValueOrDefault("en") ?? Title.GetValueOrDefault("ru") ?? Title.Values.FirstOrDefault() ?? "a listing";
}

public sealed partial class ListingFacts
{
    /// <summary>The listings of <paramref name="listingIds"/> that exist (any status), with their sellers.</summary>
    public async Task<IReadOnlyList<ListingShowcase>> ShowcaseAsync(IReadOnlyCollection<Guid> listingIds, CancellationToken ct)
    {
        var rows = await db.Listings.AsNoTracking().Where(l => listingIds.Contains(l.Id))
            .Select(l => new { Listing = l, l.Category!.Key, l.Category.Path, l.Category.Unit }).ToListAsync(ct);
        var sellers = await directory.FactsAsync(rows.Select(r => r.Listing.OrganizationId).Distinct().ToList(), ct);
        return rows.Select(r => new ListingShowcase(
            r.Listing.Id, r.Listing.Status, r.Listing.Title, r.Listing.CategoryId, r.Key, r.Path, r.Unit, r.Listing.Specs,
            new PriceResponse(r.Listing.PriceAmount, r.Listing.PriceCurrency, r.Listing.PriceUnit),
            NormalizedPriceResponse.Of(r.Listing.NormalizedPriceUsd, r.Listing.NormalizedPriceCny, r.Listing.NormalizedUnit), r.Listing.NormalizedPriceUsd,
            r.Listing.Quantity, r.Listing.QuantityUnit, r.Listing.MinOrder, r.Listing.MinOrderUnit, r.Listing.Incoterm, r.Listing.NamedPlace,
            r.Listing.DeliveryMode, r.Listing.PaymentTerms, r.Listing.LeadTimeDays, r.Listing.OriginCountry, SellerOf(sellers[r.Listing.OrganizationId]))).ToList();
    }

    /// <summary>Published listings of the country's verified organizations, oldest first (what a session for that country may feature).</summary>
    public async Task<IReadOnlyList<Guid>> FeaturableAsync(string countryCode, int limit, CancellationToken ct)
    {
        var sellers = organizations.VerifiedIn(countryCode);
        return await db.Listings.AsNoTracking().Where(l => l.Status == ListingStatus.Published && sellers.Contains(l.OrganizationId))
            .OrderBy(l => l.CreatedAt).ThenBy(l => l.Id).Select(l => l.Id).Take(limit).ToListAsync(ct);
    }

    static SellerResponse SellerOf(OrganizationFacts o) => new(o.Id, o.Name, o.CountryCode, o.Verified);
}
