using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Negotiations;

namespace Scoda.Market.IntegrationTests.Negotiations;

/// <summary>Messages stored by group commit: many senders at once still get one event each, numbered without gaps, published in order.</summary>
public abstract class GroupCommitTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_senders_in_one_room_get_contiguous_sequences_and_each_exactly_one_event()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        await using var negotiation = await trade.NegotiateAsync();
        var (room, seller, buyer, _) = negotiation;
        var before = (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64();
        await using var secondBuyerConnection = await trade.ConnectAsync(trade.Buyer);

        // Three connections, nine messages each (within the per-user burst), all in flight at once.
        var sends = new[] { buyer, seller, secondBuyerConnection }.SelectMany((hub, h) => Enumerable.Range(0, 9).Select(i =>
            (Id: $"c{h}-{i}", Text: $"connection {h} message {i}", Call: hub.InvokeAsync("SendMessage", room, $"c{h}-{i}", $"connection {h} message {i}")))).ToList();
        await Task.WhenAll(sends.Select(s => s.Call));

        var answers = sends.Select(s => (s.Text, Event: s.Call.Result)).ToList();
        answers.Select(a => a.Event.GetProperty("sequence").GetInt64()).Should().BeEquivalentTo(Enumerable.Range(1, 27).Select(i => before + i));
        answers.Should().OnlyContain(a => a.Event.GetProperty("payload").GetProperty("text").GetString() == a.Text);

        var log = (await (await trade.Buyer.Client.GetAsync($"/api/negotiations/{room}/events?after={before}", Ct)).ReadJsonAsync())
            .GetProperty("items").EnumerateArray().ToList();
        log.Select(e => e.GetProperty("sequence").GetInt64()).Should().Equal(Enumerable.Range(1, 27).Select(i => before + i));
        log.Select(e => e.GetProperty("payload").GetProperty("text").GetString()).Should().BeEquivalentTo(sends.Select(s => s.Text));
        foreach (var (text, answered) in answers)
        {
            log.Single(e => e.GetProperty("payload").GetProperty("text").GetString() == text).GetProperty("sequence").GetInt64()
                .Should().Be(answered.GetProperty("sequence").GetInt64(), "each sender is answered with the event that was stored");
        }

        // The other side sees them live, in sequence order, each once.
        var live = new List<long>();
        while (live.Count < 27)
        {
            var e = await seller.NextAsync("RoomEvent");
            if (e.GetProperty("sequence").GetInt64() > before)
            {
                live.Add(e.GetProperty("sequence").GetInt64());
            }
        }
        live.Should().Equal(Enumerable.Range(1, 27).Select(i => before + i));
    }

    [Fact]
    public async Task The_same_client_message_id_sent_many_times_at_once_is_stored_once()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var room = await trade.OpenRoomAsync();
        await using var first = await trade.ConnectAsync(trade.Buyer);
        await using var second = await trade.ConnectAsync(trade.Buyer);
        var before = (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64();

        var calls = Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? first : second).InvokeAsync("SendMessage", room, "same-id", "Ready to sign?"))
            .Append(first.InvokeAsync("SendMessage", room, "other-id", "Another message")).ToList();
        var answers = await Task.WhenAll(calls);

        answers[..8].Select(a => a.GetProperty("sequence").GetInt64()).Distinct().Should().ContainSingle();
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64().Should().Be(before + 2);
        answers[8].GetProperty("sequence").GetInt64().Should().NotBe(answers[0].GetProperty("sequence").GetInt64());
    }

    [Fact]
    public void SQLite_has_one_writer_and_PostgreSQL_several_side_by_side() =>
        App.Services.GetRequiredService<GroupCommit>().Writers.Should().Be(App.Kind == DatabaseKind.Sqlite ? 1 : new NegotiationOptions().PostgresCommitWriters);

    [Fact]
    public async Task Senders_are_authorized_in_the_commit_refused_ones_get_their_code_and_leave_no_gap()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var room = await trade.OpenRoomAsync();
        var viewer = await App.SignUpAsync(TestUsers.NewEmail("viewer"));
        (await trade.Buyer.Client.PostAsJsonAsync($"/api/organizations/{trade.BuyerOrganizationId}/members", new { email = viewer.Email, role = "viewer" }, Ct))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var other = await Trade.CreateAsync(App, stock: 0);
        await using var buyer = await trade.ConnectAsync(trade.Buyer);
        await using var watching = await trade.ConnectAsync(viewer);
        await using var outsider = await other.ConnectAsync(other.Buyer);
        var before = (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64();

        // All in flight at once, so they meet in the same commits.
        var stored = Enumerable.Range(0, 8).Select(i => buyer.InvokeAsync("SendMessage", room, $"ok-{i}", $"message {i}")).ToList();
        var forbidden = Enumerable.Range(0, 4).Select(i => watching.InvokeExpectingErrorAsync("SendMessage", room, $"viewer-{i}", "hi")).ToList();
        var notFound = Enumerable.Range(0, 4).Select(i => outsider.InvokeExpectingErrorAsync("SendMessage", room, $"outsider-{i}", "hi")).ToList();
        await Task.WhenAll(stored.Concat<Task>(forbidden).Concat(notFound));

        (await Task.WhenAll(forbidden)).Should().OnlyContain(e => e.StartsWith("forbidden:"));
        (await Task.WhenAll(notFound)).Should().OnlyContain(e => e.StartsWith("not_found:"));
        (await Task.WhenAll(stored)).Select(e => e.GetProperty("sequence").GetInt64()).Should().BeEquivalentTo(Enumerable.Range(1, 8).Select(i => before + i));
        var log = (await (await trade.Buyer.Client.GetAsync($"/api/negotiations/{room}/events?after={before}", Ct)).ReadJsonAsync())
            .GetProperty("items").EnumerateArray().ToList();
        log.Should().HaveCount(8).And.OnlyContain(e => e.GetProperty("actor").GetProperty("side").GetString() == "buyer");
    }

    [Fact]
    public async Task A_trader_made_a_viewer_is_refused_at_the_next_message_on_the_same_connection()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var room = await trade.OpenRoomAsync();
        var trader = await App.SignUpAsync(TestUsers.NewEmail("trader"));
        var members = $"/api/organizations/{trade.BuyerOrganizationId}/members";
        (await trade.Buyer.Client.PostAsJsonAsync(members, new { email = trader.Email, role = "trader" }, Ct)).StatusCode.Should().Be(HttpStatusCode.Created);
        await using var hub = await trade.ConnectAsync(trader);
        (await hub.InvokeAsync("SendMessage", room, "before", "still a trader")).GetProperty("actor").GetProperty("side").GetString().Should().Be("buyer");

        (await trade.Buyer.Client.PutAsJsonAsync($"{members}/{trader.Id}", new { role = "viewer" }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);

        (await hub.InvokeExpectingErrorAsync("SendMessage", room, "after", "now a viewer")).Should().StartWith("forbidden:");
        var log = (await (await trade.Buyer.Client.GetAsync($"/api/negotiations/{room}/events", Ct)).ReadJsonAsync()).GetProperty("items").EnumerateArray();
        log.Should().NotContain(e => e.GetProperty("type").GetString() == "message" && e.GetProperty("payload").GetProperty("text").GetString() == "now a viewer");
    }

    [Fact]
    public async Task Messages_of_many_rooms_at_once_each_get_their_own_rooms_next_sequence()
    {
        var trades = new List<(Trade Trade, Guid Room, HubClient Hub, long Before)>();
        var seller = (await Trade.CreateAsync(App, stock: 0)).Seller;
        for (var i = 0; i < 4; i++)
        {
            var trade = await Trade.CreateAsync(App, stock: 0, seller: seller);
            var room = await trade.OpenRoomAsync();
            trades.Add((trade, room, await trade.ConnectAsync(trade.Buyer), (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64()));
        }
        try
        {
            var calls = trades.SelectMany(t => Enumerable.Range(0, 5).Select(i => (t.Room, Call: t.Hub.InvokeAsync("SendMessage", t.Room, $"m{i}", $"message {i}")))).ToList();
            await Task.WhenAll(calls.Select(c => c.Call));

            foreach (var (trade, room, _, before) in trades)
            {
                calls.Where(c => c.Room == room).Select(c => c.Call.Result.GetProperty("sequence").GetInt64())
                    .Should().BeEquivalentTo(Enumerable.Range(1, 5).Select(i => before + i));
                (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64().Should().Be(before + 5);
            }
        }
        finally
        {
            foreach (var t in trades)
            {
                await t.Hub.DisposeAsync();
            }
        }
    }
}

public sealed class GroupCommitTests_Sqlite(SqliteApp fixture) : GroupCommitTests<SqliteApp>(fixture), IClassFixture<SqliteApp>;

public sealed class GroupCommitTests_Postgres(PostgresApp fixture) : GroupCommitTests<PostgresApp>(fixture), IClassFixture<PostgresApp>;

/// <summary>The group commit's bounded queue, on a host whose queue holds one message.</summary>
public sealed class GroupCommitQueueTests : IAsyncLifetime
{
    MarketApp _app = null!;

    public async ValueTask InitializeAsync() =>
        _app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Negotiations:MaxQueuedMessages"] = "1" });

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task A_full_queue_refuses_with_rate_limited_at_once_and_stores_nothing_for_it()
    {
        var trade = await Trade.CreateAsync(_app, stock: 0);
        var room = await trade.OpenRoomAsync();
        // One connection per call: SignalR runs one invocation of a connection at a time.
        await using var buyer = await trade.ConnectAsync(trade.Buyer);
        await using var second = await trade.ConnectAsync(trade.Buyer);
        await using var third = await trade.ConnectAsync(trade.Buyer);
        var before = (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64();
        var queue = _app.Services.GetRequiredService<GroupCommit>();

        // Hold the room's lock (on SQLite every room shares it): the writer takes the first message and waits at the lock.
        Task<JsonElement> writing, waiting;
        string refusal;
        using (await _app.Services.GetRequiredService<RoomLocks>().EnterAsync(room, TestContext.Current.CancellationToken))
        {
            writing = buyer.InvokeAsync("SendMessage", room, "first", "first");
            await WaitUntilAsync(() => queue.Writing == 1, () => $"writing {queue.Writing}, queued {queue.Queued}, call {writing.Status} {writing.Exception?.InnerException?.Message}");
            waiting = second.InvokeAsync("SendMessage", room, "second", "second");
            await WaitUntilAsync(() => queue.Queued == 1, () => $"writing {queue.Writing}, queued {queue.Queued}, call {waiting.Status} {waiting.Exception?.InnerException?.Message}");
            refusal = await third.InvokeExpectingErrorAsync("SendMessage", room, "third", "third");
        }

        refusal.Should().StartWith("rate_limited:");
        (await writing).GetProperty("sequence").GetInt64().Should().Be(before + 1);
        (await waiting).GetProperty("sequence").GetInt64().Should().Be(before + 2);
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64().Should().Be(before + 2);
        // Refused means not stored: the same id goes through once there is room.
        (await buyer.InvokeAsync("SendMessage", room, "third", "third")).GetProperty("sequence").GetInt64().Should().Be(before + 3);
    }

    static async Task WaitUntilAsync(Func<bool> condition, Func<string> state)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(until, "the queue should reach the state the test waits for ({0})", state());
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
