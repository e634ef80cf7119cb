using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Claims;
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
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Accounts;

namespace Scoda.Market.Benchmarks;

/// <summary>
/// Negotiation rooms under load: <c>rooms</c> rooms with two participants each, every participant sending two messages a
/// second through the real hub (stored, sequenced, fanned out), against a raw WebSocket relay on the same machine in the
/// same run (no storage, no protocol) as the floor. Latency is from the sender's call to the other participant's receipt.
/// </summary>
public static class NegotiationBenchmark
{
    const double MessagesPerSecond = 2;
    static readonly TimeSpan Warmup = TimeSpan.FromSeconds(5);
    static readonly TimeSpan Drain = TimeSpan.FromSeconds(3);
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    static readonly string[] LetterOfCredit = ["lc_sight"];

    public static async Task RunAsync(TimeSpan duration, int rooms, IReadOnlyCollection<string> databases)
    {
        Console.WriteLine($"# Negotiation benchmark — {Measure.Machine()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rooms} rooms × 2 participants, {MessagesPerSecond} messages/s each, {duration.TotalSeconds:0} s measured after a {Warmup.TotalSeconds:0} s warm-up"));
        var results = new List<(string Name, Result Result)>();

        results.Add(("raw WebSocket relay", await RunRelayAsync(duration, rooms)));
        if (databases.Contains("sqlite"))
        {
            results.Add(("hub on SQLite", await RunHubAsync("Sqlite", null, duration, rooms)));
        }
        if (databases.Contains("postgres") && ThrowAwayPostgres.FindBinDir() is { } binDir)
        {
            await using var cluster = await ThrowAwayPostgres.StartAsync(binDir, durable: true);
            // Prepared statements, as the README recommends for production (docker-compose.yml sets the same).
            var database = await ThrowAwayPostgres.CreateDatabaseAsync(cluster.AdminConnectionString, "scoda_bench")
                + ";Max Auto Prepare=50;Auto Prepare Min Usages=2";
            results.Add(("hub on PostgreSQL (LISTEN/NOTIFY bus)", await RunHubAsync("Postgres", database, duration, rooms)));
        }
        else if (databases.Contains("postgres"))
        {
            Console.WriteLine("PostgreSQL not installed (no initdb/pg_ctl): the PostgreSQL row is missing.");
        }

