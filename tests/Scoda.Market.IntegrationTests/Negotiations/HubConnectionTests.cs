using System.Text.Json;
using FluentAssertions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.Negotiations;

/// <summary>
/// The negotiation hub through the official SignalR .NET client over WebSockets, as integrations and the browser meet
/// it: who may connect (the bearer token in <c>access_token</c>), what a dropped connection costs (nothing: the client
/// reconnects and catches up by sequence) and how refusals arrive (a <see cref="HubException"/> carrying the stable code).
/// </summary>
public abstract class HubConnectionTests<TApp>(TApp fixture) where TApp : AppFixture
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    MarketApp App => fixture.App;

    static string NewId() => Guid.NewGuid().ToString("N");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_connection_without_a_token_is_refused(bool skipNegotiation)
    {
        var connect = () => App.ConnectHubWithTokenAsync(Trade.Hub, accessToken: null, skipNegotiation);

        (await connect.Should().ThrowAsync<Exception>()).Which.Message.Should().Contain("401");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_forged_or_tampered_token_is_refused(bool skipNegotiation)
    {
        var user = await App.SignUpAsync();
        var token = user.AccessToken;
        var tampered = token[..^6] + (token[^6] == 'A' ? 'B' : 'A') + token[^5..];

        foreach (var bad in new[] { "forged-token", tampered })
        {
            var connect = () => App.ConnectHubWithTokenAsync(Trade.Hub, bad, skipNegotiation);
            (await connect.Should().ThrowAsync<Exception>()).Which.Message.Should().Contain("401", $"the token {bad[..8]}… is not valid");
        }
    }

    [Fact]
    public async Task The_token_in_access_token_alone_signs_the_connection_in()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var room = await trade.OpenRoomAsync();

        // Without negotiation the WebSocket request is the only one, and its only credential is the query's access_token.
        await using var buyer = await App.ConnectHubWithTokenAsync(Trade.Hub, trade.Buyer.AccessToken, skipNegotiation: true);
        var joined = await buyer.InvokeAsync("JoinRoom", room, 0);
        var sent = await buyer.InvokeAsync("SendMessage", room, NewId(), "Signed in by access_token");

        joined.GetArrayLength().Should().BeGreaterThan(0);
        sent.GetProperty("actor").GetProperty("userId").GetGuid().Should().Be(trade.Buyer.Id);
        sent.GetProperty("actor").GetProperty("side").GetString().Should().Be("buyer");
    }

    [Fact]
    public async Task A_dropped_connection_reconnects_by_itself_and_catches_up_by_sequence()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var room = await trade.OpenRoomAsync();
        var (buyer, _) = await trade.JoinAsync(trade.Buyer, room);
        await using var buyerConnection = buyer;
        await using var seller = await App.ConnectHubWithTokenAsync(Trade.Hub, trade.Seller.Owner.AccessToken,
            reconnect: new RetryEvery(TimeSpan.FromMilliseconds(300)));
        var seen = LastSequence(await seller.InvokeAsync("JoinRoom", room, 0));
        var reconnecting = Signal<Exception?>(h => seller.Connection.Reconnecting += e => h(e));
        var reconnected = Signal<string?>(h => seller.Connection.Reconnected += id => h(id));
        var firstConnection = seller.Connection.ConnectionId;

        seller.DropTransport();
        await reconnecting.WaitAsync(Patience, TestContext.Current.CancellationToken);
        var missed = new List<long>();
        foreach (var text in new[] { "are you there?", "price holds until Friday", "please confirm" })
        {
            missed.Add((await buyer.InvokeAsync("SendMessage", room, NewId(), text)).GetProperty("sequence").GetInt64());
        }
        var secondConnection = await reconnected.WaitAsync(Patience, TestContext.Current.CancellationToken);
        // A new connection is in no room yet: the client rejoins from the last sequence it saw, as the web client does.
        var caughtUp = await seller.InvokeAsync("JoinRoom", room, seen);
        var live = (await buyer.InvokeAsync("SendMessage", room, NewId(), "after the reconnect")).GetProperty("sequence").GetInt64();

        secondConnection.Should().NotBeNullOrEmpty().And.NotBe(firstConnection);
        seller.Connection.State.Should().Be(HubConnectionState.Connected);
        caughtUp.EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()).Should().Equal(missed);
        caughtUp.EnumerateArray().Select(e => e.GetProperty("payload").GetProperty("text").GetString())
            .Should().Equal("are you there?", "price holds until Friday", "please confirm");
        var firstLiveMessage = await NextMessageAsync(seller);
        firstLiveMessage.GetProperty("sequence").GetInt64().Should().Be(live).And.Be(missed[^1] + 1, "nothing missed arrives again live");
    }

    [Fact]
    public async Task Refusals_arrive_as_hub_exceptions_carrying_the_stable_code()
    {
        var trade = await Trade.CreateAsync(App, stock: 300m);
        await using var negotiation = await trade.NegotiateAsync();
        var (room, seller, buyer, _) = negotiation;
        var offer = (await seller.InvokeAsync("MakeOffer", room, NewId(), new TermsBuilder(tonnes: 500m).FromWarehouse(trade.WarehouseId).Build()))
            .GetProperty("payload").GetProperty("offer").GetProperty("id").GetGuid();
        var before = (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64();

        var refusals = new (string Code, string Method, object?[] Arguments)[]
        {
            ("not_found", "JoinRoom", [Guid.NewGuid(), 0L]),
            ("forbidden", "HideMessage", [room, 1L]), // moderators only
            ("conflict", "AcceptOffer", [room, offer, new { total = new { amount = 120_000m, currency = "USD" } }]), // 500 t offered, 300 t in stock
            ("invalid", "SendMessage", [room, NewId(), "   "]),
        };
        foreach (var (code, method, arguments) in refusals)
        {
            var call = () => buyer.Connection.InvokeCoreAsync(method, typeof(object), arguments, TestContext.Current.CancellationToken);
            var refused = await call.Should().ThrowAsync<HubException>($"{method} must be refused with {code}");
            // SignalR's own words come first; the hub's message, from its code on, follows the marker.
            refused.Which.Message.Should().Contain($"HubException: {code}: ");
            HubClient.CodeAndDetail(refused.Which.Message).Should().StartWith($"{code}: ");
        }

        buyer.Connection.State.Should().Be(HubConnectionState.Connected, "a refused call does not cost the connection");
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64().Should().Be(before);
        (await trade.ReservedAsync()).Should().Be(0m);
    }

    static long LastSequence(JsonElement events) => events.EnumerateArray().Max(e => e.GetProperty("sequence").GetInt64());

    static async Task<JsonElement> NextMessageAsync(HubClient hub)
    {
        while (true)
        {
            var e = await hub.NextAsync("RoomEvent");
            if (e.GetProperty("type").GetString() == "message")
            {
                return e;
            }
        }
    }

    /// <summary>A task that completes with the first value an event hands its handler.</summary>
    static Task<T> Signal<T>(Action<Func<T, Task>> subscribe)
    {
        var fired = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe(value =>
        {
            fired.TrySetResult(value);
            return Task.CompletedTask;
        });
        return fired.Task;
    }

    /// <summary>Retries after a fixed pause, a few times: long enough for the test to act while the client is away.</summary>
    sealed class RetryEvery(TimeSpan pause) : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => retryContext.PreviousRetryCount < 20 ? pause : null;
    }
}

public sealed class HubConnectionTests_Sqlite(SqliteApp fixture) : HubConnectionTests<SqliteApp>(fixture), IClassFixture<SqliteApp>;

public sealed class HubConnectionTests_Postgres(PostgresApp fixture) : HubConnectionTests<PostgresApp>(fixture), IClassFixture<PostgresApp>;
