using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Workers;

namespace Scoda.Market.Web.Features.Listings;

/// <summary>Expires published and paused listings once their <c>validUntil</c> has passed.</summary>
public sealed class ListingExpiryWorker(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ListingExpiryWorker> logger)
    : PeriodicWorker(clock, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(1);

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
        var now = Clock.GetUtcNow();
        // Tracked changes, not ExecuteUpdate: SaveChanges writes the search outbox rows in the same transaction.
        var due = await db.Listings
            .Where(l => (l.Status == ListingStatus.Published || l.Status == ListingStatus.Paused) && l.ValidUntil <= now)
            .OrderBy(l => l.ValidUntil).Take(500).ToListAsync(ct);
        foreach (var listing in due)
        {
            listing.Status = ListingStatus.Expired;
            listing.UpdatedAt = now;
            listing.Version = Guid.NewGuid();
        }
        await db.SaveChangesAsync(ct);
        return due.Count;
    }
}
