using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.IntegrationTests.Inventory;

namespace Scoda.Market.IntegrationTests.LiveSessions;

/// <summary>
/// Through the real <c>/hubs/live</c>: authors' names on chat and questions, the pinned card's stock pushed as it
/// changes, anonymous viewers counted once across reconnects by their browser's key, and the per-session viewer cap.
/// </summary>
public abstract class LiveFinishTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Chat_and_questions_show_the_authors_name_and_organization_to_every_viewer()
    {
        var stage = await LiveStage.CreateAsync(App);
        var named = await stage.Buyer.Client.PutAsJsonAsync("/api/me/display-name", new { displayName = "  Li Wei  " }, Ct);
        named.StatusCode.Should().Be(HttpStatusCode.OK, await named.Content.ReadAsStringAsync(Ct));
        var tooLong = await stage.Buyer.Client.PutAsJsonAsync("/api/me/display-name", new { displayName = new string('x', 61) }, Ct);
        var anonymous = await App.CreateClient().PutAsJsonAsync("/api/me/display-name", new { displayName = "Nobody" }, Ct);
        var me = await (await stage.Buyer.Client.GetAsync("/api/me", Ct)).ReadJsonAsync();
        var organization = me.GetProperty("organizations").EnumerateArray().Single(o => o.GetProperty("id").GetGuid() == stage.Trade.BuyerOrganizationId)
            .GetProperty("name").GetString();
        var session = await stage.LiveAsync();
        var (host, _) = await stage.JoinAsync(stage.Ambassador, session);
        await using var _h = host;
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;
        var (visitor, _) = await stage.JoinAsync(null, session);
        await using var _v = visitor;

        await buyer.InvokeAsync("SendChat", session, NewId(), "Protein?");
        var seen = await LiveStage.NextEventAsync(visitor, "chat");
        await host.InvokeAsync("SendChat", session, NewId(), "Welcome!");
        var fromHost = await LiveStage.NextEventAsync(visitor, "chat");
        await buyer.InvokeAsync("AskQuestion", session, NewId(), "FOB Aktau price?");
        var (late, snapshot) = await stage.JoinAsync(null, session);
        await using var _l = late;

        me.GetProperty("displayName").GetString().Should().Be("Li Wei");
        (await tooLong.ShouldBeValidationProblemAsync()).Keys.Should().Contain("displayName");
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var actor = seen.GetProperty("actor");
        actor.GetProperty("name").GetString().Should().Be("Li Wei");
        actor.GetProperty("organization").GetString().Should().Be(organization);
        actor.GetProperty("role").GetString().Should().Be("viewer");
        fromHost.GetProperty("actor").GetProperty("role").GetString().Should().Be("host", "the host badge");
        var asked = snapshot.GetProperty("questions").EnumerateArray().Single(q => q.GetProperty("text").GetString() == "FOB Aktau price?");
        asked.GetProperty("author").GetProperty("name").GetString().Should().Be("Li Wei");
        asked.GetProperty("author").GetProperty("organization").GetString().Should().Be(organization);
        snapshot.GetProperty("chat").EnumerateArray().Should().Contain(c => c.GetProperty("actor").GetProperty("name").GetString() == "Li Wei");
    }

    [Fact]
    public async Task Reserving_and_releasing_stock_of_the_pinned_listing_pushes_the_new_figure_to_every_viewer()
    {
        var stage = await LiveStage.CreateAsync(App);
        var session = await stage.LiveAsync();
        var (host, _) = await stage.JoinAsync(stage.Ambassador, session);
        await using var _h = host;
        var pinned = await host.InvokeAsync("PinListing", session, stage.ListingId);
        var (visitor, _) = await stage.JoinAsync(null, session);
        await using var _v = visitor;
        var before = pinned.GetProperty("payload").GetProperty("listing").GetProperty("stock").GetProperty("available").GetDecimal();

        var reserved = await stage.Buyer.ReserveAsync(stage.ListingId, new
        {
            organizationId = stage.Trade.BuyerOrganizationId, warehouseId = stage.Trade.WarehouseId, quantity = new { value = 100, unit = "t" },
            expiresAt = DateTimeOffset.UtcNow.AddHours(24),
        }, NewId());
        reserved.StatusCode.Should().Be(HttpStatusCode.Created, await reserved.Content.ReadAsStringAsync(Ct));
        var afterReserve = await LiveStage.NextEventAsync(visitor, "pinned_stock");
        var reservation = (await reserved.ReadJsonAsync()).GetProperty("id").GetGuid();
        (await stage.Buyer.Client.DeleteAsync($"/api/reservations/{reservation}", Ct)).IsSuccessStatusCode.Should().BeTrue();
        var afterRelease = await LiveStage.NextEventAsync(visitor, "pinned_stock");
        var (late, snapshot) = await stage.JoinAsync(null, session);
        await using var _l = late;

        before.Should().Be(1_000m);
        afterReserve.GetProperty("payload").GetProperty("listingId").GetGuid().Should().Be(stage.ListingId);
        afterReserve.GetProperty("payload").GetProperty("stock").GetProperty("available").GetDecimal().Should().Be(900m);
        afterReserve.GetProperty("payload").GetProperty("stock").GetProperty("reserved").GetDecimal().Should().Be(100m);
        afterReserve.GetProperty("sequence").GetInt64().Should().Be(pinned.GetProperty("sequence").GetInt64() + 1, "sequenced in the session's log");
        afterRelease.GetProperty("payload").GetProperty("stock").GetProperty("available").GetDecimal().Should().Be(1_000m);
        afterRelease.GetProperty("sequence").GetInt64().Should().Be(afterReserve.GetProperty("sequence").GetInt64() + 1);
        snapshot.GetProperty("pinned").GetProperty("stock").GetProperty("available").GetDecimal().Should().Be(1_000m);
        snapshot.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("type").GetString() == "pinned_stock").Should().Be(2);
    }

    [Fact]
    public async Task An_anonymous_viewer_key_counts_once_across_reconnects_and_two_keys_count_twice()
    {
        var stage = await LiveStage.CreateAsync(App);
        var session = await stage.LiveAsync();
        var returning = Guid.NewGuid().ToString();
        var other = Guid.NewGuid().ToString();

        await using (var first = await stage.ConnectAnonymousAsync())
        {
            await first.InvokeAsync("JoinSessionAs", session, 0L, returning);
        }
        await using var reloaded = await stage.ConnectAnonymousAsync();
        await reloaded.InvokeAsync("JoinSessionAs", session, 0L, returning);
        await using var secondTab = await stage.ConnectAnonymousAsync();
        await secondTab.InvokeAsync("JoinSessionAs", session, 0L, returning.ToUpperInvariant());
        await using var someoneElse = await stage.ConnectAnonymousAsync();
        var snapshot = await someoneElse.InvokeAsync("JoinSessionAs", session, 0L, other);
        await using var forger = await stage.ConnectAnonymousAsync();
        var refusals = new List<string>();
        foreach (var key in new[] { "not-a-guid", new string('a', 5_000), Guid.Empty.ToString(), $"{returning}{returning}", Guid.NewGuid().ToString("N") })
        {
            refusals.Add(await forger.InvokeExpectingErrorAsync("JoinSessionAs", session, 0L, key));
        }
        var report = await (await stage.Ambassador.Client.GetAsync($"/api/live-sessions/{session}/report", Ct)).ReadJsonAsync();

        snapshot.GetProperty("viewers").GetInt32().Should().Be(2, "one key in two tabs, and another key");
        report.GetProperty("uniqueViewers").GetInt32().Should().Be(2, "the reload is the same viewer");
        refusals.Should().OnlyContain(r => r.StartsWith("invalid:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_host_sets_a_viewer_cap_within_the_configured_maximum_and_a_full_session_refuses_with_full()
    {
        var stage = await LiveStage.CreateAsync(App);
        var errors = new List<string>();
        foreach (var cap in new object?[] { 0, -5, 20_001, "many", 1.5 })
        {
            var body = stage.Body();
            body["viewerCap"] = JsonSerializer.SerializeToNode(cap);
            var refused = await stage.PostAsync(body);
            errors.AddRange((await refused.ShouldBeValidationProblemAsync()).Keys);
        }
        var capped = stage.Body();
        capped["viewerCap"] = 2;
        var session = await stage.LiveAsync(capped);
        var unlimited = await stage.ScheduleAsync();
        var read = await (await App.CreateClient().GetAsync($"/api/live-sessions/{session}", Ct)).ReadJsonAsync();
        var byDefault = await (await App.CreateClient().GetAsync($"/api/live-sessions/{unlimited}", Ct)).ReadJsonAsync();

        await using var one = await stage.ConnectAnonymousAsync();
        await one.InvokeAsync("JoinSessionAs", session, 0L, Guid.NewGuid().ToString());
        var (two, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _t = two;
        await using var three = await stage.ConnectAnonymousAsync();
        var full = await three.InvokeExpectingErrorAsync("JoinSessionAs", session, 0L, Guid.NewGuid().ToString());
        var (host, hostSnapshot) = await stage.JoinAsync(stage.Ambassador, session);
        await using var _h = host;

        errors.Count(e => e.Contains("viewerCap", StringComparison.Ordinal)).Should().Be(5, "each bad cap is named: out of range, or not a whole number");
        read.GetProperty("viewerCap").GetInt32().Should().Be(2);
        byDefault.GetProperty("viewerCap").GetInt32().Should().Be(5_000, "LiveSessions:MaxViewers");
        full.Should().StartWith("full:");
        hostSnapshot.GetProperty("role").GetString().Should().Be("host");
    }
}

public sealed class LiveFinishTests_Sqlite(SqliteApp fixture) : LiveFinishTests<SqliteApp>(fixture), IClassFixture<SqliteApp>;

public sealed class LiveFinishTests_Postgres(PostgresApp fixture) : LiveFinishTests<PostgresApp>(fixture), IClassFixture<PostgresApp>;
