using System.Text.Json;
using System.Net.Http.Json;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
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
        var accepted = await negotiation.Buyer.InvokeAsync("AcceptOffer", negotiation.Room, offered.GetProperty("id").GetGuid(), ConfirmationOf(offered));
        accepted.GetProperty("type").GetString().Should().Be("offer_accepted");
        var room = await Trade.RoomAsync(trade.Buyer, negotiation.Room);
        return new AgreedTrade(trade, room.GetProperty("dealId").GetGuid(), negotiation.Room);
    }

    /// <summary>What a client echoes to accept an offer: the total it showed.</summary>
    public static object ConfirmationOf(JsonElement offer) => new { total = offer.GetProperty("total") };

    /// <summary>Moves the deal as payments would (the system), in a transaction of its own.</summary>
    public Task<bool> AdvanceBySystemAsync(Scoda.Market.Web.Features.Deals.DealStatus to) =>
        Trade.App.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<Scoda.Market.Web.Data.MarketDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await s.GetRequiredService<Scoda.Market.Web.Features.Deals.DealService>().AdvanceBySystemAsync(DealId, to, null, "test", default);
            await transaction.CommitAsync();
            return true;
        });

    public Task<HttpResponseMessage> PostAsync(string action, object? body = null, TestUser? by = null) =>
        (by ?? Buyer).Client.PostAsJsonAsync($"/api/deals/{DealId}/{action}", body ?? new { });

    /// <summary>The seller uploads a PDF for one checklist kind; returns the response.</summary>
    public async Task<HttpResponseMessage> UploadAsync(string kind, byte[]? bytes = null, string fileName = "document.pdf", TestUser? by = null)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(kind), "kind");
        var file = new ByteArrayContent(bytes ?? SampleFiles.Pdf());
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", fileName);
        return await (by ?? Seller).Client.PostAsync($"/api/deals/{DealId}/documents", form);
    }

    /// <summary>Uploads every required document and has the buyer accept each.</summary>
    public async Task UploadAndAcceptAllAsync()
    {
        var deal = await DealAsync();
        foreach (var item in deal.GetProperty("checklist").EnumerateArray().Where(i => i.GetProperty("status").GetString() != "accepted"))
        {
            var kind = item.GetProperty("kind").GetString()!;
            var id = item.GetProperty("documentId").ValueKind == JsonValueKind.String && item.GetProperty("status").GetString() == "uploaded"
                ? item.GetProperty("documentId").GetGuid()
                : (await (await UploadAsync(kind)).ReadJsonAsync()).GetProperty("documentId").GetGuid();
            (await PostAsync($"documents/{id}/accept")).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        }
    }

    public async Task<JsonElement> DealAsync(TestUser? user = null) =>
        await (await (user ?? Buyer).Client.GetAsync($"/api/deals/{DealId}")).ReadJsonAsync();
}
