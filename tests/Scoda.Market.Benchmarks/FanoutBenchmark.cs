using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Accounts;

namespace Scoda.Market.Benchmarks;

/// <summary>What the fan-out benchmark runs; every value has the issue's figure as its default.</summary>
public sealed record FanoutSettings(
    int Viewers, double Rate, TimeSpan Duration, TimeSpan Warmup, int Chatters, IReadOnlyList<string> Transports, string Database,
    int ConnectConcurrency, int WarmViewers, string HubPath, string JoinMethod, string SendMethod, string EventName, IReadOnlyDictionary<string, string?> HostSettings)
{
    public const string Usage =
        "fanout [--viewers 2000] [--rate 10 (events/s)] [--seconds 60] [--warmup 5] [--chatters 5] [--transports raw,hub]\n" +
        "             [--database sqlite|postgres] [--connect-concurrency 50] [--warm-viewers 50] [--hub-path /hubs/live] [--join-method JoinSession]\n" +
        "             [--send-method SendChat] [--event LiveEvent] [--host Key=Value;Key=Value]";

    public static FanoutSettings From(Options o) => new(
        o.Count("viewers", 2000), o.Number("rate", 10), o.Seconds("seconds", 60), o.Seconds("warmup", 5), o.Count("chatters", 5),
        o.List("transports", "raw", "hub"), o.Text("database", "sqlite"), o.Count("connect-concurrency", 50), o.Count("warm-viewers", 50), o.Text("hub-path", "/hubs/live"),
        o.Text("join-method", "JoinSession"), o.Text("send-method", "SendChat"), o.Text("event", "LiveEvent"),
        o.Text("host", "").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => (string?)(kv.Length > 1 ? kv[1] : "")));
}

/// <summary>
/// Live-session fan-out: <c>viewers</c> connections in a child process (this program in the viewers role), events
/// produced at a fixed rate for the run, every event to every viewer. Two transports in the same run: a raw WebSocket
/// broadcast to as many sockets (the floor), and the real live hub (the host and chatters call SendChat through the
/// official SignalR client; each event is stored with the session's sequence and fanned out by the bus). Reports what
/// each viewer lost, saw twice or out of order, the delivery latency from the time each event was due, and the
/// server's memory per connected viewer (working set and managed heap, after a full collection, before and after the
/// rest of the viewers connected, after a few warm-up viewers have taken the first-use costs).
/// </summary>
public static class FanoutBenchmark
{
    static readonly TimeSpan Drain = TimeSpan.FromSeconds(3);
    static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    sealed record Run(string Name, FanoutViewers.Report Report, long Produced, double WorkingSetPerViewer, double HeapPerViewer);

    public static async Task RunAsync(FanoutSettings s)
    {
        Console.WriteLine($"# Fan-out benchmark — {Measure.Machine()}, load {Measure.LoadAverage()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{s.Viewers} viewers in a child process, {s.Rate} events/s for {s.Duration.TotalSeconds:0} s after a {s.Warmup.TotalSeconds:0} s warm-up"));
        var runs = new List<Run>();
        if (s.Transports.Contains("raw"))
        {
            runs.Add(await RawAsync(s));
        }
        if (s.Transports.Contains("hub"))
        {
            runs.Add(await HubAsync(s));
        }

