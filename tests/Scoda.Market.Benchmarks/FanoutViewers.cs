using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Scoda.Market.Benchmarks;

/// <summary>
/// The viewers of the fan-out benchmark, in a process of their own (the benchmark starts this program again in this
/// role): <c>--count</c> connections, raw WebSockets or the official SignalR client on the live hub. It prints
/// <c>ready</c> once every viewer is connected (and joined), waits for <c>stop &lt;last&gt;</c> on its input, and answers
/// one JSON line with what the viewers saw. Event numbers carry the Stopwatch time they were due: on Linux that clock
/// is CLOCK_MONOTONIC, the same in every process of the machine, so latency can be read across the two processes.
/// </summary>
public static class FanoutViewers
{
    public const string Role = "fanout-viewers";

    public sealed record Report(int Viewers, int Connected, long Received, double P50, double P95, double P99, double Max,
        long Lost, long Duplicated, long OutOfOrder, int ViewersMissingSome, long Other, string? FirstError);

    /// <summary>What one viewer saw: event positions (raw: the number; hub: the session sequence) and latencies.</summary>
    sealed class Viewer
    {
        readonly object _gate = new();
        readonly HashSet<long> _seen = [];
        long _highest;

        public long From { get; set; }
        public List<double> Latencies { get; } = new(1024);
        public long Duplicated { get; private set; }
        public long OutOfOrder { get; private set; }
        public long Other { get; set; }

        public void Saw(long position, long dueAt, long receivedAt)
        {
            lock (_gate)
            {
                if (position <= From)
                {
                    return; // before the join's snapshot: not this run's
                }
                if (!_seen.Add(position))
                {
                    Duplicated++;
                    return;
                }
                if (position < _highest)
                {
                    OutOfOrder++;
                }
                _highest = Math.Max(_highest, position);
                if (dueAt > 0)
                {
                    Latencies.Add(Stopwatch.GetElapsedTime(dueAt, receivedAt).TotalMilliseconds);
                }
            }
        }

        public long Missing(long last)
        {
            lock (_gate)
            {
                return Math.Max(0, last - From) - _seen.Count(p => p <= last);
            }
        }
    }

