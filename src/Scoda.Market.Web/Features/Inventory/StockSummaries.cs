using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Inventory;

/// <summary>Stock of a listing over all warehouses, in the listing's unit.</summary>
public sealed record ListingStock(Guid ListingId, decimal OnHand, decimal Reserved, string Unit)
{
    public decimal Available => OnHand - Reserved;
}

/// <summary>Read-only stock totals for overview pages (the ledger itself stays in <see cref="StockLedger"/>).</summary>
[FeatureContract]
public sealed class StockSummaries(MarketDbContext db)
{
    /// <summary>Totals for the listings that have any stock lot; listings without lots are left out.</summary>
    public async Task<IReadOnlyDictionary<Guid, ListingStock>> OfListingsAsync(IReadOnlyCollection<Guid> listingIds, CancellationToken ct)
    {
        var rows = await db.StockLots.AsNoTracking().Where(l => listingIds.Contains(l.ListingId))
            .Select(l => new { l.ListingId, l.OnHand, l.Reserved, l.Unit }).ToListAsync(ct);
        return rows.GroupBy(r => r.ListingId).ToDictionary(g => g.Key, g => new ListingStock(
            g.Key, Decimals.Normalize(g.Sum(r => r.OnHand)), Decimals.Normalize(g.Sum(r => r.Reserved)), g.First().Unit));
    }
}
