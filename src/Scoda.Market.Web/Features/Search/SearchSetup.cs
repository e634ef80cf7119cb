using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scoda.Market.Search;
using Scoda.Market.Search.Embedded;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.BuyRequests;
using Scoda.Market.Web.Infrastructure.Commands;
using Scoda.Market.Web.Infrastructure.Storage;
using Scoda.Market.Web.Infrastructure.Outbox;

namespace Scoda.Market.Web.Features.Search;

public enum SearchProvider
{
    Embedded,
    Elasticsearch,
}

/// <summary><c>Search:*</c> settings.</summary>
public sealed class SearchOptions
{
    public const string Section = "Search";

    public SearchProvider Provider { get; set; } = SearchProvider.Embedded;
    public ElasticsearchSettings Elasticsearch { get; set; } = new();

    public sealed class ElasticsearchSettings
    {
        public string? Url { get; set; }
        public string? ApiKey { get; set; }
        public string IndexPrefix { get; set; } = "scoda-listings";
    }
}

public static class SearchSetup
{
    public static IHostApplicationBuilder AddSearch(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(SearchOptions.Section).Get<SearchOptions>() ?? new SearchOptions();
        builder.Services.AddSingleton(options);
        switch (options.Provider)
        {
            case SearchProvider.Embedded:
                builder.Services.AddSingleton<IListingIndex>(s => new EmbeddedListingIndex(s.GetRequiredService<DataFolder>().Folder("search")));
                break;
            case SearchProvider.Elasticsearch:
                builder.AddElasticsearchIndex(options.Elasticsearch);
                break;
            default:
                throw new InvalidOperationException($"Unknown Search:Provider '{options.Provider}'. Use Embedded or Elasticsearch.");
        }
        builder.Services.AddScoped<ListingDocuments>();
        builder.Services.AddScoped<SavedSearchAlerts>();
        builder.Services.AddSingleton<SearchIndexer>();
        builder.Services.AddHostedService<SearchIndexBootstrap>();
        builder.Services.AddHostedService(s => s.GetRequiredService<SearchIndexer>());
        builder.Services.AddHostCommand<ReindexCommand>();
        builder.Services.AddHealthChecks().AddCheck<SearchHealthCheck>("search", tags: ["ready"]);
        return builder;
    }
}

/// <summary>
/// Creates the index at start-up (idempotent). An empty index beside a database with published listings (a new index
/// format, a lost data folder, a new Elasticsearch cluster) is refilled through the outbox. A cluster that does not
/// answer yet does not stop the host: it keeps trying in the background while <c>/health/ready</c> says the index is
/// down, and the outbox holds every change until it answers.
/// </summary>
sealed partial class SearchIndexBootstrap(IListingIndex index, IServiceScopeFactory scopes, TimeProvider clock, ILogger<SearchIndexBootstrap> logger)
    : BackgroundService
{
    static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(5);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await TryBootstrapAsync(cancellationToken))
        {
            return;
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        do
        {
            await Task.Delay(RetryEvery, clock, stoppingToken);
        }
        while (!await TryBootstrapAsync(stoppingToken));
    }

    async Task<bool> TryBootstrapAsync(CancellationToken ct)
    {
        try
        {
            await BootstrapAsync(ct);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnavailable(logger, index.Backend, RetryEvery.TotalSeconds, ex);
            return false;
        }
    }

    async Task BootstrapAsync(CancellationToken ct)
    {
        await index.EnsureCreatedAsync(ct);
        if ((await index.StatsAsync(ct)).Documents > 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
        var sellers = await db.Listings.Where(l => l.Status == Listings.ListingStatus.Published).Select(l => l.OrganizationId).Distinct().ToListAsync(ct);
        if (sellers.Count == 0 || await db.OutboxMessages.AnyAsync(m => m.ProcessedAt == null, ct))
        {
            return;
        }
        var now = clock.GetUtcNow();
        db.OutboxMessages.AddRange(sellers.Select(s => new OutboxMessage { Topic = OutboxTopics.Seller, EntityId = s, CreatedAt = now }));
        await db.SaveChangesAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Backend} search index cannot be prepared; trying again every {Seconds} s.")]
    static partial void LogUnavailable(ILogger logger, string backend, double seconds, Exception exception);
}

/// <summary>Ready when the index answers; degraded when indexing lags more than a minute behind the database.</summary>
sealed class SearchHealthCheck(IListingIndex index, MarketDbContext db, TimeProvider clock) : IHealthCheck
{
    public static readonly TimeSpan AcceptableLag = TimeSpan.FromMinutes(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IndexStats stats;
        try
        {
            stats = await index.StatsAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The {index.Backend} search index does not answer.", ex);
        }
        var oldest = await db.OutboxMessages.Where(m => m.ProcessedAt == null).OrderBy(m => m.Id).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        var pending = await db.OutboxMessages.CountAsync(m => m.ProcessedAt == null, cancellationToken);
        var lag = oldest is { } o ? clock.GetUtcNow() - o : TimeSpan.Zero;
        var data = new Dictionary<string, object>
        {
            ["backend"] = stats.Backend, ["index"] = stats.IndexName, ["documents"] = stats.Documents, ["storedQueries"] = stats.StoredQueries,
            ["pendingChanges"] = pending, ["lagSeconds"] = Math.Round(lag.TotalSeconds, 1),
        };
        return lag <= AcceptableLag
            ? HealthCheckResult.Healthy($"{stats.Backend} index is {lag.TotalSeconds:0} s behind.", data)
            : HealthCheckResult.Degraded($"{stats.Backend} index is {lag.TotalSeconds:0} s behind the database.", data: data);
    }
}

/// <summary>
/// <c>reindex</c>: builds a complete new index from the database and swaps it in (alias swap or file switch); searches
/// keep answering from the old one meanwhile. Changes made during the rebuild are replayed into the new index.
/// </summary>
sealed class ReindexCommand(IListingIndex index, IServiceScopeFactory scopes) : IHostCommand
{
    public string Name => "reindex";
    public string Usage => "reindex";
    public string Summary => "Rebuild the search index from the database and swap it in without downtime, then exit.";

    public async Task<int> RunAsync(IReadOnlyList<string> args, IServiceProvider services, CancellationToken ct)
    {
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        await index.EnsureCreatedAsync(ct);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
        var mark = await db.OutboxMessages.MaxAsync(m => (long?)m.Id, ct) ?? 0;
        var count = 0;
        var started = System.Diagnostics.Stopwatch.StartNew();
        await index.RebuildAsync(async (fresh, token) =>
        {
            await foreach (var page in scope.ServiceProvider.GetRequiredService<ListingDocuments>().AllPublishedAsync(1000, token))
            {
                await fresh.UpsertAsync(page, token);
                count += page.Count;
            }
        }, ct);
        // Whatever changed while the new index was filling went into the old one: apply it again to the new one.
        var replayed = await db.OutboxMessages.Where(m => m.Id > mark).ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAt, (DateTimeOffset?)null), ct);
        Console.WriteLine($"Reindexed {count} published listings into a new {index.Backend} index in {started.Elapsed.TotalSeconds:0.0} s; {replayed} later changes queued for it.");
        return 0;
    }
}
