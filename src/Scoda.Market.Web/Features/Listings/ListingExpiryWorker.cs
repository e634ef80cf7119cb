using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;

namespace Scoda.Market.Web.Features.Listings;

/// <summary>Expires published and paused listings once their <c>validUntil</c> has passed.</summary>
public sealed partial class ListingExpiryWorker(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ListingExpiryWorker> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass; returns how many listings expired.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
        var now = clock.GetUtcNow();
        var expired = await db.Listings
            .Where(l => (l.Status == ListingStatus.Published || l.Status == ListingStatus.Paused) && l.ValidUntil <= now)
            .ExecuteUpdateAsync(s => s
                .SetProperty(l => l.Status, ListingStatus.Expired)
                .SetProperty(l => l.UpdatedAt, now)
                .SetProperty(l => l.Version, Guid.NewGuid()), ct);
        if (expired > 0)
        {
            LogExpired(logger, expired);
        }
        return expired;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Expired {Count} listings")]
    private static partial void LogExpired(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing expiry pass failed; retrying at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
