using System.Text.Json;
using FluentAssertions;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.Deals;

/// <summary>A deal agreed in a room: the seller offered 500 t from its warehouse, the buyer accepted.</summary>
public sealed record AgreedTrade(Trade Trade, Guid DealId, Guid RoomId)
{
    public TestUser Buyer => Trade.Buyer;
    public TestUser Seller => Trade.Seller.Owner;

    /// <summary>Agrees a deal on a fresh trade; <paramref name="terms"/> changes the seller's offer (the warehouse is always named).</summary>
    public static async Task<AgreedTrade> CreateAsync(MarketApp app, Func<TermsBuilder, TermsBuilder>? terms = null, decimal stock = 1_000m)
    {
        var trade = await Trade.CreateAsync(app, stock);
        await using var negotiation = await trade.NegotiateAsync();
        var builder = new TermsBuilder(price: 240m, tonnes: 500m).FromWarehouse(trade.WarehouseId);
        var offer = await negotiation.Seller.InvokeAsync("MakeOffer", negotiation.Room, Guid.NewGuid().ToString("N"), (terms?.Invoke(builder) ?? builder).Build());
        var offered = offer.GetProperty("payload").GetProperty("offer");
        var accepted = await negotiation.Buyer.InvokeAsync("AcceptOffer", negotiation.Room, offered.GetProperty("id").GetGuid());
        accepted.GetProperty("type").GetString().Should().Be("offer_accepted");
        var room = await Trade.RoomAsync(trade.Buyer, negotiation.Room);
        return new AgreedTrade(trade, room.GetProperty("dealId").GetGuid(), negotiation.Room);
    }

    public async Task<JsonElement> DealAsync(TestUser? user = null) =>
        await (await (user ?? Buyer).Client.GetAsync($"/api/deals/{DealId}")).ReadJsonAsync();
}
