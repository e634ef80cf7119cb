using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.Deals;

/// <summary>Binding acceptance (the total echoed) and the second Owner's approval above an organization's threshold.</summary>
public abstract class AcceptanceApprovalTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A room where the seller offered 500 t at 240 USD/t (120,000 USD) from its warehouse.</summary>
    async Task<(Trade Trade, Guid Room, Guid Offer, JsonElement Offered)> OfferedAsync()
    {
        var trade = await Trade.CreateAsync(App);
        await using var negotiation = await trade.NegotiateAsync();
        var offer = await negotiation.Seller.InvokeAsync("MakeOffer", negotiation.Room, Guid.NewGuid().ToString("N"),
            new TermsBuilder(price: 240m, tonnes: 500m).FromWarehouse(trade.WarehouseId).Build());
        var offered = offer.GetProperty("payload").GetProperty("offer");
        return (trade, negotiation.Room, offered.GetProperty("id").GetGuid(), offered);
    }

    static Task<HttpResponseMessage> AcceptAsync(TestUser user, Guid room, Guid offer, object? body) =>
        body is null
            ? user.Client.PostAsync($"/api/negotiations/{room}/offers/{offer}/accept", null)
            : user.Client.PostAsJsonAsync($"/api/negotiations/{room}/offers/{offer}/accept", body);

    static object Total(decimal amount, string currency = "USD") => new { total = new { amount, currency } };

    async Task<TestUser> SecondOwnerAsync(Trade trade, string role = "owner")
    {
        var user = await App.SignUpAsync();
        (await trade.Buyer.Client.PostAsJsonAsync($"/api/organizations/{trade.BuyerOrganizationId}/members", new { email = user.Email, role }, Ct))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        return user;
    }

    static Task<HttpResponseMessage> SetThresholdAsync(Trade trade, decimal amount, string currency, TestUser? by = null) =>
        (by ?? trade.Buyer).Client.PutAsJsonAsync($"/api/organizations/{trade.BuyerOrganizationId}/settings",
            new { approvalThreshold = new { amount, currency } }, Ct);

    [Fact]
    public async Task Accepting_needs_the_offers_total_echoed_and_the_offer_carries_it()
    {
        var (trade, room, offer, offered) = await OfferedAsync();
        offered.GetProperty("total").GetProperty("amount").GetDecimal().Should().Be(120_000m);

        (await (await AcceptAsync(trade.Buyer, room, offer, null)).ShouldBeValidationProblemAsync()).Should().ContainKey("confirmation.total");
        (await (await AcceptAsync(trade.Buyer, room, offer, new { })).ShouldBeValidationProblemAsync()).Should().ContainKey("confirmation.total");
        var wrong = await (await AcceptAsync(trade.Buyer, room, offer, Total(12_000m))).ShouldBeValidationProblemAsync();
        wrong["confirmation.total"].Single().Should().Contain("120000 USD");
        (await (await AcceptAsync(trade.Buyer, room, offer, Total(120_000m, "CNY"))).ShouldBeValidationProblemAsync()).Should().ContainKey("confirmation.total");
        await using (var hub = await trade.ConnectAsync(trade.Buyer))
        {
            (await hub.InvokeExpectingErrorAsync("AcceptOffer", room, offer, null)).Should().StartWith("invalid:").And.Contain("confirmation.total");
        }
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("status").GetString().Should().Be("open");
        (await trade.ReservedAsync()).Should().Be(0m);

        (await AcceptAsync(trade.Buyer, room, offer, Total(120_000m))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("status").GetString().Should().Be("agreed");
    }

    [Fact]
    public async Task Above_the_threshold_a_second_owner_approves_and_the_same_owner_cannot()
    {
        var (trade, room, offer, _) = await OfferedAsync();
        var second = await SecondOwnerAsync(trade);
        var trader = await SecondOwnerAsync(trade, "trader");
        (await SetThresholdAsync(trade, 100_000m, "USD")).StatusCode.Should().Be(HttpStatusCode.OK);

        var pending = await AcceptAsync(trade.Buyer, room, offer, Total(120_000m));
        pending.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var body = await pending.ReadJsonAsync();
        body.GetProperty("status").GetString().Should().Be("pending_approval");
        var approval = body.GetProperty("approvalId").GetGuid();
        body.GetProperty("event").GetProperty("type").GetString().Should().Be("acceptance_pending");
        var roomNow = await Trade.RoomAsync(trade.Buyer, room);
        roomNow.GetProperty("status").GetString().Should().Be("open");
        roomNow.GetProperty("openOffer").GetProperty("id").GetGuid().Should().Be(offer);
        (await AcceptAsync(second, room, offer, Total(120_000m))).StatusCode.Should().Be(HttpStatusCode.Conflict);

        var approve = $"/api/negotiations/{room}/approvals/{approval}/approve";
        (await trade.Buyer.Client.PostAsync(approve, null, Ct)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await trader.Client.PostAsync(approve, null, Ct)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await trade.Seller.Owner.Client.PostAsync(approve, null, Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await (await App.SignUpAsync()).Client.PostAsync(approve, null, Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("status").GetString().Should().Be("open");

        var approved = await second.Client.PostAsync(approve, null, Ct);
        approved.StatusCode.Should().Be(HttpStatusCode.OK, await approved.Content.ReadAsStringAsync(Ct));
        (await approved.ReadJsonAsync()).GetProperty("type").GetString().Should().Be("offer_accepted");
        var agreed = await Trade.RoomAsync(trade.Buyer, room);
        agreed.GetProperty("status").GetString().Should().Be("agreed");
        var dealId = agreed.GetProperty("dealId").GetGuid();
        (await App.WithScopeAsync(s => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Web.Data.MarketDbContext>(s).Deals.AsNoTracking().SingleAsync(d => d.Id == dealId, Ct))).AcceptedBy.Should().Be(trade.Buyer.Id);
        (await trade.ReservedAsync()).Should().Be(500m);
        (await second.Client.PostAsync(approve, null, Ct)).StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_threshold_compares_across_currencies_at_the_stored_rates()
    {
        // 120,000 USD is 854,400 CNY at 7.12.
        var (under, underRoom, underOffer, _) = await OfferedAsync();
        (await SetThresholdAsync(under, 860_000m, "CNY")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await AcceptAsync(under.Buyer, underRoom, underOffer, Total(120_000m))).StatusCode.Should().Be(HttpStatusCode.OK);

        var (over, overRoom, overOffer, _) = await OfferedAsync();
        (await SetThresholdAsync(over, 850_000m, "CNY")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await AcceptAsync(over.Buyer, overRoom, overOffer, Total(120_000m))).StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task An_offer_that_expired_or_was_withdrawn_while_waiting_cannot_be_approved()
    {
        var (trade, room, offer, _) = await OfferedAsync();
        var second = await SecondOwnerAsync(trade);
        await SetThresholdAsync(trade, 1_000m, "USD");
        var approval = (await (await AcceptAsync(trade.Buyer, room, offer, Total(120_000m))).ReadJsonAsync()).GetProperty("approvalId").GetGuid();
        await App.WithDbAsync(db => db.Offers.Where(o => o.Id == offer).ExecuteUpdateAsync(s => s.SetProperty(o => o.ValidUntil, DateTimeOffset.UtcNow.AddMinutes(-1)), Ct));

        var expired = await second.Client.PostAsync($"/api/negotiations/{room}/approvals/{approval}/approve", null, Ct);
        (await expired.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("detail").GetString().Should().Contain("expired");

        var (other, otherRoom, otherOffer, _) = await OfferedAsync();
        var otherSecond = await SecondOwnerAsync(other);
        await SetThresholdAsync(other, 1_000m, "USD");
        var otherApproval = (await (await AcceptAsync(other.Buyer, otherRoom, otherOffer, Total(120_000m))).ReadJsonAsync()).GetProperty("approvalId").GetGuid();
        (await other.Seller.Owner.Client.PostAsync($"/api/negotiations/{otherRoom}/offers/{otherOffer}/withdraw", null, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await otherSecond.Client.PostAsync($"/api/negotiations/{otherRoom}/approvals/{otherApproval}/approve", null, Ct))
            .StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await Trade.RoomAsync(other.Buyer, otherRoom)).GetProperty("status").GetString().Should().Be("open");
    }

    [Fact]
    public async Task Only_owners_set_the_threshold_and_outsiders_do_not_see_it()
    {
        var (trade, _, _, _) = await OfferedAsync();
        var trader = await SecondOwnerAsync(trade, "trader");
        var settings = $"/api/organizations/{trade.BuyerOrganizationId}/settings";

        (await SetThresholdAsync(trade, 50_000m, "USD", trader)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await SetThresholdAsync(trade, 50_000m, "USD", trade.Seller.Owner)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await (await SetThresholdAsync(trade, 50_000m, "XXX")).ShouldBeValidationProblemAsync()).Should().ContainKey("approvalThreshold.currency");
        (await (await SetThresholdAsync(trade, -5m, "USD")).ShouldBeValidationProblemAsync()).Should().ContainKey("approvalThreshold.amount");
        (await SetThresholdAsync(trade, 50_000m, "usd")).StatusCode.Should().Be(HttpStatusCode.OK);

        var read = await (await trader.Client.GetAsync(settings, Ct)).ReadJsonAsync();
        read.GetProperty("approvalThreshold").GetProperty("amount").GetDecimal().Should().Be(50_000m);
        read.GetProperty("approvalThreshold").GetProperty("currency").GetString().Should().Be("USD");
        (await trade.Seller.Owner.Client.GetAsync(settings, Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await trade.Buyer.Client.PutAsJsonAsync(settings, new { approvalThreshold = (object?)null }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await trader.Client.GetAsync(settings, Ct)).ReadJsonAsync()).GetProperty("approvalThreshold").ValueKind.Should().Be(JsonValueKind.Null);
    }
}

public sealed class AcceptanceApprovalTests_Sqlite(SqliteApp fixture) : AcceptanceApprovalTests<SqliteApp>(fixture), IClassFixture<SqliteApp>;

public sealed class AcceptanceApprovalTests_Postgres(PostgresApp fixture) : AcceptanceApprovalTests<PostgresApp>(fixture), IClassFixture<PostgresApp>;
