using FluentAssertions;
using Microsoft.AspNetCore.SignalR;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.Negotiations;

/// <summary>The hub's limits, on a host configured with small ones so the tests stay quick.</summary>
public sealed class NegotiationLimitTests : IAsyncLifetime
{
    MarketApp _app = null!;

    public async ValueTask InitializeAsync() =>
        _app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Negotiations:HubCallsPerSecond"] = "1",
            ["Negotiations:HubCallBurst"] = "6",
            ["Negotiations:MaxRoomsPerConnection"] = "1",
        });

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Flooding_the_hub_is_refused_per_user_and_stores_nothing_more()
    {
        var trade = await Trade.CreateAsync(_app, stock: 0);
        var room = await trade.OpenRoomAsync();
        await using var buyer = await trade.ConnectAsync(trade.Buyer);
        await using var seller = await trade.ConnectAsync(trade.Seller.Owner);

        var outcomes = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            try
            {
                await buyer.InvokeAsync("SendMessage", room, $"flood-{i}", $"message {i}");
                outcomes.Add("stored");
            }
            catch (HubException ex)
            {
                outcomes.Add(HubClient.CodeAndDetail(ex.Message));
            }
        }

        var stored = outcomes.Count(o => o == "stored");
        stored.Should().BeInRange(6, 8, "a burst of 6 plus what one call a second refills while the loop runs");
        outcomes.Where(o => o != "stored").Should().OnlyContain(o => o.StartsWith("rate_limited:", StringComparison.Ordinal));
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64().Should().Be(2 + stored);
        // The limit is per user: the seller still gets through.
        await seller.InvokeAsync("JoinRoom", room, 0);
    }

    [Fact]
    public async Task A_connection_follows_a_limited_number_of_rooms()
    {
        var first = await Trade.CreateAsync(_app, stock: 0);
        var second = await first.AnotherBuyerAsync();
        var firstRoom = await first.OpenRoomAsync();
        var secondRoom = await second.OpenRoomAsync();
        await using var seller = await first.ConnectAsync(first.Seller.Owner);

        await seller.InvokeAsync("JoinRoom", firstRoom, 0);
        (await seller.InvokeExpectingErrorAsync("JoinRoom", secondRoom, 0)).Should().StartWith("invalid:").And.Contain("at most 1 rooms");
        await seller.InvokeAsync("JoinRoom", firstRoom, 0); // rejoining a followed room is not another room
        await seller.InvokeAsync("LeaveRoom", firstRoom);
        await seller.InvokeAsync("JoinRoom", secondRoom, 0);
    }
}
