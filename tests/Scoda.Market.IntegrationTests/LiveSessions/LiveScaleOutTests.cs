using System.Text.Json;
using FluentAssertions;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.LiveSessions;

/// <summary>
/// Two hosts on one PostgreSQL with <c>Realtime:Bus=Postgres</c>: session events reach viewers on both hosts, the viewer
/// count (kept in the shared presence table) is the same on both and pushed to both, and a viewer who comes back on the
/// other host catches up by sequence.
/// </summary>
public sealed class LiveScaleOutTests
{
    static readonly Dictionary<string, string?> PostgresBus = new() { ["Realtime:Bus"] = "Postgres" };

    [Fact]
    public async Task Events_and_the_viewer_count_reach_viewers_on_both_hosts()
    {
        var (first, second) = await TwoHostsAsync(PostgresBus);
        await using var _first = first;
        await using var _second = second;
        var stage = await LiveStage.CreateAsync(first);
        var onSecond = stage with { App = second };
        var session = await stage.LiveAsync();

        var (host, _) = await stage.JoinAsync(stage.Ambassador, session);
        await using var _h = host;
        var (buyer, joined) = await onSecond.JoinAsync(stage.Buyer, session);
        var (visitorOne, _) = await stage.JoinAsync(null, session);
        await using var _v1 = visitorOne;
        var (visitorTwo, _) = await onSecond.JoinAsync(null, session);
        await using var _v2 = visitorTwo;

        // Host 1 → host 2 and back.
        var chat = (await host.InvokeAsync("SendChat", session, "h-1", "Добро пожаловать!")).GetProperty("sequence").GetInt64();
        (await LiveStage.NextEventAsync(buyer, "chat")).GetProperty("sequence").GetInt64().Should().Be(chat);
        (await LiveStage.NextEventAsync(visitorTwo, "chat")).GetProperty("sequence").GetInt64().Should().Be(chat);
        var question = (await buyer.InvokeAsync("AskQuestion", session, "b-1", "Protein guaranteed?")).GetProperty("sequence").GetInt64();
        (await LiveStage.NextEventAsync(host, "question")).GetProperty("sequence").GetInt64().Should().Be(question);
        (await LiveStage.NextEventAsync(visitorOne, "question")).GetProperty("sequence").GetInt64().Should().Be(question);

        // Four viewers over two hosts: both hosts' viewers are told 4.
        (await CountReachesAsync(visitorOne, 4)).Should().BeTrue("a viewer on the first host sees the count of both hosts");
        (await CountReachesAsync(visitorTwo, 4)).Should().BeTrue("a viewer on the second host sees the same count");

        // The buyer leaves host 2 and comes back through host 1, catching up.
        var seen = question;
        await buyer.DisposeAsync();
        var missed = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            missed.Add((await host.InvokeAsync("SendChat", session, $"h-m{i}", $"missed {i}")).GetProperty("sequence").GetInt64());
        }
        (await CountReachesAsync(visitorTwo, 3)).Should().BeTrue("the buyer's leaving is counted on every host");
        var (back, caughtUp) = await stage.JoinAsync(stage.Buyer, session, seen);
        await using var _back = back;
        caughtUp.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()).Should().Equal(missed);
        joined.GetProperty("viewers").GetInt32().Should().BeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task The_session_viewer_cap_and_the_chat_minute_limit_hold_across_both_hosts()
    {
        var settings = new Dictionary<string, string?>(PostgresBus) { ["LiveSessions:ChatPerMinute"] = "3", ["LiveSessions:ChatBurst"] = "100" };
        var (first, second) = await TwoHostsAsync(settings);
        await using var _first = first;
        await using var _second = second;
        var stage = await LiveStage.CreateAsync(first);
        var onSecond = stage with { App = second };
        var body = stage.Body();
        body["viewerCap"] = 2;
        var session = await stage.LiveAsync(body);

        var (buyerOnFirst, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b1 = buyerOnFirst;
        await using var visitorOnSecond = await onSecond.ConnectAnonymousAsync();
        await visitorOnSecond.InvokeAsync("JoinSessionAs", session, 0L, Guid.NewGuid().ToString());
        await using var lateOnFirst = await stage.ConnectAnonymousAsync();
        var fullOnFirst = await lateOnFirst.InvokeExpectingErrorAsync("JoinSessionAs", session, 0L, Guid.NewGuid().ToString());
        await using var lateOnSecond = await onSecond.ConnectAsync(await stage.AnotherBuyerAsync());
        var fullOnSecond = await lateOnSecond.InvokeExpectingErrorAsync("JoinSession", session, 0L);
        var (buyerOnSecond, _) = await onSecond.JoinAsync(stage.Buyer, session); // the same person in another tab takes no seat
        await using var _b2 = buyerOnSecond;

        await buyerOnFirst.InvokeAsync("SendChat", session, "m-1", "one");
        await buyerOnSecond.InvokeAsync("SendChat", session, "m-2", "two");
        await buyerOnFirst.InvokeAsync("SendChat", session, "m-3", "three");
        var limited = await buyerOnSecond.InvokeExpectingErrorAsync("SendChat", session, "m-4", "four");

        fullOnFirst.Should().StartWith("full:");
        fullOnSecond.Should().StartWith("full:");
        limited.Should().StartWith("rate_limited:", "three a minute over both hosts, though each host's own bucket has room");
    }

    /// <summary>Two started hosts on one PostgreSQL database with the same settings (the caller disposes both).</summary>
    static async Task<(MarketApp First, MarketApp Second)> TwoHostsAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var first = await MarketApp.CreateAsync(DatabaseKind.Postgres, settings);
        _ = first.Server;
        var second = new MarketApp(DatabaseKind.Postgres, first.DataPath, first.ConnectionString, settings);
        _ = second.Server;
        return (first, second);
    }

    /// <summary>Whether the connection is pushed a count of <paramref name="count"/> within 12 s (earlier counts skipped).</summary>
    static async Task<bool> CountReachesAsync(HubClient hub, int count)
    {
        var until = DateTime.UtcNow.AddSeconds(12);
        while (DateTime.UtcNow < until)
        {
            try
            {
                if ((await hub.NextAsync("Viewers", until - DateTime.UtcNow)).GetProperty("count").GetInt32() == count)
                {
                    return true;
                }
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
        return false;
    }
}