    public static async Task<int> RunAsync(Options options)
    {
        var mode = options.Text("mode", "raw");
        var url = new Uri(options.Text("url", ""));
        var count = options.Count("count", 2000);
        var concurrency = options.Count("connect-concurrency", 50);
        var warm = Math.Min(options.Count("warm-count", 50), options.Count("count", 2000));
        var session = options.Text("session", "");
        var join = options.Text("join-method", "JoinSession");
        var eventName = options.Text("event", "LiveEvent");
        options.RefuseUnknown();

        var viewers = Enumerable.Range(0, count).Select(_ => new Viewer()).ToArray();
        var closers = new Func<ValueTask>?[count];
        string? firstError = null;
        var connected = 0;
        using var gate = new SemaphoreSlim(concurrency);
        async Task ConnectAsync(int from, int to) => await Task.WhenAll(Enumerable.Range(from, to - from).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                closers[i] = mode == "raw"
                    ? await ConnectRawAsync(url, viewers[i])
                    : await ConnectHubAsync(url, viewers[i], Guid.Parse(session), join, eventName);
                Interlocked.Increment(ref connected);
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or InvalidOperationException or OperationCanceledException
                or Microsoft.AspNetCore.SignalR.HubException)
            {
                Interlocked.CompareExchange(ref firstError, $"{ex.GetType().Name}: {ex.Message}", null);
            }
            finally
            {
                gate.Release();
            }
        }));

        // A first few viewers warm the server's code paths up, so its memory figure covers viewers, not first-use costs.
        await ConnectAsync(0, warm);
        Console.WriteLine($"warm {connected}");
        if (await Console.In.ReadLineAsync() != "go")
        {
            return 1;
        }
        await ConnectAsync(warm, count);
        Console.WriteLine($"ready {connected} {firstError}");

        long last = 0;
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("measure ", StringComparison.Ordinal))
            {
                Volatile.Write(ref MeasureFrom, long.Parse(line[8..], CultureInfo.InvariantCulture));
            }
            else if (line.StartsWith("stop ", StringComparison.Ordinal))
            {
                last = long.Parse(line[5..], CultureInfo.InvariantCulture);
                break;
            }
        }

        var live = viewers.Where((_, i) => closers[i] is not null).ToList();
        var latencies = live.SelectMany(v => v.Latencies).ToArray();
        Array.Sort(latencies);
        var missing = live.Select(v => v.Missing(last)).ToList();
        var report = new Report(count, connected, latencies.LongLength, Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99),
            latencies.Length == 0 ? double.NaN : latencies[^1], missing.Sum(), live.Sum(v => v.Duplicated), live.Sum(v => v.OutOfOrder),
            missing.Count(m => m > 0), live.Sum(v => v.Other), firstError);
        Console.WriteLine("report " + JsonSerializer.Serialize(report));
        foreach (var close in closers)
        {
            if (close is not null)
            {
                await close();
            }
        }
        return 0;
    }

    /// <summary>Latencies count for events due from here on (the producer's warm-up is over).</summary>
    static long MeasureFrom = long.MaxValue;

    static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>Text is "number|due-stopwatch-timestamp".</summary>
    static (long Number, long DueAt) Parse(string text)
    {
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0)
        {
            return (0, 0);
        }
        var due = long.Parse(text.AsSpan(bar + 1), CultureInfo.InvariantCulture);
        return (long.Parse(text.AsSpan(0, bar), CultureInfo.InvariantCulture), due >= Volatile.Read(ref MeasureFrom) ? due : 0);
    }

    static async Task<Func<ValueTask>> ConnectRawAsync(Uri url, Viewer viewer)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(url, CancellationToken.None);
        var receiving = Task.Run(async () =>
        {
            var buffer = new byte[1024];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var read = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (read.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                    var receivedAt = Stopwatch.GetTimestamp();
                    var (number, due) = Parse(Encoding.UTF8.GetString(buffer, 0, read.Count));
                    viewer.Saw(number, due, receivedAt);
                }
            }
            catch (WebSocketException)
            {
            }
        });
        return async () =>
        {
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (WebSocketException)
            {
            }
            await receiving.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            socket.Dispose();
        };
    }

    /// <summary>An anonymous viewer of the live hub (anonymous visitors may watch a public session), over WebSockets only.</summary>
    static async Task<Func<ValueTask>> ConnectHubAsync(Uri url, Viewer viewer, Guid session, string join, string eventName)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(url, o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        viewer.From = long.MaxValue; // until the join returns, what arrives is at most what it returns
        // Registered before the start (the client drops calls without a handler); runs on the receive loop, so the timestamp is the arrival.
        hub.On<JsonElement>(eventName, e =>
        {
            var receivedAt = Stopwatch.GetTimestamp();
            var sequence = e.GetProperty("sequence").GetInt64();
            var due = 0L;
            if (e.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Object
                && payload.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                due = Parse(text.GetString()!).DueAt;
            }
            viewer.Saw(sequence, due, receivedAt);
        });
        hub.On<JsonElement>("Viewers", _ => viewer.Other++);
        await hub.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var joined = await hub.InvokeAsync<JsonElement>(join, session, 0L, timeout.Token);
        viewer.From = LastSequenceOf(joined);
        return () => hub.DisposeAsync();
    }

    /// <summary>The highest sequence a join's answer covers: its <c>events</c> (or the answer itself as a list of events).</summary>
    internal static long LastSequenceOf(JsonElement joined)
    {
        var events = joined.ValueKind == JsonValueKind.Array ? joined
            : joined.TryGetProperty("events", out var e) && e.ValueKind == JsonValueKind.Array ? e : default;
        var last = events.ValueKind == JsonValueKind.Array
            ? events.EnumerateArray().Select(x => x.GetProperty("sequence").GetInt64()).DefaultIfEmpty().Max()
            : 0;
        if (joined.ValueKind == JsonValueKind.Object && joined.TryGetProperty("session", out var s) && s.TryGetProperty("lastSequence", out var l) && l.TryGetInt64(out var fromSession))
        {
            last = Math.Max(last, fromSession);
        }
        return last;
    }
}
