using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;

namespace Scoda.Market.IntegrationTests.Infrastructure;

/// <summary>
/// A seller with a published wheat listing and stock in a warehouse, and a buyer organization: the starting point of
/// negotiation tests.
/// </summary>
public sealed record Trade(MarketApp App, Seller Seller, Guid ListingId, Guid WarehouseId, TestUser Buyer, Guid BuyerOrganizationId)
{
    public const string Hub = "/hubs/negotiations";

    public static async Task<Trade> CreateAsync(MarketApp app, decimal stock = 1_000m, Seller? seller = null, Guid? listingId = null, Guid? warehouseId = null)
    {
        seller ??= await Seller.CreateAsync(app);
        var listing = listingId ?? await new ListingBuilder(seller.OrganizationId).With("minOrder.value", 100).PublishAsync(seller.Owner);
        var warehouse = warehouseId ?? await seller.AddWarehouseAsync();
        if (listingId is null && stock > 0)
        {
            await seller.ReceiveAsync(warehouse, listing, $"LOT-{Guid.NewGuid():N}"[..12], stock);
        }
        var buyer = await app.SignUpAsync(TestUsers.NewEmail("buyer"));
        var buyerOrganization = await new OrganizationBuilder().In("CN").OfKind("importer").CreateAsync(buyer);
        return new Trade(app, seller, listing, warehouse, buyer, buyerOrganization);
    }

    /// <summary>Another buyer for the same listing and warehouse.</summary>
    public Task<Trade> AnotherBuyerAsync() => CreateAsync(App, 0, Seller, ListingId, WarehouseId);

    public Task<HttpResponseMessage> PostOpenAsync(object? body = null, TestUser? by = null) =>
        (by ?? Buyer).Client.PostAsJsonAsync("/api/negotiations", body ?? new { listingId = ListingId, buyerOrganizationId = BuyerOrganizationId });

    /// <summary>Opens the room and returns its id.</summary>
    public async Task<Guid> OpenRoomAsync()
    {
        var response = await PostOpenAsync();
        response.StatusCode.Should().BeOneOf([HttpStatusCode.Created, HttpStatusCode.OK], await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>A hub connection of <paramref name="user"/> over the test server's WebSocket client.</summary>
    public Task<HubClient> ConnectAsync(TestUser user) => App.ConnectHubAsync(Hub, user);

    /// <summary>Connects and joins; returns the connection and the events the join returned.</summary>
    public async Task<(HubClient Hub, JsonElement Events)> JoinAsync(TestUser user, Guid roomId, long after = 0)
    {
        var hub = await ConnectAsync(user);
        return (hub, await hub.InvokeAsync("JoinRoom", roomId, after));
    }

    /// <summary>Opens the buyer's room and joins it over the hub, first as the seller's owner, then as the buyer.</summary>
    public async Task<Negotiation> NegotiateAsync()
    {
        var room = await OpenRoomAsync();
        var (seller, sellerJoined) = await JoinAsync(Seller.Owner, room);
        try
        {
            var (buyer, _) = await JoinAsync(Buyer, room);
            return new Negotiation(room, seller, buyer, sellerJoined);
        }
        catch
        {
            await seller.DisposeAsync();
            throw;
        }
    }

    public static async Task<JsonElement> RoomAsync(TestUser user, Guid roomId) =>
        await (await user.Client.GetAsync($"/api/negotiations/{roomId}")).ReadJsonAsync();

    /// <summary>Reserved tonnes of the listing in the warehouse, straight from the stock lots.</summary>
    public async Task<decimal> ReservedAsync() =>
        await App.WithScopeAsync(s => Task.FromResult(s.GetRequiredService<Scoda.Market.Web.Data.MarketDbContext>().StockLots
            .Where(l => l.ListingId == ListingId && l.WarehouseId == WarehouseId).AsEnumerable().Sum(l => l.Reserved)));
}

/// <summary>A room with both sides connected to the hub (what the seller's JoinRoom returned too); disposing closes both.</summary>
public sealed record Negotiation(Guid Room, HubClient Seller, HubClient Buyer, JsonElement SellerJoined) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Buyer.DisposeAsync();
        await Seller.DisposeAsync();
    }
}

/// <summary>A term sheet for <c>MakeOffer</c>, valid by default (500 t of wheat at 240 USD/t, DAP Khorgos by rail).</summary>
public sealed class TermsBuilder
{
    readonly JsonObject _terms;

    public TermsBuilder(decimal price = 240m, decimal tonnes = 500m)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        _terms = new JsonObject
        {
            ["price"] = new JsonObject { ["amount"] = price, ["currency"] = "USD", ["unit"] = "t" },
            ["quantity"] = new JsonObject { ["value"] = tonnes, ["unit"] = "t" },
            ["tolerancePercent"] = 5,
            ["incoterm"] = "DAP",
            ["namedPlace"] = "Khorgos",
            ["deliveryMode"] = "rail",
            ["deliveryWindow"] = new JsonObject { ["from"] = today.AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["to"] = today.AddDays(40).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
            ["paymentTerms"] = "lc_sight",
            ["inspectionBody"] = "SGS",
            ["specs"] = new JsonObject { ["protein"] = 12.5 },
            ["validUntil"] = DateTimeOffset.UtcNow.AddDays(2).ToString("O"),
        };
    }

    /// <summary>Sets a field by a dotted path (<c>price.amount</c>); null removes it.</summary>
    public TermsBuilder With(string path, JsonNode? value)
    {
        var (parent, name) = JsonPaths.Walk(_terms, path);
        if (value is null)
        {
            parent.Remove(name);
        }
        else
        {
            parent[name] = value;
        }
        return this;
    }

    public TermsBuilder FromWarehouse(Guid warehouseId) => With("sourceWarehouseId", warehouseId.ToString());

    public TermsBuilder Countering(Guid offerId) => With("counterToOfferId", offerId.ToString());

    public JsonObject Build() => (JsonObject)_terms.DeepClone();
}
