using System.Text.Json;
using FluentAssertions;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.Negotiations;

/// <summary>
/// Two hosts on one PostgreSQL with <c>Realtime:Bus=Postgres</c>: every room event reaches clients on either host
/// (LISTEN/NOTIFY), and a client that reconnects to the other host catches up by sequence, nothing lost or doubled;
/// notifications made on one host reach the user's connections on the other.
/// </summary>
public sealed class ScaleOutTests
{
    static readonly Dictionary<string, string?> PostgresBus = new() { ["Realtime:Bus"] = "Postgres" };

    [Fact]
    public async Task Room_events_reach_clients_on_both_hosts_and_a_reconnect_to_the_other_host_catches_up()
    {
        await using var hosts = await TwoHosts.StartAsync();
        var (first, second) = (hosts.First, hosts.Second);
        var onFirst = await Trade.CreateAsync(first, stock: 0);
        var onSecond = onFirst with { App = second };
        var room = await onFirst.OpenRoomAsync();

        var (buyer, _) = await onFirst.JoinAsync(onFirst.Buyer, room);
        await using var buyerConnection = buyer;
        var (seller, joined) = await onSecond.JoinAsync(onFirst.Seller.Owner, room);
        var seen = joined.EnumerateArray().Max(e => e.GetProperty("sequence").GetInt64());

        // Host 1 → host 2 and back.
        var sent = new List<long>();
        for (var i = 1; i <= 5; i++)
        {
            sent.Add((await buyer.InvokeAsync("SendMessage", room, $"b-{i}", $"buyer {i}")).GetProperty("sequence").GetInt64());
        }
        var atSeller = await MessagesAsync(seller, 5, from: onFirst.Buyer);
        atSeller.Select(e => e.GetProperty("sequence").GetInt64()).Should().Equal(sent);
        var reply = (await seller.InvokeAsync("SendMessage", room, "s-1", "seller on host 2")).GetProperty("sequence").GetInt64();
        (await MessagesAsync(buyer, 1, from: onFirst.Seller.Owner)).Single().GetProperty("sequence").GetInt64().Should().Be(reply);
        seen = reply;

        // The seller drops; the buyer goes on; the seller comes back through the other host.
        await seller.DisposeAsync();
        var missed = new List<long>();
        for (var i = 6; i <= 8; i++)
        {
            missed.Add((await buyer.InvokeAsync("SendMessage", room, $"b-{i}", $"buyer {i}")).GetProperty("sequence").GetInt64());
        }
        var (back, caughtUp) = await onFirst.JoinAsync(onFirst.Seller.Owner, room, seen);
        await using var backConnection = back;

        caughtUp.EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()).Should().Equal(missed);
        var live = (await buyer.InvokeAsync("SendMessage", room, "b-9", "after the reconnect")).GetProperty("sequence").GetInt64();
        var next = await MessagesAsync(back, 1, from: onFirst.Buyer);
        next.Single().GetProperty("sequence").GetInt64().Should().Be(live).And.Be(missed[^1] + 1);

        // Too big for a NOTIFY payload (8000 bytes): it travels as a reference and the other host reads it from the log.
        var (onSecondAgain, _) = await onSecond.JoinAsync(onFirst.Seller.Owner, room, live);
        await using var secondConnection = onSecondAgain;
        var longText = string.Concat(Enumerable.Repeat("小麦蛋白质含量", 560)); // 3,920 characters, 11,760 bytes of UTF-8
        var big = (await buyer.InvokeAsync("SendMessage", room, "b-10", longText)).GetProperty("sequence").GetInt64();
        var arrived = (await MessagesAsync(onSecondAgain, 1, from: onFirst.Buyer)).Single();
        arrived.GetProperty("sequence").GetInt64().Should().Be(big);
        arrived.GetProperty("payload").GetProperty("text").GetString().Should().Be(longText);
    }

    [Fact]
    public async Task A_notification_made_on_one_host_reaches_the_user_connected_to_the_other()
    {
        await using var hosts = await TwoHosts.StartAsync();
        var trade = await Trade.CreateAsync(hosts.First, stock: 0);
        await using var sellerOnSecond = await hosts.Second.ConnectHubAsync("/hubs/notifications", trade.Seller.Owner);
        await using var buyerOnSecond = await hosts.Second.ConnectHubAsync("/hubs/notifications", trade.Buyer);

        var room = await trade.OpenRoomAsync(); // on the first host, which stores the seller's "new negotiation" notification

        var pushed = await sellerOnSecond.NextAsync("Notification");
        pushed.GetProperty("kind").GetString().Should().Be("negotiation");
        pushed.GetProperty("link").GetString().Should().Be($"/negotiations/{room}");
        (await buyerOnSecond.ReceivesWithinAsync("Notification", TimeSpan.FromMilliseconds(500))).Should().BeFalse("the buyer opened the room; only the seller is told");
    }

    [Fact]
    public async Task The_postgres_bus_on_sqlite_stops_start_up_with_a_clear_message()
    {
        await using var app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, PostgresBus);

        var start = () => app.Server;

        start.Should().Throw<InvalidOperationException>().WithMessage("*Realtime:Bus=Postgres needs Database:Provider=Postgres*");
    }

    /// <summary>Two replicas on one PostgreSQL database and one data folder (the data-protection keys that sign tokens live there).</summary>
    sealed class TwoHosts(MarketApp first, MarketApp second) : IAsyncDisposable
    {
        public MarketApp First { get; } = first;
        public MarketApp Second { get; } = second;

        public static async Task<TwoHosts> StartAsync()
        {
            var first = await MarketApp.CreateAsync(DatabaseKind.Postgres, PostgresBus);
            _ = first.Server;
            var second = new MarketApp(DatabaseKind.Postgres, first.DataPath, first.ConnectionString, PostgresBus);
            _ = second.Server;
            return new TwoHosts(first, second);
        }

        public async ValueTask DisposeAsync()
        {
            await Second.DisposeAsync();
            await First.DisposeAsync();
        }
    }

    /// <summary>The next <paramref name="count"/> messages from <paramref name="from"/> a connection receives (other events skipped).</summary>
    static async Task<List<JsonElement>> MessagesAsync(HubClient hub, int count, TestUser from)
    {
        var messages = new List<JsonElement>();
        while (messages.Count < count)
        {
            var e = await hub.NextAsync("RoomEvent");
            if (e.GetProperty("type").GetString() == "message" && e.GetProperty("actor").GetProperty("userId").GetGuid() == from.Id)
            {
                messages.Add(e);
            }
        }
        return messages;
    }
}
