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
        return await db.Listings
            .Where(l => (l.Status == ListingStatus.Published || l.Status == ListingStatus.Paused) && l.ValidUntil <= now)
            .ExecuteUpdateAsync(s => s
                .SetProperty(l => l.Status, ListingStatus.Expired)
                .SetProperty(l => l.UpdatedAt, now)
                .SetProperty(l => l.Version, Guid.NewGuid()), ct);
    }
}
