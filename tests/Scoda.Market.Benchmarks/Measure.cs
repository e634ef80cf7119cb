using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Scoda.Market.Benchmarks;

/// <summary>Latency percentiles and sequential throughput of one operation.</summary>
public sealed record Figures(double P50, double P95, double P99, double PerSecond)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{P50,7:0.00} {P95,7:0.00} {P99,7:0.00}");
}

public static class Measure
{
    /// <summary>Runs <paramref name="warmup"/> untimed calls, then <paramref name="iterations"/> timed ones, one after another.</summary>
    public static async Task<Figures> LatencyAsync(Func<Task> operation, int iterations, int warmup = 10)
    {
        for (var i = 0; i < warmup; i++)
        {
            await operation();
        }
        var samples = new double[iterations];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await operation();
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        total.Stop();
        Array.Sort(samples);
        return new Figures(Percentile(samples, 0.50), Percentile(samples, 0.95), Percentile(samples, 0.99), iterations / total.Elapsed.TotalSeconds);
    }

    static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>The 1, 5 and 15 minute load averages: how busy the shared machine was when a figure was taken.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    public static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores ({cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}), {memory:0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    }
}