        var floor = results[0].Result;
        Console.WriteLine();
        Console.WriteLine("| transport | sent | delivered | p50 ms | p95 ms | p99 ms | delivered/s | lost | duplicated | out of order | p99 ÷ raw p99 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, r) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {r.Sent:N0} | {r.Delivered:N0} | {r.P50:0.00} | {r.P95:0.00} | {r.P99:0.00} | {r.PerSecond:0} | {r.Lost} | {r.Duplicated} | {r.OutOfOrder} | {r.P99 / floor.P99:0.00} |"));
        }
        Console.WriteLine();
        foreach (var (name, r) in results.Skip(1))
        {
            Console.WriteLine(Check($"{name}: p99 ≤ 3 × raw relay p99", r.P99 <= 3 * floor.P99, $"{r.P99:0.00} vs {floor.P99:0.00} ms"));
            Console.WriteLine(Check($"{name}: p99 < 50 ms", r.P99 < 50, $"{r.P99:0.00} ms"));
            Console.WriteLine(Check($"{name}: nothing lost, duplicated or out of order", r.Lost + r.Duplicated + r.OutOfOrder == 0,
                $"{r.Lost} lost, {r.Duplicated} duplicated, {r.OutOfOrder} out of order"));
        }
    }

    static string Check(string what, bool passed, string figures) => $"- {(passed ? "PASS" : "FAIL")} {what}: {figures}";

    public sealed record Result(long Sent, long Delivered, double P50, double P95, double P99, double PerSecond, long Lost, long Duplicated, long OutOfOrder);

    /// <summary>One side of a room as the load sees it: something that sends text and reports what the other side sent.</summary>
    interface IParticipant : IAsyncDisposable
    {
        Task SendAsync(string text);
    }

    /// <summary>What one receiver saw from its peer: message numbers in arrival order and latencies of the measured ones.</summary>
    sealed class Receiver
    {
        readonly object _gate = new();
        readonly HashSet<long> _seen = [];
        long _last;

        public List<double> Latencies { get; } = [];
        public long Duplicated { get; private set; }
        public long OutOfOrder { get; private set; }
        public int Distinct => _seen.Count;

        /// <summary>Text is "number|stopwatch-timestamp" as the sender wrote it.</summary>
        public void Receive(string text, long receivedAt, long measureFrom)
        {
            var parts = text.Split('|');
            var number = long.Parse(parts[0], CultureInfo.InvariantCulture);
            var sentAt = long.Parse(parts[1], CultureInfo.InvariantCulture);
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
                if (sentAt >= measureFrom)
                {
                    Latencies.Add(Stopwatch.GetElapsedTime(sentAt, receivedAt).TotalMilliseconds);
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

    /// <summary>Drives every participant at the fixed rate for the run, then collects what arrived.</summary>
    static async Task<Result> LoadAsync(IReadOnlyList<(IParticipant Sender, Receiver PeerReceives)> senders, TimeSpan duration)
    {
        var interval = TimeSpan.FromSeconds(1 / MessagesPerSecond);
        var sentCounts = new long[senders.Count];
        var started = Stopwatch.GetTimestamp();
        var until = started + (long)((Warmup + duration).TotalSeconds * Stopwatch.Frequency);
        var random = new Random(42);
        var offsets = senders.Select(_ => TimeSpan.FromMilliseconds(random.Next(0, (int)interval.TotalMilliseconds))).ToArray();
        var failures = 0L;
        await Task.WhenAll(senders.Select((s, i) => Task.Run(async () =>
        {
            await Task.Delay(offsets[i]);
            var next = Stopwatch.GetTimestamp();
            for (long n = 1; Stopwatch.GetTimestamp() < until; n++)
            {
                try
                {
                    await s.Sender.SendAsync(string.Create(CultureInfo.InvariantCulture, $"{n}|{Stopwatch.GetTimestamp()}"));
                    sentCounts[i] = n;
                }
                // A refusal, a call that timed out, or a connection that closed under the call.
                catch (Exception ex) when (ex is HubException or WebSocketException or OperationCanceledException or InvalidOperationException or IOException)
                {
                    Interlocked.Increment(ref failures);
                    break;
                }
                next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
            }
        })));
        await Task.Delay(Drain);
        if (failures > 0)
        {
            Console.WriteLine($"{failures} senders stopped on an error.");
        }
        var latencies = senders.SelectMany(s => s.PeerReceives.Latencies).ToArray();
        Array.Sort(latencies);
        var sent = sentCounts.Sum();
        var delivered = senders.Sum(s => (long)s.PeerReceives.Distinct);
        return new Result(
            sent, delivered, Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99), delivered / (Warmup + duration).TotalSeconds,
            sent - delivered, senders.Sum(s => s.PeerReceives.Duplicated), senders.Sum(s => s.PeerReceives.OutOfOrder));
    }

    static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    // ---- The floor: a raw WebSocket relay ----

    static async Task<Result> RunRelayAsync(TimeSpan duration, int rooms)
    {
        Console.WriteLine("## raw WebSocket relay");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
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
        var participants = new List<RelayParticipant>();
        var measureFrom = 0L;
        for (var room = 0; room < rooms; room++)
        {
            var toA = new Receiver();
            var toB = new Receiver();
            var a = await RelayParticipant.ConnectAsync(new Uri($"{address}/relay/{room}/a"), toA, () => measureFrom);
            var b = await RelayParticipant.ConnectAsync(new Uri($"{address}/relay/{room}/b"), toB, () => measureFrom);
            participants.Add(a);
            participants.Add(b);
            senders.Add((a, toB));
            senders.Add((b, toA));
        }
        while (peers.Count < rooms * 2)
        {
            await Task.Delay(50);
        }
        measureFrom = Stopwatch.GetTimestamp() + (long)(Warmup.TotalSeconds * Stopwatch.Frequency);
        var result = await LoadAsync(senders, duration);
        foreach (var participant in participants)
        {
            await participant.DisposeAsync();
        }
        await app.StopAsync();
        return result;
    }

    sealed class RelayParticipant : IParticipant
    {
        readonly ClientWebSocket _socket = new();
        readonly SemaphoreSlim _sending = new(1, 1);
        Task _receiving = Task.CompletedTask;

        public static async Task<RelayParticipant> ConnectAsync(Uri uri, Receiver peerSends, Func<long> measureFrom)
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
                        peerSends.Receive(Encoding.UTF8.GetString(buffer, 0, read.Count), Stopwatch.GetTimestamp(), measureFrom());
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

    static async Task<Result> RunHubAsync(string database, string? connectionString, TimeSpan duration, int rooms)
    {
        Console.WriteLine($"## hub on {database}");
        var data = Path.Combine(Path.GetTempPath(), "scoda-bench", $"negotiations-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(data);
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = database,
            ["ConnectionStrings:Market"] = connectionString ?? "",
            ["Realtime:Bus"] = database == "Postgres" ? "Postgres" : "InProcess",
        };
        await using var host = new BenchmarkHost(data, settings);
        var baseAddress = host.Start();
        try
        {
            var setup = Stopwatch.StartNew();
            var (roomIds, buyers, sellers) = await SetUpRoomsAsync(host, new Uri(baseAddress), rooms);
            Console.WriteLine($"set up {rooms} rooms in {setup.Elapsed.TotalSeconds:0.0} s");

            var hubUri = new Uri(baseAddress.Replace("http", "ws", StringComparison.Ordinal) + "/hubs/negotiations");
            var senders = new List<(IParticipant, Receiver)>();
            var participants = new List<HubParticipant>();
            var measureFrom = long.MaxValue;
            for (var i = 0; i < rooms; i++)
            {
                var toBuyer = new Receiver();
                var toSeller = new Receiver();
                var buyer = await HubParticipant.ConnectAsync(hubUri, buyers[i], roomIds[i], toBuyer, () => measureFrom);
                var seller = await HubParticipant.ConnectAsync(hubUri, sellers[i], roomIds[i], toSeller, () => measureFrom);
                participants.Add(buyer);
                participants.Add(seller);
                senders.Add((buyer, toSeller));
                senders.Add((seller, toBuyer));
            }
            measureFrom = Stopwatch.GetTimestamp() + (long)(Warmup.TotalSeconds * Stopwatch.Frequency);
            var result = await LoadAsync(senders, duration);
            foreach (var participant in participants)
            {
                await participant.DisposeAsync();
            }
            return result;
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>A participant on the official SignalR .NET client, as an outside integration would connect.</summary>
    sealed class HubParticipant(HubConnection hub, Guid roomId) : IParticipant
    {
        static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
        long _lastSequence;

        public static async Task<HubParticipant> ConnectAsync(Uri hubUri, (Guid UserId, string Token) user, Guid roomId, Receiver peerSends, Func<long> measureFrom)
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
                    peerSends.Receive(e.GetProperty("payload").GetProperty("text").GetString()!, receivedAt, measureFrom());
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
        var owner = await UserAsync(host, "owner");
        var sellers = new List<(Guid, string)>();
        var buyers = new List<(Guid, string)>();
        for (var i = 0; i < rooms; i++)
        {
            sellers.Add(await UserAsync(host, $"seller{i}"));
            buyers.Add(await UserAsync(host, $"buyer{i}"));
        }
        using var http = new HttpClient { BaseAddress = baseAddress };
        var seller = await PostAsync(http, owner.Token, "/api/organizations",
            new { name = "Kostanay Grain Export LLP", countryCode = "KZ", kind = "exporter", registrationNumber = "100000000001" });
        foreach (var (_, index) in sellers.Select((s, i) => (s, i)))
        {
            await PostAsync(http, owner.Token, $"/api/organizations/{seller}/members", new { email = $"seller{index}@bench.example", role = "trader" });
        }
        var listing = await PostAsync(http, owner.Token, "/api/listings", new
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
        await PostAsync(http, owner.Token, $"/api/listings/{listing}/publish", null);
        var roomIds = new List<Guid>();
        for (var i = 0; i < rooms; i++)
        {
            var buyer = await PostAsync(http, buyers[i].Item2, "/api/organizations",
                new { name = $"Qingdao Importer {i}", countryCode = "CN", kind = "importer", registrationNumber = $"9137020{i:D11}" });
            roomIds.Add(await PostAsync(http, buyers[i].Item2, "/api/negotiations", new { listingId = listing, buyerOrganizationId = buyer }));
        }
        return (roomIds, buyers, sellers);
    }

    static async Task<(Guid Id, string Token)> UserAsync(BenchmarkHost host, string name)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = new User { UserName = $"{name}@bench.example", Email = $"{name}@bench.example", EmailConfirmed = true };
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
        }
        var principal = await scope.ServiceProvider.GetRequiredService<SignInManager<User>>().CreateUserPrincipalAsync(user);
        var bearer = scope.ServiceProvider.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme);
        var ticket = new AuthenticationTicket(principal, new AuthenticationProperties { ExpiresUtc = DateTimeOffset.UtcNow.AddHours(1) }, IdentityConstants.BearerScheme);
        return (user.Id, bearer.BearerTokenProtector.Protect(ticket));
    }

    static async Task<Guid> PostAsync(HttpClient http, string token, string path, object? body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }
        return text.Length == 0 ? Guid.Empty : JsonDocument.Parse(text).RootElement.TryGetProperty("id", out var id) ? id.GetGuid() : Guid.Empty;
    }
}