        var raw = runs.FirstOrDefault(r => r.Name.StartsWith("raw", StringComparison.Ordinal));
        Console.WriteLine();
        Console.WriteLine($"### Fan-out to {s.Viewers:N0} viewers at {s.Rate} events/s ({Measure.Machine()})");
        Console.WriteLine();
        Console.WriteLine("| transport | connected | events | measured deliveries | p50 ms | p95 ms | p99 ms | max ms | lost | duplicated | out of order | viewers missing some | p99 ÷ raw p99 | working set KB/viewer | managed heap KB/viewer |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            var r = run.Report;
            var ratio = raw is null ? "" : (r.P99 / raw.Report.P99).ToString("0.00", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {run.Name} | {r.Connected:N0} | {run.Produced:N0} | {r.Received:N0} | {r.P50:0.00} | {r.P95:0.00} | {r.P99:0.00} | {r.Max:0.00} | {r.Lost} | {r.Duplicated} | {r.OutOfOrder} | {r.ViewersMissingSome} | {ratio} | {run.WorkingSetPerViewer:0.0} | {run.HeapPerViewer:0.0} |"));
        }
        Console.WriteLine();
        Console.WriteLine("Targets:");
        foreach (var run in runs.Where(r => r != raw))
        {
            var r = run.Report;
            if (raw is not null)
            {
                Console.WriteLine(Check("p99 ≤ 2.5 × raw broadcast p99", r.P99 <= 2.5 * raw.Report.P99, $"{r.P99:0.00} vs {raw.Report.P99:0.00} ms"));
            }
            Console.WriteLine(Check("p99 < 250 ms", r.P99 < 250, $"{r.P99:0.00} ms"));
            Console.WriteLine(Check("every event to every viewer, once, in order", r.Lost + r.Duplicated + r.OutOfOrder == 0 && r.Connected == r.Viewers,
                $"{r.Connected}/{r.Viewers} connected, {r.Lost} lost, {r.Duplicated} duplicated, {r.OutOfOrder} out of order"));
            Console.WriteLine(Check("server memory < 40 KB per viewer (working set and managed heap)", run.WorkingSetPerViewer < 40 && run.HeapPerViewer < 40,
                string.Create(CultureInfo.InvariantCulture, $"{run.WorkingSetPerViewer:0.0} KB working set, {run.HeapPerViewer:0.0} KB managed heap")));
        }
    }

    static string Check(string what, bool passed, string figures) => $"- {(passed ? "PASS" : "FAIL")} {what}: {figures}";

    // ---- The floor: one WebSocket per viewer, each event written to every socket ----

