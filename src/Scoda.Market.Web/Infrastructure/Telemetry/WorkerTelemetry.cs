using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Scoda.Market.Web.Infrastructure.Telemetry;

/// <summary>
/// Passes of the periodic background workers: a duration histogram and an item counter for every pass, and a span for
/// a pass that handled something or failed. Idle passes (the search indexer polls every second) get no span, so they
/// do not bury request traces; the span is written after the pass with its real start time.
/// </summary>
public static class WorkerTelemetry
{
    static readonly Histogram<double> PassDuration = MarketTelemetry.Meter.CreateHistogram<double>(
        "market.worker.pass.duration", "s", "Duration of one pass of a background worker.");

    static readonly Counter<long> Items = MarketTelemetry.Meter.CreateCounter<long>(
        "market.worker.items", "{item}", "Items handled by background worker passes.");

    static readonly Counter<long> Failures = MarketTelemetry.Meter.CreateCounter<long>(
        "market.worker.failures", "{pass}", "Background worker passes that failed (retried at the next tick).");

    public static void Passed(string worker, long startedTimestamp, int handled)
    {
        var tags = new TagList { { "market.worker", worker }, { "market.worker.outcome", "ok" } };
        PassDuration.Record(MarketTelemetry.SecondsSince(startedTimestamp), tags);
        if (handled > 0)
        {
            Items.Add(handled, new KeyValuePair<string, object?>("market.worker", worker));
            using var span = StartSpan(worker, startedTimestamp);
            span?.SetTag("market.worker.items", handled);
        }
    }

    public static void Failed(string worker, long startedTimestamp, Exception exception)
    {
        var tags = new TagList { { "market.worker", worker }, { "market.worker.outcome", "error" }, { "error.type", exception.GetType().FullName } };
        PassDuration.Record(MarketTelemetry.SecondsSince(startedTimestamp), tags);
        Failures.Add(1, new KeyValuePair<string, object?>("market.worker", worker));
        using var span = StartSpan(worker, startedTimestamp);
        MarketTelemetry.Fail(span, exception);
    }

    // Span times are wall-clock times, not the injected clock (tests move that one by hand).
    static Activity? StartSpan(string worker, long startedTimestamp) =>
        MarketTelemetry.Source.StartActivity($"worker {worker}", ActivityKind.Internal, parentContext: default,
            tags: [new("market.worker", worker)], startTime: DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(startedTimestamp));
}
