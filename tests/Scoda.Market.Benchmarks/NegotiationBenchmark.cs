using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Accounts;

namespace Scoda.Market.Benchmarks;

/// <summary>What the negotiation benchmark runs; every value has the issue's figure as its default.</summary>
public sealed record NegotiationSettings(
    int Rooms, double PerParticipant, TimeSpan Duration, TimeSpan Warmup, IReadOnlyList<string> Databases, IReadOnlyList<string> Transports,
    bool Capacity, double StartRate, double RateFactor, double MaxRate, TimeSpan StepDuration, TimeSpan StepWarmup, double P99LimitMs,
    IReadOnlyDictionary<string, string?> HostSettings)
{
    public const string Usage =
        "negotiations [--rooms 200] [--rate 2 (messages/s per participant)] [--seconds 60] [--warmup 5] [--databases sqlite,postgres]\n" +
        "             [--transports relay,floor,hub] [--no-capacity] [--start-rate 400 (messages/s in all)] [--rate-factor 1.5]\n" +
        "             [--max-rate 50000] [--step-seconds 20] [--step-warmup 3] [--p99-limit 50] [--host Key=Value;Key=Value]";

    public static NegotiationSettings From(Options o) => new(
        o.Count("rooms", 200), o.Number("rate", 2), o.Seconds("seconds", 60), o.Seconds("warmup", 5), o.List("databases", "sqlite", "postgres"),
        o.List("transports", "relay", "floor", "hub"), !o.Flag("no-capacity"), o.Number("start-rate", 400), o.Number("rate-factor", 1.5),
        o.Number("max-rate", 50_000), o.Seconds("step-seconds", 20), o.Seconds("step-warmup", 3), o.Number("p99-limit", 50),
        o.Text("host", "").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => (string?)(kv.Length > 1 ? kv[1] : "")));
}

/// <summary>
/// Negotiation rooms under load: <c>rooms</c> rooms with two participants each, every participant sending at a fixed
/// rate, through three transports in the same run: a raw WebSocket relay (no storage, no protocol), the persisting
/// floor (the same relay, which first writes each message to the database with one INSERT and commit, as durable as
/// the hub's), and the real hub (authorized, stored with its sequence, fanned out through the bus). Latency runs from
/// the time a message was due to be sent (so a sender held up by a slow call counts its wait) to the other
/// participant's receipt. Then capacity: the rate rises step by step until p99 passes the limit, and the highest rate
/// each transport sustains (p99 within the limit, nothing lost, no sender behind) is reported.
/// </summary>
public static class NegotiationBenchmark
{
    static readonly TimeSpan Drain = TimeSpan.FromSeconds(3);
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    static readonly string[] LetterOfCredit = ["lc_sight"];