    static async Task<Run> RawAsync(FanoutSettings s)
    {
        Console.WriteLine("## raw WebSocket broadcast");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.UseWebSockets();
        var sockets = new ConcurrentDictionary<Guid, WebSocket>();
        app.Map("/broadcast", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var id = Guid.NewGuid();
            sockets[id] = socket;
            var buffer = new byte[256];
            try
            {
                while ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType != WebSocketMessageType.Close)
                {
                }
            }
            catch (WebSocketException)
            {
            }
            sockets.TryRemove(id, out _);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("http", "ws", StringComparison.Ordinal);

        await using var viewers = await ViewerProcess.StartAsync(s, "raw", $"{address}/broadcast", null);
        var before = Memory();
        var added = await viewers.ConnectRestAsync() - s.WarmViewers;
        await Task.Delay(Settle);
        var after = Memory();
        var produced = await ProduceAsync(s, viewers, async (number, due) =>
        {
            var frame = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{number}|{due}"));
            // Every socket at once, as a hub group send does; the next event waits for this one to be written everywhere.
            await Task.WhenAll(sockets.Values.Select(socket => socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None)));
            return number;
        });
        var report = await viewers.StopAsync(produced.Last);
        await app.StopAsync();
        return Result("raw WebSocket broadcast", report, produced.Count, before, after, added);
    }

    // ---- The product: the live hub on the real host ----

    static async Task<Run> HubAsync(FanoutSettings s)
    {
        Console.WriteLine($"## live hub {s.HubPath} on {s.Database}");
        var data = Path.Combine(Path.GetTempPath(), "scoda-bench", $"fanout-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(data);
        ThrowAwayPostgres? cluster = null;
        string? connectionString = null;
        if (s.Database == "postgres")
        {
            cluster = await ThrowAwayPostgres.StartAsync(ThrowAwayPostgres.FindBinDir() ?? throw new InvalidOperationException("PostgreSQL is not installed."), durable: true);
            connectionString = await ThrowAwayPostgres.CreateDatabaseAsync(cluster.AdminConnectionString, "scoda_fanout") + ";Max Auto Prepare=50;Auto Prepare Min Usages=2";
        }
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Database:Provider"] = s.Database == "postgres" ? "Postgres" : "Sqlite",
                ["ConnectionStrings:Market"] = connectionString ?? "",
                ["Realtime:Bus"] = s.Database == "postgres" ? "Postgres" : "InProcess",
                // Limits meant for people: the cap must admit every viewer, the chat limit the benchmark's rate.
                ["LiveSessions:MaxViewers"] = (s.Viewers + 100).ToString(CultureInfo.InvariantCulture),
                ["LiveSessions:ChatPerMinute"] = "1000000",
                ["LiveSessions:ChatBurst"] = "1000000",
                ["LiveSessions:HubCallsPerSecond"] = "1000000",
                ["LiveSessions:HubCallBurst"] = "1000000",
            };
            foreach (var (key, value) in s.HostSettings)
            {
                settings[key] = value;
            }
            await using var host = new BenchmarkHost(data, settings);
            var baseAddress = host.Start();
            var hubUri = new Uri(baseAddress.Replace("http", "ws", StringComparison.Ordinal) + s.HubPath);
            var (sessionId, producers) = await SetUpSessionAsync(host, new Uri(baseAddress), hubUri, s);
            try
            {
                await using var viewers = await ViewerProcess.StartAsync(s, "hub", hubUri.ToString(), sessionId);
                var before = Memory();
                var added = await viewers.ConnectRestAsync() - s.WarmViewers;
                await Task.Delay(Settle);
                var after = Memory();
                var produced = await ProduceAsync(s, viewers, async (number, due) =>
                {
                    var producer = producers[(int)(number % producers.Count)];
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    var stored = await producer.InvokeAsync<JsonElement>(s.SendMethod, sessionId, $"bench-{number}",
                        string.Create(CultureInfo.InvariantCulture, $"{number}|{due}"), timeout.Token);
                    return stored.GetProperty("sequence").GetInt64();
                });
                var report = await viewers.StopAsync(produced.Last);
                return Result($"live hub on {s.Database}", report, produced.Count, before, after, added);
            }
            finally
            {
                foreach (var producer in producers)
                {
                    await producer.DisposeAsync();
                }
            }
        }
        finally
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// An ambassador for KZ schedules a session and starts it; the host and <c>chatters</c> signed-in users join it over
    /// the hub and produce the events (chat, round robin).
    /// </summary>
    static async Task<(Guid Session, List<HubConnection> Producers)> SetUpSessionAsync(BenchmarkHost host, Uri baseAddress, Uri hubUri, FanoutSettings s)
    {
        var ambassador = await host.UserAsync("ambassador", async (users, user) =>
        {
            user.AmbassadorCountryCode = "KZ";
            await users.UpdateAsync(user);
            await users.AddToRoleAsync(user, PlatformRoles.Ambassador);
        });
        using var http = new HttpClient { BaseAddress = baseAddress };
        var now = DateTimeOffset.UtcNow;
        var session = await BenchmarkHost.PostAsync(http, ambassador.Token, "/api/live-sessions", new
        {
            title = new { en = "Kazakh grain exporters", ru = "Экспортёры зерна Казахстана", zh = "哈萨克斯坦粮食出口商" },
            description = new { en = "Fan-out benchmark session." },
            countryCode = "KZ",
            startsAt = now.AddMinutes(5),
            endsAt = now.AddHours(4),
            streamUrl = "https://stream.example/live/bench.m3u8",
            featuredListingIds = Array.Empty<Guid>(),
        });
        await BenchmarkHost.PostAsync(http, ambassador.Token, $"/api/live-sessions/{session}/start", null);
        var tokens = new List<string> { ambassador.Token };
        for (var i = 0; i < s.Chatters; i++)
        {
            tokens.Add((await host.UserAsync($"chatter{i}")).Token);
        }
        var producers = new List<HubConnection>();
        foreach (var token in tokens)
        {
            var hub = new HubConnectionBuilder()
                .WithUrl(hubUri, o =>
                {
                    o.Transports = HttpTransportType.WebSockets;
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                })
                .Build();
            // Producers read nothing; handlers keep the client from logging what it drops.
            hub.On<JsonElement>(s.EventName, _ => { });
            hub.On<JsonElement>("Viewers", _ => { });
            await hub.StartAsync();
            await hub.InvokeAsync<JsonElement>(s.JoinMethod, session, 0L);
            producers.Add(hub);
        }
        return (session, producers);
    }

    /// <summary>
    /// Produces <c>rate</c> events a second for warm-up + duration (one after another; a slow one delays the next, and
    /// latency runs from when each was due), tells the viewers when the measurement starts, then lets the last arrive.
    /// Returns how many were produced and the position of the last (raw: its number; hub: its sequence).
    /// </summary>
    static async Task<(long Count, long Last)> ProduceAsync(FanoutSettings s, ViewerProcess viewers, Func<long, long, Task<long>> produce)
    {
        var interval = (long)(Stopwatch.Frequency / s.Rate);
        var started = Stopwatch.GetTimestamp();
        var measureFrom = started + (long)(s.Warmup.TotalSeconds * Stopwatch.Frequency);
        var until = measureFrom + (long)(s.Duration.TotalSeconds * Stopwatch.Frequency);
        await viewers.SendAsync(string.Create(CultureInfo.InvariantCulture, $"measure {measureFrom}"));
        long count = 0, last = 0;
        for (var due = started; due < until; due += interval)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            last = await produce(++count, due);
        }
        await Task.Delay(Drain);
        return (count, last);
    }

    static (long WorkingSet, long Heap) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: true));
    }

    /// <summary>Memory per viewer: the growth while the viewers after the warm-up ones connected, divided by their number.</summary>
    static Run Result(string name, FanoutViewers.Report report, long produced, (long WorkingSet, long Heap) before, (long WorkingSet, long Heap) after, int connected)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- {produced:N0} events; viewers: {JsonSerializer.Serialize(report)}; server working set {before.WorkingSet / 1048576.0:0} → {after.WorkingSet / 1048576.0:0} MiB, managed heap {before.Heap / 1048576.0:0} → {after.Heap / 1048576.0:0} MiB"));
        var per = Math.Max(1, connected) * 1024.0;
        return new Run(name, report, produced, (after.WorkingSet - before.WorkingSet) / per, (after.Heap - before.Heap) / per);
    }

    /// <summary>The viewers' process: this program again, in the viewers role, talking over its standard input and output.</summary>
    sealed class ViewerProcess : IAsyncDisposable
    {
        readonly Process _process;

        ViewerProcess(Process process) => _process = process;

        public static async Task<ViewerProcess> StartAsync(FanoutSettings s, string mode, string url, Guid? session)
        {
            var self = Environment.ProcessPath!;
            var info = Path.GetFileNameWithoutExtension(self) == "dotnet"
                ? new ProcessStartInfo(self) { ArgumentList = { Assembly.GetEntryAssembly()!.Location } }
                : new ProcessStartInfo(self);
            foreach (var arg in new[] { FanoutViewers.Role, "--mode", mode, "--url", url, "--count", s.Viewers.ToString(CultureInfo.InvariantCulture),
                "--connect-concurrency", s.ConnectConcurrency.ToString(CultureInfo.InvariantCulture), "--session", session?.ToString() ?? "",
                "--join-method", s.JoinMethod, "--event", s.EventName, "--warm-count", s.WarmViewers.ToString(CultureInfo.InvariantCulture) })
            {
                info.ArgumentList.Add(arg);
            }
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            info.UseShellExecute = false;
            var process = Process.Start(info)!;
            var viewers = new ViewerProcess(process);
            Console.WriteLine($"- warm-up viewers connected: {await ReadUntilAsync(process, "warm ", TimeSpan.FromMinutes(5))}");
            return viewers;
        }

        /// <summary>Connects the rest of the viewers and returns how many are connected in all.</summary>
        public async Task<int> ConnectRestAsync()
        {
            var connecting = Stopwatch.StartNew();
            await SendAsync("go");
            var ready = await ReadUntilAsync(_process, "ready ", TimeSpan.FromMinutes(10));
            Console.WriteLine($"- viewers {ready} (in {connecting.Elapsed.TotalSeconds:0.0} s)");
            return int.Parse(ready.Split(' ')[0], CultureInfo.InvariantCulture);
        }

        public Task SendAsync(string line) => _process.StandardInput.WriteLineAsync(line).ContinueWith(_ => _process.StandardInput.FlushAsync()).Unwrap();

        public async Task<FanoutViewers.Report> StopAsync(long last)
        {
            await SendAsync(string.Create(CultureInfo.InvariantCulture, $"stop {last}"));
            var line = await ReadUntilAsync(_process, "report ", TimeSpan.FromMinutes(2));
            return JsonSerializer.Deserialize<FanoutViewers.Report>(line)!;
        }

        static async Task<string> ReadUntilAsync(Process process, string prefix, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line[prefix.Length..];
                }
                Console.WriteLine($"  viewers: {line}");
            }
            throw new InvalidOperationException($"The viewers' process ended before '{prefix.Trim()}' (exit code {(process.HasExited ? process.ExitCode : -1)}).");
        }

        public async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close();
            if (!await WaitAsync(TimeSpan.FromSeconds(20)))
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
        }

        async Task<bool> WaitAsync(TimeSpan timeout)
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(timeout);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }
}
