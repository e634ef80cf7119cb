using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.LiveSessions;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.IntegrationTests.LiveSessions;

/// <summary>Viewer counting, the viewer cap and the reminder, each on a host of its own (they need their own settings).</summary>
public sealed class LivePresenceTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<MarketApp> AppAsync(DatabaseKind kind, int maxViewers = 5_000) =>
        MarketApp.CreateAsync(kind, new Dictionary<string, string?> { ["LiveSessions:MaxViewers"] = maxViewers.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task A_full_session_refuses_viewers_with_full_but_lets_the_host_in(DatabaseKind kind)
    {
        await using var app = await AppAsync(kind, maxViewers: 2);
        var stage = await LiveStage.CreateAsync(app);
        var session = await stage.LiveAsync();
        var (first, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _f = first;
        await using var firstAgain = await stage.ConnectAsync(stage.Buyer);
        await firstAgain.InvokeAsync("JoinSession", session, 0L); // the same person in a second tab takes no second seat
        var (second, _) = await stage.JoinAsync(null, session);
        await using var _s = second;
        await using var third = await stage.ConnectAsync(await stage.AnotherBuyerAsync());

        var refused = await third.InvokeExpectingErrorAsync("JoinSession", session, 0L);
        var (host, hostSnapshot) = await stage.JoinAsync(stage.Ambassador, session);
        await using var _h = host;
        await second.InvokeAsync("LeaveSession", session);
        await first.InvokeAsync("LeaveSession", session);
        await firstAgain.InvokeAsync("LeaveSession", session);
        var admitted = await third.InvokeAsync("JoinSession", session, 0L);

        refused.Should().StartWith("full:");
        hostSnapshot.GetProperty("role").GetString().Should().Be("host");
        admitted.GetProperty("session").GetProperty("id").GetGuid().Should().Be(session);
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task The_viewer_count_is_pushed_at_most_every_two_seconds_and_feeds_the_report(DatabaseKind kind)
    {
        await using var app = await AppAsync(kind);
        var stage = await LiveStage.CreateAsync(app);
        var session = await stage.LiveAsync();
        var (host, _) = await stage.JoinAsync(stage.Ambassador, session);
        await using var _h = host;
        var watchers = new List<HubClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                watchers.Add((await stage.JoinAsync(null, session)).Hub);
            }
            var clock = Stopwatch.StartNew();
            var counts = new List<(TimeSpan At, int Count)>();
            var listening = Task.Run(async () =>
            {
                while (clock.Elapsed < TimeSpan.FromSeconds(16) && (clock.Elapsed < TimeSpan.FromSeconds(8) || counts.Count == 0 || counts[^1].Count != 4))
                {
                    try
                    {
                        var pushed = await host.NextAsync("Viewers", TimeSpan.FromSeconds(3));
                        counts.Add((clock.Elapsed, pushed.GetProperty("count").GetInt32()));
                    }
                    catch (TimeoutException)
                    {
                    }
                }
            }, Ct);
            // Churn: passers-by join and leave many times within each tick; each tick makes one push at most. One
            // visitor lingers through the churn, so at least one tick sees more than four whatever the machine's pace.
            var lingering = (await stage.JoinAsync(null, session)).Hub;
            while (clock.Elapsed < TimeSpan.FromSeconds(7))
            {
                var passing = (await stage.JoinAsync(null, session)).Hub;
                await Task.Delay(400, Ct);
                await passing.DisposeAsync();
            }
            await lingering.DisposeAsync();
            await listening;

            counts.Should().Contain(c => c.Count > 4, "the lingering visitor was counted while the churn went on");
            counts[^1].Count.Should().Be(4, "the host and three visitors");
            counts.Zip(counts.Skip(1)).Should().OnlyContain(p => p.Second.At - p.First.At >= TimeSpan.FromSeconds(1.5), "pushes are throttled to the tick");
            var (late, snapshot) = await stage.JoinAsync(stage.Buyer, session);
            watchers.Add(late);
            snapshot.GetProperty("viewers").GetInt32().Should().BeGreaterThanOrEqualTo(4);
            var report = await (await stage.Ambassador.Client.GetAsync($"/api/live-sessions/{session}/report", Ct)).ReadJsonAsync();
            report.GetProperty("peakViewers").GetInt32().Should().BeGreaterThanOrEqualTo(4);
            report.GetProperty("viewersPerMinute").GetArrayLength().Should().BeGreaterThan(0);
            report.GetProperty("uniqueViewers").GetInt32().Should().BeGreaterThanOrEqualTo(9, "host, buyer, three visitors, the lingering one and the passers-by");
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                await watcher.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Viewers_count_while_their_replica_beats_and_go_when_it_stops(DatabaseKind kind)
    {
        await using var app = await AppAsync(kind);
        var stage = await LiveStage.CreateAsync(app);
        var session = await stage.LiveAsync();
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;
        var presence = app.Services.GetRequiredService<LivePresence>();
        var now = DateTimeOffset.UtcNow;
        // Two other replicas: one beating, one whose last beat is past the 15 s expiry (it died).
        await app.WithDbAsync(async db =>
        {
            db.LiveReplicas.AddRange(new LiveReplica { HostId = "replica-alive", SeenAt = now }, new LiveReplica { HostId = "replica-dead", SeenAt = now.AddSeconds(-20) });
            db.LiveViewers.AddRange(
                new LiveViewer { ConnectionId = "alive-1", SessionId = session, ViewerKey = "a:alive-1", HostId = "replica-alive", JoinedAt = now },
                new LiveViewer { ConnectionId = "dead-1", SessionId = session, ViewerKey = "a:dead-1", HostId = "replica-dead", JoinedAt = now },
                new LiveViewer { ConnectionId = "dead-2", SessionId = session, ViewerKey = "a:dead-2", HostId = "replica-dead", JoinedAt = now });
            await db.SaveChangesAsync(Ct);
        });
        async Task<int> CountAsync()
        {
            var count = 0;
            await app.WithDbAsync(async db => count = await presence.CountAsync(db, session, Ct));
            return count;
        }

        (await CountAsync()).Should().Be(2, "the buyer and the beating replica's viewer count; the dead replica's do not");
        await app.WithDbAsync(db => presence.TickAsync(db, app.Services.GetRequiredService<IRealtimeBus>(), Ct));

        (await CountAsync()).Should().Be(2);
        await app.WithDbAsync(async db =>
        {
            (await db.LiveViewers.Select(v => v.ConnectionId).ToListAsync(Ct)).Should().NotContain(["dead-1", "dead-2"]).And.Contain("alive-1");
            var replicas = await db.LiveReplicas.ToDictionaryAsync(r => r.HostId, r => r.SeenAt, Ct);
            replicas.Keys.Should().BeEquivalentTo([presence.HostId, "replica-alive"], "the dead replica's heartbeat goes with its viewers");
            replicas[presence.HostId].Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10), "the tick refreshed this replica's heartbeat");
        });
    }

    [Fact]
    public async Task Registrants_are_reminded_once_in_the_app_live_and_by_mail()
    {
        await using var app = await AppAsync(DatabaseKind.Sqlite);
        var stage = await LiveStage.CreateAsync(app);
        // Listening before the session exists: the app's own reminder pass may run at any moment and its push must arrive too.
        await using var notifications = await app.ConnectHubAsync("/hubs/notifications", stage.Buyer);
        var session = await stage.ScheduleAsync(stage.Body(DateTimeOffset.UtcNow.AddMinutes(10)));
        var later = await stage.ScheduleAsync(stage.Body(DateTimeOffset.UtcNow.AddHours(5)));
        (await stage.Buyer.Client.PostAsync($"/api/live-sessions/{session}/register", null, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await stage.Buyer.Client.PostAsync($"/api/live-sessions/{later}/register", null, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        var worker = app.Services.GetRequiredService<LiveReminderWorker>();

        await worker.RunOnceAsync(Ct);
        await worker.RunOnceAsync(Ct);

        var pushed = await notifications.NextAsync("Notification");
        pushed.GetProperty("kind").GetString().Should().Be("live_session_reminder");
        pushed.GetProperty("link").GetString().Should().Be($"/live/{session}");
        var stored = await (await stage.Buyer.Client.GetAsync("/api/notifications", Ct)).ReadJsonAsync();
        stored.GetProperty("items").EnumerateArray().Count(n => n.GetProperty("kind").GetString() == "live_session_reminder").Should().Be(1);
        Directory.GetFiles(Path.Combine(app.DataPath, "mail"), "*.eml").Select(File.ReadAllText)
            .Count(m => m.Contains(stage.Buyer.Email) && m.Contains($"/live/{session}")).Should().Be(1);
        pushed.GetProperty("code").GetString().Should().Be("live_session_reminder");
        pushed.GetProperty("params").GetProperty("title").GetString().Should().Be("Kazakh wheat for Qingdao mills");
        DateTimeOffset.Parse(pushed.GetProperty("params").GetProperty("startsAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeCloseTo(DateTimeOffset.UtcNow.AddMinutes(10), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Live_notices_are_coded_and_mailed_in_each_registrants_language()
    {
        await using var app = await AppAsync(DatabaseKind.Sqlite);
        var stage = await LiveStage.CreateAsync(app);
        var russian = await stage.AnotherBuyerAsync();
        (await russian.Client.PutAsJsonAsync("/api/me/preferences", new { language = "ru", mail = "inapp" }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        var chinese = await stage.AnotherBuyerAsync();
        (await chinese.Client.PutAsJsonAsync("/api/me/preferences", new { language = "zh", mail = "digest" }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        var soon = await stage.ScheduleAsync(stage.Body(DateTimeOffset.UtcNow.AddMinutes(10)));
        var cancelled = await stage.ScheduleAsync(stage.Body(DateTimeOffset.UtcNow.AddHours(6)));
        foreach (var user in new[] { russian, chinese, stage.Buyer })
        {
            (await user.Client.PostAsync($"/api/live-sessions/{soon}/register", null, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
            (await user.Client.PostAsync($"/api/live-sessions/{cancelled}/register", null, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await app.Services.GetRequiredService<LiveReminderWorker>().RunOnceAsync(Ct);
        (await stage.Ambassador.Client.PostAsJsonAsync($"/api/live-sessions/{cancelled}/cancel", new { reason = "Port strike" }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);

        var mail = Directory.GetFiles(Path.Combine(app.DataPath, "mail"), "*.eml").Select(File.ReadAllText).ToList();
        string[] SubjectsTo(TestUser user) => mail.Where(m => m.Contains($"To: {user.Email}", StringComparison.Ordinal)).Select(LiveStage.MailSubject).ToArray();
        SubjectsTo(russian).Should().Contain(s => s.StartsWith("Уведомление Scoda.Market: Скоро начало: «Kazakh wheat for Qingdao mills»", StringComparison.Ordinal))
            .And.Contain(s => s.Contains("Отменено", StringComparison.Ordinal) && s.Contains("Port strike", StringComparison.Ordinal));
        SubjectsTo(chinese).Should().Contain(s => s.Contains("即将开始", StringComparison.Ordinal)).And.Contain(s => s.Contains("已取消", StringComparison.Ordinal));
        SubjectsTo(stage.Buyer).Should().Contain(s => s.Contains("Starting soon", StringComparison.Ordinal));
        var notices = await (await russian.Client.GetAsync("/api/notifications", Ct)).ReadJsonAsync();
        notices.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("code").GetString())
            .Should().Contain(["live_session_reminder", "live_session_cancelled"]);
        var featured = await (await stage.Seller.Owner.Client.GetAsync("/api/notifications", Ct)).ReadJsonAsync();
        featured.GetProperty("items").EnumerateArray().Should().Contain(n => n.GetProperty("code").GetString() == "live_session_featured"
            && n.GetProperty("params").GetProperty("title").GetString() == "Kazakh wheat for Qingdao mills");
    }
}