    public static async Task RunAsync(NegotiationSettings s)
    {
        Console.WriteLine($"# Negotiation benchmark — {Measure.Machine()}, load {Measure.LoadAverage()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{s.Rooms} rooms × 2 participants, {s.PerParticipant} messages/s each ({s.Rooms * 2 * s.PerParticipant:0} in all), {s.Duration.TotalSeconds:0} s measured after a {s.Warmup.TotalSeconds:0} s warm-up"));
        if (s.Capacity)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"capacity: from {s.StartRate:0} messages/s in all, × {s.RateFactor} a step, up to {s.MaxRate:0}; {s.StepDuration.TotalSeconds:0} s a step after {s.StepWarmup.TotalSeconds:0} s; sustained = p99 ≤ {s.P99LimitMs} ms, nothing lost, no sender behind"));
        }
        var latency = new List<(string Name, string Kind, string Database, Result Result)>();
        var capacity = new List<(string Name, string Kind, string Database, Capacity Capacity)>();

        async Task MeasureAsync(string name, string kind, string database, Func<Task<Rig>> rig)
        {
            Console.WriteLine($"## {name}");
            await using var r = await rig();
            var profile = new PhaseProfile();
            var result = await LoadAsync(r, s.PerParticipant, s.Duration, s.Warmup);
            Console.WriteLine($"- {result.Line()}");
            if (kind == "hub")
            {
                profile.Print(Console.Out);
            }
            latency.Add((name, kind, database, result));
            profile.Dispose();
            if (s.Capacity)
            {
                capacity.Add((name, kind, database, await CapacityAsync(r, s)));
            }
        }

        if (s.Transports.Contains("relay"))
        {
            await MeasureAsync("raw WebSocket relay", "relay", "", () => RelayRigAsync(s.Rooms, null));
        }
        if (s.Databases.Contains("sqlite"))
        {
            if (s.Transports.Contains("floor"))
            {
                await MeasureAsync("persisting floor on SQLite", "floor", "SQLite", async () => await RelayRigAsync(s.Rooms, await SqliteFloor.CreateAsync()));
            }
            if (s.Transports.Contains("hub"))
            {
                await MeasureAsync("hub on SQLite", "hub", "SQLite", () => HubRigAsync("Sqlite", null, s));
            }
        }
        if (s.Databases.Contains("postgres") && ThrowAwayPostgres.FindBinDir() is { } binDir)
        {
            await using var cluster = await ThrowAwayPostgres.StartAsync(binDir, durable: true);
            // Prepared statements, as the README recommends for production (docker-compose.yml sets the same).
            const string Prepared = ";Max Auto Prepare=50;Auto Prepare Min Usages=2";
            if (s.Transports.Contains("floor"))
            {
                var floorDatabase = await ThrowAwayPostgres.CreateDatabaseAsync(cluster.AdminConnectionString, "scoda_floor") + Prepared;
                await MeasureAsync("persisting floor on PostgreSQL", "floor", "PostgreSQL", async () => await RelayRigAsync(s.Rooms, await PostgresFloor.CreateAsync(floorDatabase)));
            }
            if (s.Transports.Contains("hub"))
            {
                var database = await ThrowAwayPostgres.CreateDatabaseAsync(cluster.AdminConnectionString, "scoda_bench") + Prepared;
                await MeasureAsync("hub on PostgreSQL (LISTEN/NOTIFY bus)", "hub", "PostgreSQL", () => HubRigAsync("Postgres", database, s));
            }
        }
        else if (s.Databases.Contains("postgres"))
        {
            Console.WriteLine("PostgreSQL not installed (no initdb/pg_ctl): the PostgreSQL rows are missing.");
        }

        PrintTables(s, latency, capacity);
    }

    static void PrintTables(NegotiationSettings s, List<(string Name, string Kind, string Database, Result Result)> latency,
        List<(string Name, string Kind, string Database, Capacity Capacity)> capacity)
    {
        var raw = latency.FirstOrDefault(l => l.Kind == "relay").Result;
        Result? FloorOf(string database) => latency.FirstOrDefault(l => l.Kind == "floor" && l.Database == database).Result;
        static string Ratio(double a, double? b) => b is > 0 ? (a / b.Value).ToString("0.00", CultureInfo.InvariantCulture) : "";
        Console.WriteLine();
        Console.WriteLine($"### Latency at {s.Rooms * 2 * s.PerParticipant:0} messages/s ({Measure.Machine()})");
        Console.WriteLine();
        Console.WriteLine("| transport | sent | delivered | p50 ms | p95 ms | p99 ms | delivered/s | lost | duplicated | out of order | p99 ÷ raw p99 | p99 ÷ floor p99 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, kind, database, r) in latency)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {r.Sent:N0} | {r.Delivered:N0} | {r.P50:0.00} | {r.P95:0.00} | {r.P99:0.00} | {r.PerSecond:0} | {r.Lost} | {r.Duplicated} | {r.OutOfOrder} | {Ratio(r.P99, raw?.P99)} | {(kind == "hub" ? Ratio(r.P99, FloorOf(database)?.P99) : "")} |"));
        }
        if (capacity.Count > 0)
        {
            double? CapacityOf(string kind, string database) => capacity.FirstOrDefault(c => c.Kind == kind && c.Database == database).Capacity?.Sustained;
            Console.WriteLine();
            Console.WriteLine($"### Capacity: highest rate with p99 ≤ {s.P99LimitMs} ms ({Measure.Machine()})");
            Console.WriteLine();
            Console.WriteLine("| transport | sustained messages/s | p99 ms there | next step messages/s | its p99 ms | why it failed | ÷ raw relay | ÷ floor |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            foreach (var (name, kind, database, c) in capacity)
            {
                var sustained = c.Sustained?.ToString("0", CultureInfo.InvariantCulture) ?? "none";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {sustained} | {c.SustainedP99:0.00} | {c.FailedAt:0} | {c.FailedP99:0.00} | {c.Why} | {Ratio(c.Sustained ?? 0, CapacityOf("relay", ""))} | {(kind == "hub" ? Ratio(c.Sustained ?? 0, CapacityOf("floor", database)) : "")} |"));
            }
        }
        Console.WriteLine();
        Console.WriteLine("Targets:");
        foreach (var (name, _, database, r) in latency.Where(l => l.Kind == "hub"))
        {
            if (FloorOf(database) is { } floor)
            {
                Console.WriteLine(Check($"{name}: p99 ≤ 2 × persisting floor p99", r.P99 <= 2 * floor.P99, $"{r.P99:0.00} vs {floor.P99:0.00} ms"));
            }
            Console.WriteLine(Check($"{name}: nothing lost, duplicated or out of order", r.Lost + r.Duplicated + r.OutOfOrder == 0,
                $"{r.Lost} lost, {r.Duplicated} duplicated, {r.OutOfOrder} out of order"));
            if (capacity.FirstOrDefault(c => c.Kind == "hub" && c.Database == database).Capacity is { } hub
                && capacity.FirstOrDefault(c => c.Kind == "floor" && c.Database == database).Capacity is { } floorCapacity)
            {
                Console.WriteLine(Check($"{name}: capacity ≥ 0.5 × persisting floor's", (hub.Sustained ?? 0) >= 0.5 * (floorCapacity.Sustained ?? 0),
                    $"{hub.Sustained ?? 0:0} vs {floorCapacity.Sustained ?? 0:0} messages/s"));
            }
        }
    }

    static string Check(string what, bool passed, string figures) => $"- {(passed ? "PASS" : "FAIL")} {what}: {figures}";

    public sealed record Result(double Rate, long Sent, long Delivered, double P50, double P95, double P99, double PerSecond,
        long Lost, long Duplicated, long OutOfOrder, long Failures, long Unsent)
    {
        public bool Sustained(double p99Limit) => P99 <= p99Limit && Lost == 0 && Failures == 0 && Unsent == 0;

        public string Line() => string.Create(CultureInfo.InvariantCulture,
            $"{Rate:0} messages/s: sent {Sent:N0}, delivered {Delivered:N0}, p50 {P50:0.00} p95 {P95:0.00} p99 {P99:0.00} ms, lost {Lost}, duplicated {Duplicated}, out of order {OutOfOrder}, failed senders {Failures}, unsent {Unsent}");

        public string Why(double p99Limit) => Failures > 0 ? $"{Failures} calls failed" : Unsent > 0 ? $"{Unsent:N0} messages not sent in time"
            : Lost > 0 ? $"{Lost:N0} lost" : P99 > p99Limit ? "p99 over the limit" : "";
    }

    public sealed record Capacity(double? Sustained, double SustainedP99, double FailedAt, double FailedP99, string Why);

    static async Task<Capacity> CapacityAsync(Rig rig, NegotiationSettings s)
    {
        Result? best = null;
        var participants = rig.Senders.Count;
        for (var rate = s.StartRate; rate <= s.MaxRate; rate *= s.RateFactor)
        {
            var result = await LoadAsync(rig, rate / participants, s.StepDuration, s.StepWarmup);
            Console.WriteLine($"- capacity step {result.Line()}");
            if (!result.Sustained(s.P99LimitMs))
            {
                return new Capacity(best?.Rate, best?.P99 ?? double.NaN, rate, result.P99, result.Why(s.P99LimitMs));
            }
            best = result;
        }
        return new Capacity(best?.Rate, best?.P99 ?? double.NaN, double.NaN, double.NaN, $"reached --max-rate {s.MaxRate:0}");
    }

    /// <summary>One side of a room as the load sees it: something that sends text and reports what the other side sent.</summary>
    interface IParticipant : IAsyncDisposable
    {
        Task SendAsync(string text);
    }

    /// <summary>Connected participants of one transport, kept across the latency run and the capacity steps.</summary>
    sealed class Rig(List<(IParticipant Sender, Receiver PeerReceives)> senders, Func<ValueTask> stop) : IAsyncDisposable
    {
        public List<(IParticipant Sender, Receiver PeerReceives)> Senders { get; } = senders;

        /// <summary>The last message number each sender used, so numbers keep rising across steps.</summary>
        public long[] Numbers { get; } = new long[senders.Count];

        public async ValueTask DisposeAsync()
        {
            foreach (var (sender, _) in Senders)
            {
                await sender.DisposeAsync();
            }
            await stop();
        }
    }

    /// <summary>What one receiver saw from its peer: message numbers in arrival order and latencies of the measured ones.</summary>
    sealed class Receiver
    {
        readonly object _gate = new();
        readonly HashSet<long> _seen = [];
        long _last;
        long _measureFrom = long.MaxValue;
        long _measureUntil = long.MaxValue;

        public List<double> Latencies { get; } = [];
        public long Duplicated { get; private set; }
        public long OutOfOrder { get; private set; }
        public int Distinct { get { lock (_gate) { return _seen.Count; } } }

        /// <summary>Starts a measurement: latencies of messages due in [from, until) count; the step's counters restart.</summary>
        public void StartStep(long from, long until)
        {
            lock (_gate)
            {
                Latencies.Clear();
                Duplicated = 0;
                OutOfOrder = 0;
                _measureFrom = from;
                _measureUntil = until;
            }
        }

        /// <summary>Text is "number|due-stopwatch-timestamp" as the sender wrote it.</summary>
        public void Receive(string text, long receivedAt)
        {
            var parts = text.Split('|');
            var number = long.Parse(parts[0], CultureInfo.InvariantCulture);
            var dueAt = long.Parse(parts[1], CultureInfo.InvariantCulture);
            lock (_gate)
            {
                if (!_seen.Add(number))
                {
                    Duplicated++;
                    return;
                }
                if (number != _last + 1)
                {
                    OutOfOrder++;
                }
                _last = Math.Max(_last, number);
                if (dueAt >= _measureFrom && dueAt < _measureUntil)
                {
                    Latencies.Add(Stopwatch.GetElapsedTime(dueAt, receivedAt).TotalMilliseconds);
                }
            }
        }

        /// <summary>
        /// For the hub: a room event whose sequence skips ahead or goes back also counts as out of order. Events up to
        /// what the join returned may arrive again (the hub joins the group before reading); those are expected.
        /// </summary>
        public void Sequence(long sequence, long joinedUpTo, ref long lastSequence)
        {
            lock (_gate)
            {
                if (sequence <= joinedUpTo)
                {
                    return;
                }
                if (sequence != lastSequence + 1)
                {
                    OutOfOrder++;
                }
                lastSequence = Math.Max(lastSequence, sequence);
            }
        }
    }

    /// <summary>
    /// Drives every sender at <paramref name="perParticipant"/> messages a second for warm-up + duration, then waits for
    /// the last deliveries. A sender whose call is slow falls behind its schedule and sends what is due at once; one
    /// still behind when the drain ends counts its unsent messages.
    /// </summary>
    static async Task<Result> LoadAsync(Rig rig, double perParticipant, TimeSpan duration, TimeSpan warmup)
    {
        var senders = rig.Senders;
        var interval = (long)(Stopwatch.Frequency / perParticipant);
        var started = Stopwatch.GetTimestamp();
        var measureFrom = started + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var until = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var giveUp = until + (long)(Drain.TotalSeconds * Stopwatch.Frequency);
        var distinctBefore = senders.Sum(s => (long)s.PeerReceives.Distinct);
        foreach (var (_, receiver) in senders)
        {
            receiver.StartStep(measureFrom, until);
        }
        var random = new Random(42);
        var offsets = senders.Select(_ => (long)(random.NextDouble() * interval)).ToArray();
        var sentCounts = new long[senders.Count];
        var unsent = new long[senders.Count];
        var failures = 0L;
        await Task.WhenAll(senders.Select((s, i) => Task.Run(async () =>
        {
            var due = started + offsets[i];
            for (; due < until; due += interval)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
                else if (Stopwatch.GetTimestamp() > giveUp)
                {
                    unsent[i] = (until - due + interval - 1) / interval;
                    break;
                }
                try
                {
                    await s.Sender.SendAsync(string.Create(CultureInfo.InvariantCulture, $"{++rig.Numbers[i]}|{due}"));
                    sentCounts[i]++;
                }
                // A refusal, a call that timed out, or a connection that closed under the call.
                catch (Exception ex) when (ex is HubException or WebSocketException or OperationCanceledException or InvalidOperationException or IOException)
                {
                    Interlocked.Increment(ref failures);
                    rig.Numbers[i]--;
                    break;
                }
            }
        })));
        var sent = sentCounts.Sum();
        var drainUntil = Stopwatch.GetTimestamp() + (long)(Drain.TotalSeconds * Stopwatch.Frequency);
        while (senders.Sum(s => (long)s.PeerReceives.Distinct) - distinctBefore < sent && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(50);
        }
        var latencies = senders.SelectMany(s => s.PeerReceives.Latencies).ToArray();
        Array.Sort(latencies);
        var delivered = senders.Sum(s => (long)s.PeerReceives.Distinct) - distinctBefore;
        return new Result(
            perParticipant * senders.Count, sent, delivered, Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99),
            latencies.Length / duration.TotalSeconds, sent - delivered, senders.Sum(s => s.PeerReceives.Duplicated), senders.Sum(s => s.PeerReceives.OutOfOrder),
            failures, unsent.Sum());
    }

    static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    // ---- The floors: a raw WebSocket relay, without and with one durable INSERT per message ----

    /// <summary>Writes one relayed message durably before the relay forwards it: one INSERT, one commit.</summary>
    interface IFloorStore : IAsyncDisposable
    {
        Task AppendAsync(string room, string side, string text);
    }

    /// <summary>
    /// A table shaped like RoomEvents (its columns, its unique (room, sequence) and (room, client message id) indexes),
    /// in a WAL file opened with the host's connection settings (pooled, busy timeout). SQLite has one writer: like the
    /// host, writers queue on one lock in the process rather than inside SQLite's busy retry.
    /// </summary>
    sealed class SqliteFloor(string folder, string connectionString) : IFloorStore
    {
        readonly SemaphoreSlim _writer = new(1, 1);

        public static async Task<SqliteFloor> CreateAsync()
        {
            var folder = Path.Combine(Path.GetTempPath(), "scoda-bench", $"floor-{Guid.NewGuid():N}"[..24]);
            Directory.CreateDirectory(folder);
            var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "floor.db"), DefaultTimeout = 30, Pooling = true }.ToString();
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE "FloorEvents" ("Id" TEXT NOT NULL PRIMARY KEY, "RoomId" TEXT NOT NULL, "Sequence" INTEGER NOT NULL, "Type" TEXT NOT NULL,
                    "ClientMessageId" TEXT NULL, "Payload" TEXT NOT NULL, "At" INTEGER NOT NULL);
                CREATE UNIQUE INDEX "IX_FloorEvents_RoomId_Sequence" ON "FloorEvents" ("RoomId", "Sequence");
                CREATE UNIQUE INDEX "IX_FloorEvents_RoomId_ClientMessageId" ON "FloorEvents" ("RoomId", "ClientMessageId");
                """;
            await create.ExecuteNonQueryAsync();
            return new SqliteFloor(folder, connectionString);
        }

        public async Task AppendAsync(string room, string side, string text)
        {
            await _writer.WaitAsync();
            try
            {
                await using var connection = new SqliteConnection(connectionString);
                await connection.OpenAsync();
                await using var insert = connection.CreateCommand();
                insert.CommandText = """INSERT INTO "FloorEvents" VALUES ($id, $room, $sequence, 'message', $client, $payload, $at)""";
                FloorRow.Bind(insert.Parameters.AddWithValue, room, side, text);
                await insert.ExecuteNonQueryAsync();
            }
            finally
            {
                _writer.Release();
            }
        }

        public ValueTask DisposeAsync()
        {
            SqliteConnection.ClearAllPools();
            _writer.Dispose();
            Directory.Delete(folder, recursive: true);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The same table on PostgreSQL (default durability: fsync and synchronous commit on), prepared, from a pool.</summary>
    sealed class PostgresFloor(NpgsqlDataSource source) : IFloorStore
    {
        public static async Task<PostgresFloor> CreateAsync(string connectionString)
        {
            var source = NpgsqlDataSource.Create(connectionString);
            await using var create = source.CreateCommand("""
                CREATE TABLE "FloorEvents" ("Id" uuid NOT NULL PRIMARY KEY, "RoomId" text NOT NULL, "Sequence" bigint NOT NULL, "Type" varchar(32) NOT NULL,
                    "ClientMessageId" varchar(64), "Payload" text NOT NULL, "At" timestamptz NOT NULL);
                CREATE UNIQUE INDEX "IX_FloorEvents_RoomId_Sequence" ON "FloorEvents" ("RoomId", "Sequence");
                CREATE UNIQUE INDEX "IX_FloorEvents_RoomId_ClientMessageId" ON "FloorEvents" ("RoomId", "ClientMessageId");
                """);
            await create.ExecuteNonQueryAsync();
            return new PostgresFloor(source);
        }

        public async Task AppendAsync(string room, string side, string text)
        {
            await using var insert = source.CreateCommand("""INSERT INTO "FloorEvents" VALUES ($1, $2, $3, 'message', $4, $5, $6)""");
            FloorRow.Bind((_, value) => insert.Parameters.Add(new NpgsqlParameter { Value = value }), room, side, text, postgres: true);
            await insert.ExecuteNonQueryAsync();
        }

        public ValueTask DisposeAsync() => source.DisposeAsync();
    }

    /// <summary>The values of one floor row, as the hub would store them (a JSON payload, a UUIDv7 id, the time).</summary>
    static class FloorRow
    {
        public static void Bind<T>(Func<string, object, T> add, string room, string side, string text, bool postgres = false)
        {
            var number = long.Parse(text.AsSpan(0, text.IndexOf('|', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
            var now = DateTimeOffset.UtcNow;
            add("$id", postgres ? Guid.CreateVersion7(now) : Guid.CreateVersion7(now).ToString());
            add("$room", room);
            add("$sequence", number * 2 + (side == "a" ? 0 : 1));
            add("$client", $"{side}{number}");
            add("$payload", JsonSerializer.Serialize(new { text }, Json));
            add("$at", postgres ? now : now.ToUnixTimeMilliseconds());
        }
    }

    static async Task<Rig> RelayRigAsync(int rooms, IFloorStore? store)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.UseWebSockets();
        var peers = new ConcurrentDictionary<string, (WebSocket Socket, SemaphoreSlim Sending)>();
        app.Map("/relay/{room}/{side}", async (HttpContext context, string room, string side) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            using var sending = new SemaphoreSlim(1, 1);
            peers[$"{room}/{side}"] = (socket, sending);
            var other = $"{room}/{(side == "a" ? "b" : "a")}";
            var buffer = new byte[4096];
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                if (store is not null)
                {
                    await store.AppendAsync(room, side, Encoding.UTF8.GetString(buffer, 0, read.Count));
                }
                if (peers.TryGetValue(other, out var peer))
                {
                    await peer.Sending.WaitAsync();
                    try
                    {
                        await peer.Socket.SendAsync(buffer.AsMemory(0, read.Count), WebSocketMessageType.Text, true, CancellationToken.None);
                    }
                    finally
                    {
                        peer.Sending.Release();
                    }
                }
            }
            peers.TryRemove($"{room}/{side}", out _);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("http", "ws", StringComparison.Ordinal);

        var senders = new List<(IParticipant, Receiver)>();
        for (var room = 0; room < rooms; room++)
        {
            var toA = new Receiver();
            var toB = new Receiver();
            var a = await RelayParticipant.ConnectAsync(new Uri($"{address}/relay/{room}/a"), toA);
            var b = await RelayParticipant.ConnectAsync(new Uri($"{address}/relay/{room}/b"), toB);
            senders.Add((a, toB));
            senders.Add((b, toA));
        }
        while (peers.Count < rooms * 2)
        {
            await Task.Delay(50);
        }
        return new Rig(senders, async () =>
        {
            await app.StopAsync();
            await app.DisposeAsync();
            if (store is not null)
            {
                await store.DisposeAsync();
            }
        });
    }

    sealed class RelayParticipant : IParticipant
    {
        readonly ClientWebSocket _socket = new();
        readonly SemaphoreSlim _sending = new(1, 1);
        Task _receiving = Task.CompletedTask;

        public static async Task<RelayParticipant> ConnectAsync(Uri uri, Receiver peerSends)
        {
            var participant = new RelayParticipant();
            await participant._socket.ConnectAsync(uri, CancellationToken.None);
            participant._receiving = Task.Run(async () =>
            {
                var buffer = new byte[4096];
                try
                {
                    while (participant._socket.State == WebSocketState.Open)
                    {
                        var read = await participant._socket.ReceiveAsync(buffer, CancellationToken.None);
                        if (read.MessageType == WebSocketMessageType.Close)
                        {
                            break;
                        }
                        peerSends.Receive(Encoding.UTF8.GetString(buffer, 0, read.Count), Stopwatch.GetTimestamp());
                    }
                }
                catch (WebSocketException)
                {
                }
            });
            return participant;
        }

        // The receiver of "my" messages is the peer's Receiver; this one receives the peer's.
        public async Task SendAsync(string text)
        {
            await _sending.WaitAsync();
            try
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            }
            finally
            {
                _sending.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (WebSocketException)
            {
            }
            await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
            _socket.Dispose();
            _sending.Dispose();
        }
    }

    // ---- The product: the negotiation hub on the real host ----

    static async Task<Rig> HubRigAsync(string database, string? connectionString, NegotiationSettings s)
    {
        var data = Path.Combine(Path.GetTempPath(), "scoda-bench", $"negotiations-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(data);
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = database,
            ["ConnectionStrings:Market"] = connectionString ?? "",
            ["Realtime:Bus"] = database == "Postgres" ? "Postgres" : "InProcess",
            // The per-user limit is meant for people; the load is what the benchmark sets.
            ["Negotiations:HubCallsPerSecond"] = "1000000",
            ["Negotiations:HubCallBurst"] = "1000000",
        };
        foreach (var (key, value) in s.HostSettings)
        {
            settings[key] = value;
        }
        var host = new BenchmarkHost(data, settings);
        var baseAddress = host.Start();
        Console.WriteLine($"host at {baseAddress}");
        var setup = Stopwatch.StartNew();
        var (roomIds, buyers, sellers) = await SetUpRoomsAsync(host, new Uri(baseAddress), s.Rooms);
        Console.WriteLine($"set up {s.Rooms} rooms in {setup.Elapsed.TotalSeconds:0.0} s");

        var hubUri = new Uri(baseAddress.Replace("http", "ws", StringComparison.Ordinal) + "/hubs/negotiations");
        var senders = new List<(IParticipant, Receiver)>();
        for (var i = 0; i < s.Rooms; i++)
        {
            var toBuyer = new Receiver();
            var toSeller = new Receiver();
            var buyer = await HubParticipant.ConnectAsync(hubUri, buyers[i], roomIds[i], toBuyer);
            var seller = await HubParticipant.ConnectAsync(hubUri, sellers[i], roomIds[i], toSeller);
            senders.Add((buyer, toSeller));
            senders.Add((seller, toBuyer));
        }
        return new Rig(senders, async () =>
        {
            await host.DisposeAsync();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        });
    }

    /// <summary>
    /// Where a hub call's time goes, from the host's own meters (the host runs in this process): the SendMessage
    /// invocation as the hub filter times it, and the phases NegotiationService records for each write.
    /// </summary>
    sealed class PhaseProfile : IDisposable
    {
        readonly MeterListener _listener = new();
        readonly ConcurrentDictionary<string, (long Count, double Sum, double Max)> _phases = new();

        public PhaseProfile()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Scoda.Market.Web.Infrastructure.Telemetry.MarketTelemetry.Name
                    && instrument.Name is "market.hub.invocation.duration" or "market.negotiations.write.duration" or "market.negotiations.write.batch")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            {
                string? name = null;
                foreach (var tag in tags)
                {
                    if (tag.Key is "rpc.method" or "phase")
                    {
                        name = tag.Value as string;
                    }
                }
                if (name is null || (instrument.Name == "market.hub.invocation.duration" && name != "SendMessage"))
                {
                    return;
                }
                var key = instrument.Name == "market.negotiations.write.batch" ? $"batch size ({name})" : name;
                var scale = instrument.Unit == "s" ? 1000 : 1;
                _phases.AddOrUpdate(key, _ => (1, value * scale, value * scale), (_, p) => (p.Count + 1, p.Sum + value * scale, Math.Max(p.Max, value * scale)));
            });
            _listener.Start();
        }

        public void Print(TextWriter output)
        {
            _listener.Dispose();
            if (_phases.IsEmpty)
            {
                output.WriteLine("  (the host recorded no phases)");
                return;
            }
            // "send" is the service's whole SendMessage; "SendMessage" the hub filter's, recorded only when telemetry is exported.
            var total = _phases.TryGetValue("send", out var call) ? call.Sum / call.Count : double.NaN;
            output.WriteLine("  | phase | count | mean | max | mean ÷ send mean (per message; batch phases per commit) |");
            output.WriteLine("  |---|---|---|---|---|");
            foreach (var (name, p) in _phases.OrderBy(p => p.Key == "SendMessage" ? "" : p.Key, StringComparer.Ordinal))
            {
                var unit = name.StartsWith("batch", StringComparison.Ordinal) ? "" : " ms";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  | {name} | {p.Count:N0} | {p.Sum / p.Count:0.000}{unit} | {p.Max:0.00}{unit} | {(unit.Length > 0 ? (p.Sum / p.Count / total).ToString("0.00", CultureInfo.InvariantCulture) : "")} |"));
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>A participant on the official SignalR .NET client, as an outside integration would connect.</summary>
    sealed class HubParticipant(HubConnection hub, Guid roomId) : IParticipant
    {
        static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
        long _lastSequence;

        public static async Task<HubParticipant> ConnectAsync(Uri hubUri, (Guid UserId, string Token) user, Guid roomId, Receiver peerSends)
        {
            var hub = new HubConnectionBuilder()
                .WithUrl(hubUri, options =>
                {
                    options.Transports = HttpTransportType.WebSockets;
                    options.AccessTokenProvider = () => Task.FromResult<string?>(user.Token);
                })
                .Build();
            var participant = new HubParticipant(hub, roomId);
            var joinedUpTo = long.MaxValue; // until the join returns, everything pushed is at most what it returns
            // Registered before the start: the client drops calls without a handler. It runs on the receive loop, so the timestamp is the arrival.
            hub.On<JsonElement>("RoomEvent", e =>
            {
                var receivedAt = Stopwatch.GetTimestamp();
                peerSends.Sequence(e.GetProperty("sequence").GetInt64(), Volatile.Read(ref joinedUpTo), ref participant._lastSequence);
                if (e.GetProperty("type").GetString() == "message" && e.GetProperty("actor").GetProperty("userId").GetGuid() != user.UserId)
                {
                    peerSends.Receive(e.GetProperty("payload").GetProperty("text").GetString()!, receivedAt);
                }
            });
            await hub.StartAsync();
            using var timeout = new CancellationTokenSource(CallTimeout);
            var joined = await hub.InvokeAsync<JsonElement>("JoinRoom", roomId, 0L, timeout.Token);
            var upTo = joined.EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()).DefaultIfEmpty().Max();
            participant._lastSequence = upTo;
            Volatile.Write(ref joinedUpTo, upTo);
            return participant;
        }

        public async Task SendAsync(string text)
        {
            using var timeout = new CancellationTokenSource(CallTimeout);
            await hub.InvokeAsync<JsonElement>("SendMessage", roomId, Guid.NewGuid().ToString("N"), text, timeout.Token);
        }

        public ValueTask DisposeAsync() => hub.DisposeAsync();
    }

    /// <summary>
    /// One exporter with a published listing and <paramref name="rooms"/> traders, and as many importers, each with a room
    /// on the listing. Users are created without passwords and given bearer tokens minted by the host's own token
    /// protector: 400 password hashes would cost the set-up a minute and measure nothing.
    /// </summary>
    static async Task<(List<Guid> Rooms, List<(Guid, string)> Buyers, List<(Guid, string)> Sellers)> SetUpRoomsAsync(BenchmarkHost host, Uri baseAddress, int rooms)
    {
        var owner = await host.UserAsync("owner");
        var sellers = new List<(Guid, string)>();
        var buyers = new List<(Guid, string)>();
        for (var i = 0; i < rooms; i++)
        {
            sellers.Add(await host.UserAsync($"seller{i}"));
            buyers.Add(await host.UserAsync($"buyer{i}"));
        }
        using var http = new HttpClient { BaseAddress = baseAddress };
        var seller = await BenchmarkHost.PostAsync(http, owner.Token, "/api/organizations",
            new { name = "Kostanay Grain Export LLP", countryCode = "KZ", kind = "exporter", registrationNumber = "100000000001" });
        foreach (var (_, index) in sellers.Select((s, i) => (s, i)))
        {
            await BenchmarkHost.PostAsync(http, owner.Token, $"/api/organizations/{seller}/members", new { email = $"seller{index}@bench.example", role = "trader" });
        }
        var listing = await BenchmarkHost.PostAsync(http, owner.Token, "/api/listings", new
        {
            organizationId = seller,
            categoryId = Scoda.Market.Web.Features.Taxonomy.Category.IdFor("wheat"),
            title = new { en = "Milling wheat, class 3", ru = "Пшеница мягкая 3 класса" },
            specs = new { protein = 12.5, moisture = 13.5, testWeight = 76 },
            originCountry = "KZ",
            quantity = new { value = 50_000, unit = "t" },
            minOrder = new { value = 100, unit = "t" },
            price = new { amount = "245.50", currency = "USD", unit = "t" },
            incoterm = "DAP",
            namedPlace = "Khorgos",
            deliveryMode = "rail",
            paymentTerms = LetterOfCredit,
            validUntil = DateTimeOffset.UtcNow.AddDays(60),
        });
        await BenchmarkHost.PostAsync(http, owner.Token, $"/api/listings/{listing}/publish", null);
        var roomIds = new List<Guid>();
        for (var i = 0; i < rooms; i++)
        {
            var buyer = await BenchmarkHost.PostAsync(http, buyers[i].Item2, "/api/organizations",
                new { name = $"Qingdao Importer {i}", countryCode = "CN", kind = "importer", registrationNumber = $"9137020{i:D11}" });
            roomIds.Add(await BenchmarkHost.PostAsync(http, buyers[i].Item2, "/api/negotiations", new { listingId = listing, buyerOrganizationId = buyer }));
        }
        return (roomIds, buyers, sellers);
    }
}
