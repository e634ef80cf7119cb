using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.FxRates;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.Listings;

/// <summary>Keeps each listing's normalized USD/CNY price per tonne (or m3) in step with its price and the FX rates.</summary>
[FeatureContract]
public static class ListingPricing
{
    public static void Apply(Listing listing, FxTable rates)
    {
        var normalized = rates.Normalize(listing.Price, listing.NormalizedUnit);
        listing.NormalizedPriceUsd = normalized?.Usd;
        listing.NormalizedPriceCny = normalized?.Cny;
    }

    /// <summary>Recomputes every listing not yet closed; returns how many changed. Runs inside the caller's transaction.</summary>
    public static async Task<int> RepriceAllAsync(MarketDbContext db, FxTable rates, CancellationToken ct)
    {
        var changed = 0;
        var listings = await db.Listings.Where(l => l.Status != ListingStatus.Closed).ToListAsync(ct);
        foreach (var listing in listings)
        {
            var (usd, cny) = (listing.NormalizedPriceUsd, listing.NormalizedPriceCny);
            Apply(listing, rates);
            if (usd != listing.NormalizedPriceUsd || cny != listing.NormalizedPriceCny)
            {
                changed++;
            }
        }
        await db.SaveChangesAsync(ct);
        return changed;
    }
}
