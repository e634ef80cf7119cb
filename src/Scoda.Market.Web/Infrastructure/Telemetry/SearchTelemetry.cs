using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Search;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Outbox;

namespace Scoda.Market.Web.Infrastructure.Telemetry;

/// <summary>
/// Search measurements: the latency of queries against the index (<see cref="InstrumentedListingIndex"/>), the indexing
/// lag of each applied outbox change (from the change's commit to the index having it), and the outbox as it stands
/// (<see cref="OutboxGauges"/>).
/// </summary>
public static class SearchTelemetry
{
    internal static readonly Histogram<double> QueryDuration = MarketTelemetry.Meter.CreateHistogram<double>(
        "market.search.query.duration", "s", "Duration of search queries against the index.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    static readonly Histogram<double> IndexingLag = MarketTelemetry.Meter.CreateHistogram<double>(
        "market.search.indexing.lag", "s", "Time from a change entering the outbox to the index having it.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600] });

    /// <summary>Records the lag of the outbox messages a pass applied (those marked processed at <paramref name="now"/>).</summary>
    public static void RecordIndexed(IEnumerable<OutboxMessage> applied, DateTimeOffset now)
    {
        if (!IndexingLag.Enabled)
        {
            return;
        }
        foreach (var message in applied)
        {
            IndexingLag.Record((now - message.CreatedAt).TotalSeconds, new KeyValuePair<string, object?>("market.outbox.topic", message.Topic));
        }
    }
}

/// <summary>
/// Spans and latency for the search port. A decorator, so both back ends (embedded and Elasticsearch) are measured the
/// same way and neither knows about telemetry; registered only when telemetry is on.
/// </summary>
sealed class InstrumentedListingIndex(IListingIndex inner) : IListingIndex
{
    public string Backend => inner.Backend;

    public Task EnsureCreatedAsync(CancellationToken ct = default) => inner.EnsureCreatedAsync(ct);

    public Task<IReadOnlyList<Guid>> UpsertAsync(IReadOnlyList<ListingDocument> documents, CancellationToken ct = default) =>
        TraceAsync("search.upsert", span => span.SetTag("market.search.documents", documents.Count), () => inner.UpsertAsync(documents, ct));

    public Task DeleteAsync(IReadOnlyList<Guid> ids, CancellationToken ct = default) =>
        TraceAsync("search.delete", span => span.SetTag("market.search.documents", ids.Count), async () =>
        {
            await inner.DeleteAsync(ids, ct);
            return true;
        });

    public async Task<SearchPage> SearchAsync(ListingQuery query, CancellationToken ct = default)
    {
        var started = Stopwatch.GetTimestamp();
        var tags = new TagList { { "market.search.backend", inner.Backend }, { "market.search.sort", query.Sort.ToString() } };
        try
        {
            return await TraceAsync("search.query", span =>
            {
                span.SetTag("market.search.has_text", query.Text is not null);
                span.SetTag("market.search.sort", query.Sort.ToString());
            }, () => inner.SearchAsync(query, ct));
        }
        catch (Exception ex)
        {
            tags.Add("error.type", ex.GetType().FullName);
            throw;
        }
        finally
        {
            SearchTelemetry.QueryDuration.Record(MarketTelemetry.SecondsSince(started), tags);
        }
    }

    public Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct = default) =>
        TraceAsync("search.suggest", _ => { }, () => inner.SuggestAsync(prefix, limit, ct));

    public Task<string?> SuggestSpellingAsync(string text, CancellationToken ct = default) =>
        TraceAsync("search.spelling", _ => { }, () => inner.SuggestSpellingAsync(text, ct));

    public Task StoreQueryAsync(StoredQuery query, CancellationToken ct = default) => inner.StoreQueryAsync(query, ct);

    public Task DeleteQueryAsync(Guid id, CancellationToken ct = default) => inner.DeleteQueryAsync(id, ct);

    public Task<IReadOnlyList<Guid>> PercolateAsync(ListingDocument document, CancellationToken ct = default) =>
        TraceAsync("search.percolate", _ => { }, () => inner.PercolateAsync(document, ct));

    public Task RebuildAsync(Func<IListingIndex, CancellationToken, Task> fill, CancellationToken ct = default) => inner.RebuildAsync(fill, ct);

    public Task<IndexStats> StatsAsync(CancellationToken ct = default) => inner.StatsAsync(ct);

    async Task<T> TraceAsync<T>(string name, Action<Activity> describe, Func<Task<T>> call)
    {
        using var span = MarketTelemetry.Source.StartActivity(name, ActivityKind.Internal);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("market.search.backend", inner.Backend);
            describe(span);
        }
        try
        {
            return await call();
        }
        catch (Exception ex)
        {
            MarketTelemetry.Fail(span, ex);
            throw;
        }
    }
}

/// <summary>
/// The search outbox as observable gauges: pending changes and the age of the oldest one (the indexing lag as it
/// stands, which keeps growing while the index is down, when no pass applies anything). Read from the database only
/// when a metric reader collects (once per export interval), with a per-host meter so a stopped host stops reporting.
/// </summary>
sealed class OutboxGauges : IDisposable
{
    readonly Meter _meter;

    public OutboxGauges(IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider clock)
    {
        _meter = meters.Create(MarketTelemetry.Name);
        _meter.CreateObservableGauge("market.search.outbox.depth", () => Read(scopes, clock).Depth, "{change}",
            "Search outbox changes not yet applied to the index.");
        _meter.CreateObservableGauge("market.search.outbox.oldest_age", () => Read(scopes, clock).OldestAge, "s",
            "Age of the oldest search outbox change not yet applied.");
    }

    // Both gauges are collected together; one read serves both within the same collection.
    (long Depth, double OldestAge) _last;
    long _lastReadAt;

    (long Depth, double OldestAge) Read(IServiceScopeFactory scopes, TimeProvider clock)
    {
        if (Stopwatch.GetElapsedTime(_lastReadAt) < TimeSpan.FromSeconds(1))
        {
            return _last;
        }
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
            var pending = db.OutboxMessages.Where(m => m.ProcessedAt == null);
            var depth = pending.LongCount();
            var oldest = pending.OrderBy(m => m.Id).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefault();
            _last = (depth, oldest is { } at ? Math.Max(0, (clock.GetUtcNow() - at).TotalSeconds) : 0);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // The database is down: report nothing new rather than break the export of every other metric.
        }
        _lastReadAt = Stopwatch.GetTimestamp();
        return _last;
    }

    public void Dispose() => _meter.Dispose();
}
