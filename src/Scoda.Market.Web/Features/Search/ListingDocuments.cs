using Microsoft.EntityFrameworkCore;
using Scoda.Market.Search;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Taxonomy;

namespace Scoda.Market.Web.Features.Search;

/// <summary>Builds search documents from the database: only published listings become documents.</summary>
public sealed class ListingDocuments(MarketDbContext db)
{
    /// <summary>Documents for the published listings among <paramref name="ids"/>; the others should be removed from the index.</summary>
    public async Task<IReadOnlyList<ListingDocument>> BuildAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var listings = await db.Listings.AsNoTracking().Include(l => l.Organization).Include(l => l.Category)
            .Where(l => ids.Contains(l.Id) && l.Status == ListingStatus.Published)
            .ToListAsync(ct);
        return await ToDocumentsAsync(listings, ct);
    }

    /// <summary>Every published listing, in pages, for a rebuild.</summary>
    public async IAsyncEnumerable<IReadOnlyList<ListingDocument>> AllPublishedAsync(int pageSize, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        Guid? after = null;
        while (true)
        {
            var query = db.Listings.AsNoTracking().Include(l => l.Organization).Include(l => l.Category)
                .Where(l => l.Status == ListingStatus.Published);
            if (after is { } a)
            {
                query = query.Where(l => l.Id > a);
            }
            var page = await query.OrderBy(l => l.Id).Take(pageSize).ToListAsync(ct);
            if (page.Count == 0)
            {
                yield break;
            }
            yield return await ToDocumentsAsync(page, ct);
            after = page[^1].Id;
        }
    }

    async Task<IReadOnlyList<ListingDocument>> ToDocumentsAsync(List<Listing> listings, CancellationToken ct)
    {
        if (listings.Count == 0)
        {
            return [];
        }
        var ids = listings.Select(l => l.Id).ToList();
        var stock = await db.StockLots.AsNoTracking().Where(s => ids.Contains(s.ListingId))
            .Select(s => new { s.ListingId, s.OnHand, s.Reserved, s.Warehouse!.CountryCode })
            .ToListAsync(ct);
        return listings.Select(l =>
        {
            var lots = stock.Where(s => s.ListingId == l.Id).ToList();
            var path = l.Category!.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var specs = l.Category.Specs;
            return new ListingDocument
            {
                Id = l.Id,
                SellerId = l.OrganizationId,
                SellerName = l.Organization!.Name,
                SellerVerified = l.Organization.VerificationStatus == VerificationStatus.Verified,
                CategoryPath = path,
                // The commodity's own names in every language: a Russian or Chinese query finds an English-only listing.
                CategoryNames = l.Category.Name.Values.Distinct().ToList(),
                HsCode = l.HsCode,
                Headline = Headlines.Of(l.Category, l.Specs, l.OriginCountry, l.OriginRegion),
                Title = l.Title,
                Description = l.Description,
                OriginCountry = l.OriginCountry,
                OriginRegion = l.OriginRegion,
                Incoterm = l.Incoterm,
                NamedPlace = l.NamedPlace,
                WarehouseCountries = lots.Where(s => s.OnHand > 0).Select(s => s.CountryCode).Distinct().Order(StringComparer.Ordinal).ToList(),
                Certificates = l.Certificates,
                PriceUsd = l.NormalizedPriceUsd,
                PriceCny = l.NormalizedPriceCny,
                BasisUnit = l.NormalizedUnit,
                PriceAmount = l.PriceAmount,
                PriceCurrency = l.PriceCurrency,
                PriceUnit = l.PriceUnit,
                Quantity = l.Quantity,
                QuantityUnit = l.QuantityUnit,
                Available = lots.Sum(s => s.OnHand - s.Reserved),
                Reserved = lots.Sum(s => s.Reserved),
                NumericSpecs = l.Specs.Where(s => specs.Any(f => f.Key == s.Key && f.Type == SpecField.Number))
                    .ToDictionary(s => s.Key, s => decimal.Parse(s.Value, System.Globalization.CultureInfo.InvariantCulture)),
                TextSpecs = l.Specs.Where(s => specs.Any(f => f.Key == s.Key && f.Type == SpecField.Enum)).ToDictionary(s => s.Key, s => s.Value),
                PublishedAt = l.PublishedAt ?? l.UpdatedAt,
            };
        }).ToList();
    }
}
