using Microsoft.EntityFrameworkCore;

namespace Scoda.Market.Web.Features.Inventory;

/// <summary>A listing's stock over all its warehouses (null unit: no stock recorded).</summary>
public sealed record StockTotal(Guid ListingId, decimal OnHand, decimal Reserved, decimal Available, string? Unit);

public sealed partial class StockLedger
{
    /// <summary>On hand, reserved and available stock of the listing, summed over its lots (they share the listing's unit).</summary>
    public async Task<StockTotal> TotalOfAsync(Guid listingId, CancellationToken ct)
    {
        var lots = await db.StockLots.AsNoTracking().Where(l => l.ListingId == listingId).Select(l => new { l.OnHand, l.Reserved, l.Unit }).ToListAsync(ct);
        return new StockTotal(listingId, lots.Sum(l => l.OnHand), lots.Sum(l => l.Reserved), lots.Sum(l => l.OnHand - l.Reserved), lots.FirstOrDefault()?.Unit);
    }
}
