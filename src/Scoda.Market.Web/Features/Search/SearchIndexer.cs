using Microsoft.EntityFrameworkCore;
using Scoda.Market.Search;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.BuyRequests;
using Scoda.Market.Web.Infrastructure.Telemetry;
using Scoda.Market.Web.Infrastructure.Workers;
using Scoda.Market.Web.Infrastructure.Outbox;

namespace Scoda.Market.Web.Features.Search;

/// <summary>
/// Applies the outbox to the search index in batches: published listings are (re)indexed and percolated against buy
/// requests, others removed; buy requests store or drop their standing query. A failed batch, or the items the back end
/// refused, are retried with exponential back-off; nothing is marked done before the index has it.
/// </summary>
public sealed partial class SearchIndexer(IServiceScopeFactory scopes, TimeProvider clock, ILogger<SearchIndexer> logger) : PeriodicWorker(clock, logger)
{
    public const int BatchSize = 500;
    static readonly TimeSpan KeepProcessed = TimeSpan.FromDays(7);
    readonly SemaphoreSlim _oneAtATime = new(1, 1);

    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    /// <summary>Runs passes until the outbox is empty (or only holds items waiting for a retry).</summary>
    public async Task<int> DrainAsync(CancellationToken ct)
    {
        var total = 0;
        int handled;
        while ((handled = await RunOnceAsync(ct)) > 0)
        {
            total += handled;
        }
        return total;
    }

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await _oneAtATime.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
            var now = Clock.GetUtcNow();
            var batch = await db.OutboxMessages
                .Where(m => m.ProcessedAt == null && (m.NextAttemptAt == null || m.NextAttemptAt <= now))
                .OrderBy(m => m.Id).Take(BatchSize).ToListAsync(ct);
            if (batch.Count == 0)
            {
                await db.OutboxMessages.Where(m => m.ProcessedAt != null && m.ProcessedAt < now - KeepProcessed).ExecuteDeleteAsync(ct);
                return 0;
            }
            IReadOnlySet<Guid> failed;
            try
            {
                failed = await ApplyAsync(scope.ServiceProvider, db, batch, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogBatchFailed(logger, ex, batch.Count);
                foreach (var message in batch)
                {
                    Retry(message, now, ex.Message);
                }
                await db.SaveChangesAsync(ct);
                return 0;
            }
            foreach (var message in batch)
            {
                if (failed.Contains(message.EntityId))
                {
                    Retry(message, now, "the search back end refused the document");
                }
                else
                {
                    message.ProcessedAt = now;
                }
            }
            await db.SaveChangesAsync(ct);
            SearchTelemetry.RecordIndexed(batch.Where(m => m.ProcessedAt == now), now);
            return batch.Count;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    static async Task<IReadOnlySet<Guid>> ApplyAsync(IServiceProvider services, MarketDbContext db, List<OutboxMessage> batch, CancellationToken ct)
    {
        var index = services.GetRequiredService<IListingIndex>();
        var matchmaker = services.GetRequiredService<Matchmaker>();
        var listingIds = batch.Where(m => m.Topic == OutboxTopics.Listing).Select(m => m.EntityId).ToHashSet();
        var sellers = batch.Where(m => m.Topic == OutboxTopics.Seller).Select(m => m.EntityId).ToList();
        if (sellers.Count > 0)
        {
            listingIds.UnionWith(await db.Listings.Where(l => sellers.Contains(l.OrganizationId)).Select(l => l.Id).ToListAsync(ct));
        }

        var documents = await services.GetRequiredService<ListingDocuments>().BuildAsync(listingIds, ct);
        var failed = (await index.UpsertAsync(documents, ct)).ToHashSet();
        var gone = listingIds.Except(documents.Select(d => d.Id)).ToList();
        if (gone.Count > 0)
        {
            await index.DeleteAsync(gone, ct);
            foreach (var id in gone)
            {
                await matchmaker.ForgetListingAsync(id, ct);
            }
        }
        foreach (var document in documents.Where(d => !failed.Contains(d.Id)))
        {
            // Stored queries are buy requests' and saved searches': each side picks out its own ids.
            var stored = await index.PercolateAsync(document, ct);
            if (stored.Count > 0)
            {
                await matchmaker.MatchListingAsync(document, stored, ct);
                await services.GetRequiredService<SavedSearchAlerts>().MatchListingAsync(document, stored, ct);
            }
        }
        foreach (var message in batch.Where(m => m.Topic == OutboxTopics.BuyRequest))
        {
            await matchmaker.MatchBuyRequestAsync(message.EntityId, ct);
        }
        // A seller message is done when all its listings are; report it failed if any of them failed.
        var failedSellers = failed.Count == 0 ? [] : await db.Listings.Where(l => failed.Contains(l.Id)).Select(l => l.OrganizationId).ToListAsync(ct);
        return failed.Concat(failedSellers).ToHashSet();
    }

    static void Retry(OutboxMessage message, DateTimeOffset now, string error)
    {
        message.Attempts++;
        message.LastError = error.Length > 1000 ? error[..1000] : error;
        message.NextAttemptAt = now + TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, message.Attempts)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Search indexing batch of {Count} failed; retrying with back-off")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);
}
