using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.IntegrationTests.LiveSessions;
using Scoda.Market.Web.Features.Search;

namespace Scoda.Market.IntegrationTests.Overview;

public abstract class DashboardTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static string NewId() => Guid.NewGuid().ToString("N");

    static async Task<JsonElement> DashboardAsync(TestUser user, Guid organizationId)
    {
        var response = await user.Client.GetAsync($"/api/dashboard?organizationId={organizationId}", Ct);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.ReadJsonAsync();
    }

    static IEnumerable<Guid> Ids(JsonElement list, string property) => list.EnumerateArray().Select(x => x.GetProperty(property).GetGuid());

    [Fact]
    public async Task An_offer_shows_as_awaiting_the_other_side_with_time_left_and_as_mine_on_the_side_that_made_it()
    {
        var trade = await Trade.CreateAsync(App);
        await using var negotiation = await trade.NegotiateAsync();
        var offer = await negotiation.Buyer.InvokeAsync("MakeOffer", negotiation.Room, NewId(), new TermsBuilder(price: 236m, tonnes: 600m).Build());
        var offerId = offer.GetProperty("payload").GetProperty("offer").GetProperty("id").GetGuid();

        var seller = await DashboardAsync(trade.Seller.Owner, trade.Seller.OrganizationId);
        var awaiting = seller.GetProperty("offersAwaitingMe").EnumerateArray().Single(o => o.GetProperty("offerId").GetGuid() == offerId);
        awaiting.GetProperty("roomId").GetGuid().Should().Be(negotiation.Room);
        awaiting.GetProperty("secondsLeft").GetInt64().Should().BeInRange(1, 2 * 24 * 3600);
        awaiting.GetProperty("counterparty").GetProperty("id").GetGuid().Should().Be(trade.BuyerOrganizationId);
        awaiting.GetProperty("listing").GetProperty("id").GetGuid().Should().Be(trade.ListingId);
        awaiting.GetProperty("price").GetProperty("amount").GetDecimal().Should().Be(236m);
        Ids(seller.GetProperty("myOpenOffers"), "offerId").Should().NotContain(offerId);
        Ids(seller.GetProperty("unreadRooms"), "roomId").Should().Contain(negotiation.Room, "the buyer's offer is unread on the seller's side");

        var buyer = await DashboardAsync(trade.Buyer, trade.BuyerOrganizationId);
        Ids(buyer.GetProperty("myOpenOffers"), "offerId").Should().Contain(offerId);
        Ids(buyer.GetProperty("offersAwaitingMe"), "offerId").Should().NotContain(offerId);
    }

    [Fact]
    public async Task Upcoming_live_sessions_show_on_the_dashboard_and_the_anonymous_landing_page_until_cancelled_or_ended()
    {
        var stage = await LiveStage.CreateAsync(App);
        async Task<HttpResponseMessage> Host(string path) => await stage.Ambassador.Client.PostAsJsonAsync(path, new { reason = "Studio unavailable." }, Ct);
        var scheduled = await stage.ScheduleAsync(stage.Body(DateTimeOffset.UtcNow.AddMinutes(30)));
        var cancelled = await stage.ScheduleAsync(stage.Body(DateTimeOffset.UtcNow.AddMinutes(40)));
        (await Host($"/api/live-sessions/{cancelled}/cancel")).StatusCode.Should().Be(HttpStatusCode.OK);
        var ended = await stage.LiveAsync(stage.Body(DateTimeOffset.UtcNow.AddMinutes(20)));
        (await Host($"/api/live-sessions/{ended}/end")).StatusCode.Should().Be(HttpStatusCode.OK);

        var dashboard = await DashboardAsync(stage.Buyer, stage.Trade.BuyerOrganizationId);
        var landing = await (await App.CreateClient().GetAsync("/api/landing", Ct)).ReadJsonAsync();
        foreach (var sessions in new[] { dashboard.GetProperty("upcomingSessions"), landing.GetProperty("upcomingSessions") })
        {
            Ids(sessions, "id").Should().Contain(scheduled).And.NotContain(cancelled).And.NotContain(ended);
            var shown = sessions.EnumerateArray().Single(s => s.GetProperty("id").GetGuid() == scheduled);
            shown.GetProperty("title").GetProperty("zh").GetString().Should().Be("哈萨克斯坦小麦");
            shown.GetProperty("countryCode").GetString().Should().Be("KZ");
            shown.GetProperty("status").GetString().Should().Be("scheduled");
            shown.GetProperty("startsAt").GetDateTimeOffset().Should().BeCloseTo(DateTimeOffset.UtcNow.AddMinutes(30), TimeSpan.FromMinutes(2));
        }
    }

    [Fact]
    public async Task An_agreed_deal_is_grouped_by_state_with_each_sides_next_action()
    {
        var trade = await Trade.CreateAsync(App);
        await using var negotiation = await trade.NegotiateAsync();
        var offer = await negotiation.Seller.InvokeAsync("MakeOffer", negotiation.Room, NewId(), new TermsBuilder(price: 240m, tonnes: 500m).Build());
        var offerId = offer.GetProperty("payload").GetProperty("offer").GetProperty("id").GetGuid();
        await negotiation.Buyer.InvokeAsync("AcceptOffer", negotiation.Room, offerId, new { total = offer.GetProperty("payload").GetProperty("offer").GetProperty("total") });

        var buyer = await DashboardAsync(trade.Buyer, trade.BuyerOrganizationId);
        var group = buyer.GetProperty("deals").EnumerateArray().Single();
        group.GetProperty("status").GetString().Should().Be("agreed");
        group.GetProperty("count").GetInt32().Should().Be(1);
        group.GetProperty("items")[0].GetProperty("nextAction").GetString().Should().Be("pay_deposit");
        group.GetProperty("items")[0].GetProperty("side").GetString().Should().Be("buyer");
        var seller = await DashboardAsync(trade.Seller.Owner, trade.Seller.OrganizationId);
        seller.GetProperty("deals").EnumerateArray().Single().GetProperty("items")[0].GetProperty("nextAction").GetString().Should().Be("await_deposit");
    }

    [Fact]
    public async Task Listings_expiring_within_a_week_and_low_stock_show_for_the_seller()
    {
        var seller = await Seller.CreateAsync(App);
        var expiring = await new ListingBuilder(seller.OrganizationId).With("validUntil", DateTimeOffset.UtcNow.AddDays(3).ToString("O")).PublishAsync(seller.Owner);
        var later = await new ListingBuilder(seller.OrganizationId).PublishAsync(seller.Owner);
        var warehouse = await seller.AddWarehouseAsync();
        await seller.ReceiveAsync(warehouse, later, "LOT-LOW-1", 120m); // below the 500 t minimum order
        await seller.ReceiveAsync(warehouse, expiring, "LOT-OK-1", 4_000m);

        var dashboard = await DashboardAsync(seller.Owner, seller.OrganizationId);
        var soon = dashboard.GetProperty("expiringListings").EnumerateArray().Single();
        soon.GetProperty("id").GetGuid().Should().Be(expiring);
        soon.GetProperty("daysLeft").GetInt32().Should().BeInRange(2, 3);
        var low = dashboard.GetProperty("lowStock").EnumerateArray().Single();
        low.GetProperty("id").GetGuid().Should().Be(later);
        low.GetProperty("available").GetDecimal().Should().Be(120m);
    }

    [Fact]
    public async Task New_matches_show_for_the_buyer_and_for_the_seller_of_the_listing()
    {
        var seller = await Seller.CreateAsync(App);
        var listing = await new ListingBuilder(seller.OrganizationId).With("originCountry", "BT").PublishAsync(seller.Owner);
        var indexer = App.Services.GetRequiredService<SearchIndexer>();
        await indexer.DrainAsync(Ct);
        var buyer = await App.SignUpAsync();
        var buyerOrg = await new OrganizationBuilder().In("CN").OfKind("importer").CreateAsync(buyer);
        var created = await buyer.Client.PostAsJsonAsync("/api/buy-requests", BuyRequestBody.For(buyerOrg, "BT"), Ct);
        var requestId = (await created.ReadJsonAsync()).GetProperty("id").GetGuid();
        await indexer.DrainAsync(Ct);

        var mine = (await DashboardAsync(buyer, buyerOrg)).GetProperty("newMatches").EnumerateArray().Single();
        mine.GetProperty("side").GetString().Should().Be("buyer");
        mine.GetProperty("buyRequestId").GetGuid().Should().Be(requestId);
        mine.GetProperty("listing").GetProperty("id").GetGuid().Should().Be(listing);
        mine.GetProperty("categoryKey").GetString().Should().Be("wheat");
        var theirs = (await DashboardAsync(seller.Owner, seller.OrganizationId)).GetProperty("newMatches").EnumerateArray().Single();
        theirs.GetProperty("side").GetString().Should().Be("seller");
        theirs.GetProperty("buyRequestId").GetGuid().Should().Be(requestId);
    }

    [Fact]
    public async Task Another_organizations_dashboard_is_not_found_and_never_shows_its_data()
    {
        var trade = await Trade.CreateAsync(App);
        await using var negotiation = await trade.NegotiateAsync();
        var offer = await negotiation.Buyer.InvokeAsync("MakeOffer", negotiation.Room, NewId(), new TermsBuilder().Build());
        var offerId = offer.GetProperty("payload").GetProperty("offer").GetProperty("id").GetGuid();
        var other = await Trade.CreateAsync(App);

        // Outsiders: not found, whether they guess the buyer's or the seller's organization.
        await (await other.Buyer.Client.GetAsync($"/api/dashboard?organizationId={trade.BuyerOrganizationId}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await other.Seller.Owner.Client.GetAsync($"/api/dashboard?organizationId={trade.Seller.OrganizationId}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await (await App.CreateClient().GetAsync($"/api/dashboard?organizationId={trade.BuyerOrganizationId}", Ct)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized))
            .GetProperty("code").GetString().Should().Be("unauthenticated");
        var invalid = await other.Buyer.Client.GetAsync("/api/dashboard", Ct);
        (await invalid.Content.ReadAsStringAsync(Ct)).Should().Contain("\"code\":\"invalid\"");
        (await (await other.Buyer.Client.GetAsync("/api/dashboard", Ct)).ShouldBeValidationProblemAsync()).Should().ContainKey("organizationId");
        (await (await other.Buyer.Client.GetAsync("/api/dashboard?organizationId=nope", Ct)).ShouldBeValidationProblemAsync()).Should().ContainKey("organizationId");

        // Their own dashboards hold nothing of the first trade.
        var theirs = (await DashboardAsync(other.Seller.Owner, other.Seller.OrganizationId)).GetRawText()
            + (await DashboardAsync(other.Buyer, other.BuyerOrganizationId)).GetRawText();
        theirs.Should().NotContain(offerId.ToString()).And.NotContain(negotiation.Room.ToString()).And.NotContain(trade.ListingId.ToString());
    }
}

public sealed class DashboardTests_Sqlite(SqliteApp app) : DashboardTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class DashboardTests_Postgres(PostgresApp app) : DashboardTests<PostgresApp>(app), IClassFixture<PostgresApp>;
