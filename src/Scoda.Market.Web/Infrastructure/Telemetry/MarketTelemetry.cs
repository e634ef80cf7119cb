using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Scoda.Market.Web.Infrastructure.Telemetry;

/// <summary>
/// The product's own trace source and meter (hubs, search, workers, SQLite commands). Both are static, as the runtime's
/// own sources are: with no listener attached (no OTLP endpoint) starting an activity returns null and recording a
/// measurement returns at once, so code can instrument unconditionally.
/// </summary>
public static class MarketTelemetry
{
    public const string Name = "Scoda.Market";

    public static readonly ActivitySource Source = new(Name, typeof(MarketTelemetry).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(Name, typeof(MarketTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Seconds since <paramref name="startedTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/>), as OpenTelemetry histograms want durations.</summary>
    internal static double SecondsSince(long startedTimestamp) => Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds;

    /// <summary>Marks a span failed the way the OpenTelemetry conventions say: status Error and an <c>error.type</c>.</summary>
    internal static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
        activity.AddException(exception);
    }
}
