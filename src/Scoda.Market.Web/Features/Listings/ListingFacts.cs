using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Listings;

/// <summary>
/// What a negotiation checks an offer against: the listing's quantities, delivery mode and its commodity's unit and
/// spec schema.
/// </summary>
public sealed record ListingTerms(
    Guid Id, Guid SellerId, ListingStatus Status, LocalizedText Title, decimal Quantity, string QuantityUnit, decimal MinOrder, string MinOrderUnit,
    DeliveryMode DeliveryMode, string? CommodityUnit, SpecSchema Specs)
{
    public static ListingTerms Of(Listing listing, Category category) => new(
        listing.Id, listing.OrganizationId, listing.Status, listing.Title, listing.Quantity, listing.QuantityUnit, listing.MinOrder, listing.MinOrderUnit,
        listing.DeliveryMode, category.Unit, category.Specs);

    /// <summary>The title in English, else Russian, else any language the seller gave.</summary>
    public string DisplayTitle =>
        Title.GetValueOrDefault("en") ?? Title.GetValueOrDefault("ru") ?? Title.Values.FirstOrDefault() ?? "a listing";
}

/// <summary>The commodity a listing sells, as a contract names it: title, category (names in every language), HS code and spec schema.</summary>
public sealed record ListingCommodity(LocalizedText Title, string CategoryKey, LocalizedText CategoryName, string? HsCode, SpecSchema Specs);

/// <summary>
/// What other features may know about listings, and who may see one: published listings are public, anything else
/// only the seller's members see. Listings' tables are read by others only through here.
/// </summary>
[FeatureContract]
public sealed partial class ListingFacts(MarketDbContext db, OrganizationAccess organizations, OrganizationDirectory directory)
{
    /// <summary>Whether the caller of this request may see the listing (false when there is none).</summary>
    public async Task<bool> IsReadableAsync(Guid listingId, CancellationToken ct)
    {
        var listing = await db.Listings.AsNoTracking().Where(l => l.Id == listingId).Select(l => new { l.Status, l.OrganizationId }).SingleOrDefaultAsync(ct);
        return listing is not null && await CanReadAsync(listing.Status, listing.OrganizationId, ct);
    }

    /// <summary>The listing's terms (any status); null when there is none.</summary>
    public async Task<ListingTerms?> TermsAsync(Guid listingId, CancellationToken ct) =>
        await db.Listings.AsNoTracking().Include(l => l.Category).SingleOrDefaultAsync(l => l.Id == listingId, ct) is { } listing
            ? ListingTerms.Of(listing, listing.Category!)
            : null;

    /// <summary>The listing's commodity (any status); null when there is none.</summary>
    public async Task<ListingCommodity?> CommodityAsync(Guid listingId, CancellationToken ct) =>
        await db.Listings.AsNoTracking().Where(l => l.Id == listingId)
            .Select(l => new ListingCommodity(l.Title, l.Category!.Key, l.Category.Name, l.Category.HsCode, l.Category.Specs)).SingleOrDefaultAsync(ct);

    /// <summary>Published listings are public; anything else only the seller's members see.</summary>
    public async Task<bool> CanReadAsync(ListingStatus status, Guid sellerId, CancellationToken ct) =>
        status == ListingStatus.Published || await organizations.IsMemberAsync(sellerId, ct);
}
