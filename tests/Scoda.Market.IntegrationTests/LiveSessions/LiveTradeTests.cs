using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.LiveSessions;

/// <summary>From a session to business: firm interest, quote requests into negotiation rooms, the seller's first offer, the report.</summary>
public abstract class LiveTradeTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static string NewId() => Guid.NewGuid().ToString("N");

    static object Tonnes(decimal value) => new { value, unit = "t" };

    [Fact]
    public async Task Interest_comes_from_verified_buyers_on_pinned_or_featured_listings_only()
    {
        var stage = await LiveStage.CreateAsync(App);
        var session = await stage.LiveAsync();
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;
        var other = await Trade.CreateAsync(App, stock: 0, seller: stage.Seller,
            listingId: await new ListingBuilder(stage.Seller.OrganizationId).PublishAsync(stage.Seller.Owner));
        var notShown = other.ListingId;
        var unverified = await stage.AnotherBuyerAsync(verified: false);
        var (stranger, _) = await stage.JoinAsync(unverified, session);
        await using var _s = stranger;
        var until = DateTimeOffset.UtcNow.AddDays(3);

        (await buyer.InvokeExpectingErrorAsync("ExpressInterest", session, notShown, Tonnes(500), null, until)).Should().StartWith("invalid: listingId:");
        (await stranger.InvokeExpectingErrorAsync("ExpressInterest", session, stage.ListingId, Tonnes(500), null, until)).Should().StartWith("forbidden:");
        (await buyer.InvokeExpectingErrorAsync("ExpressInterest", session, stage.ListingId, Tonnes(0), null, until)).Should().StartWith("invalid: quantity.value:");
        (await buyer.InvokeExpectingErrorAsync("ExpressInterest", session, stage.ListingId, Tonnes(9_000), null, until)).Should().StartWith("invalid: quantity.value:");
        (await buyer.InvokeExpectingErrorAsync("ExpressInterest", session, stage.ListingId, Tonnes(500),
            new { amount = 230, currency = "XYZ", unit = "t" }, until)).Should().StartWith("invalid: priceHint.currency:");
        (await buyer.InvokeExpectingErrorAsync("ExpressInterest", session, stage.ListingId, Tonnes(500), null,
            DateTimeOffset.UtcNow.AddMinutes(1))).Should().StartWith("invalid: validUntil:");
        (await buyer.InvokeExpectingErrorAsync("ExpressInterest", session, stage.ListingId, "lots", null, until)).Should().StartWith("invalid:");
        var count = 0;
        await App.WithDbAsync(async db => count = await db.LiveInterests.CountAsync(i => i.SessionId == session, Ct));
        count.Should().Be(0);

        var interest = await buyer.InvokeAsync("ExpressInterest", session, stage.ListingId, Tonnes(500), new { amount = 1_650, currency = "CNY", unit = "t" }, until);

        interest.GetProperty("type").GetString().Should().Be("interest");
        interest.GetProperty("payload").GetProperty("quantity").GetDecimal().Should().Be(500m);
        interest.GetProperty("payload").TryGetProperty("priceHint", out _).Should().BeFalse("the price hint is for the seller, not the audience");
        var sellerView = await (await stage.Seller.Owner.Client.GetAsync($"/api/live-sessions/{session}/interests", Ct)).ReadJsonAsync();
        sellerView.EnumerateArray().Single().GetProperty("priceHint").GetProperty("currency").GetString().Should().Be("CNY");
        var strangerView = await (await unverified.Client.GetAsync($"/api/live-sessions/{session}/interests", Ct)).ReadJsonAsync();
        strangerView.EnumerateArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Request_quote_opens_the_room_once_with_the_sessions_system_event()
    {
        var stage = await LiveStage.CreateAsync(App);
        var session = await stage.LiveAsync();
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;

        var first = await buyer.InvokeAsync("RequestQuote", session, stage.ListingId);
        var again = await buyer.InvokeAsync("RequestQuote", session, stage.ListingId);

        var room = first.GetProperty("roomId").GetGuid();
        first.GetProperty("created").GetBoolean().Should().BeTrue();
        again.GetProperty("roomId").GetGuid().Should().Be(room);
        again.GetProperty("created").GetBoolean().Should().BeFalse();
        var events = await (await stage.Buyer.Client.GetAsync($"/api/negotiations/{room}/events", Ct)).ReadJsonAsync();
        var fromSession = events.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "system" && e.GetProperty("payload").GetProperty("action").GetString() == "from_live_session").ToList();
        fromSession.Should().ContainSingle();
        fromSession[0].GetProperty("payload").GetProperty("sessionId").GetGuid().Should().Be(session);
        fromSession[0].GetProperty("payload").GetProperty("title").GetString().Should().Be("Kazakh wheat for Qingdao mills");
        var noOrganization = await App.SignUpAsync();
        var (lonely, _) = await stage.JoinAsync(noOrganization, session);
        await using var _l = lonely;
        (await lonely.InvokeExpectingErrorAsync("RequestQuote", session, stage.ListingId)).Should().StartWith("forbidden:");
        (await buyer.InvokeExpectingErrorAsync("RequestQuote", session, Guid.NewGuid())).Should().StartWith("invalid: listingId:");
    }

    [Fact]
    public async Task The_seller_turns_an_interest_into_a_first_offer_in_one_action_and_the_report_counts_it()
    {
        var stage = await LiveStage.CreateAsync(App);
        var session = await stage.LiveAsync();
        var (host, _) = await stage.JoinAsync(stage.Ambassador, session);
        await using var _h = host;
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;
        await host.InvokeAsync("PinListing", session, stage.ListingId);
        await buyer.InvokeAsync("AskQuestion", session, NewId(), "Protein?");
        var interest = await buyer.InvokeAsync("ExpressInterest", session, stage.ListingId, Tonnes(600), new { amount = 240, currency = "USD", unit = "t" },
            DateTimeOffset.UtcNow.AddDays(3));
        var interestId = interest.GetProperty("payload").GetProperty("interestId").GetGuid();

        var byBuyer = await stage.Buyer.Client.PostAsync($"/api/live-sessions/{session}/interests/{interestId}/offer", null, Ct);
        var byStranger = await (await App.SignUpAsync()).Client.PostAsync($"/api/live-sessions/{session}/interests/{interestId}/offer", null, Ct);
        var offered = await stage.Seller.Owner.Client.PostAsync($"/api/live-sessions/{session}/interests/{interestId}/offer", null, Ct);
        var repeated = await stage.Seller.Owner.Client.PostAsync($"/api/live-sessions/{session}/interests/{interestId}/offer", null, Ct);

        await byBuyer.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await byStranger.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        offered.StatusCode.Should().Be(HttpStatusCode.OK, await offered.Content.ReadAsStringAsync(Ct));
        var result = await offered.ReadJsonAsync();
        (await repeated.ReadJsonAsync()).GetProperty("offerId").GetGuid().Should().Be(result.GetProperty("offerId").GetGuid());
        var room = await Trade.RoomAsync(stage.Buyer, result.GetProperty("roomId").GetGuid());
        var offer = room.GetProperty("openOffer");
        offer.GetProperty("side").GetString().Should().Be("seller");
        offer.GetProperty("terms").GetProperty("price").GetProperty("amount").GetDecimal().Should().Be(240m);
        offer.GetProperty("terms").GetProperty("quantity").GetProperty("value").GetDecimal().Should().Be(600m);
        offer.GetProperty("terms").GetProperty("incoterm").GetString().Should().Be("DAP");
        offer.GetProperty("terms").GetProperty("namedPlace").GetString().Should().Be("Khorgos");

        // The buyer accepts: the report counts the room and the deal.
        await using var negotiation = await App.ConnectHubAsync(Trade.Hub, stage.Buyer);
        await negotiation.InvokeAsync("JoinRoom", room.GetProperty("id").GetGuid(), 0L);
        await negotiation.InvokeAsync("AcceptOffer", room.GetProperty("id").GetGuid(), result.GetProperty("offerId").GetGuid(), new { total = offer.GetProperty("total") });

        var report = await (await stage.Ambassador.Client.GetAsync($"/api/live-sessions/{session}/report", Ct)).ReadJsonAsync();
        report.GetProperty("scope").GetString().Should().Be("all");
        report.GetProperty("questions").GetProperty("asked").GetInt32().Should().Be(1);
        report.GetProperty("questions").GetProperty("answered").GetInt32().Should().Be(0);
        report.GetProperty("uniqueViewers").GetInt32().Should().Be(2);
        report.GetProperty("roomsOpened").GetInt32().Should().Be(1);
        report.GetProperty("dealsCreated").GetInt32().Should().Be(1);
        var line = report.GetProperty("interest").EnumerateArray().Single();
        line.GetProperty("listingId").GetGuid().Should().Be(stage.ListingId);
        line.GetProperty("quantity").GetDecimal().Should().Be(600m);
        line.GetProperty("value").GetDecimal().Should().Be(144_000m);
        line.GetProperty("dealsCreated").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task The_report_is_for_the_host_admins_and_featured_exporters_own_lines()
    {
        var stage = await LiveStage.CreateAsync(App);
        var second = await Seller.CreateAsync(App);
        await Inventory.Reservations.VerifyOrganizationAsync(App, second.OrganizationId);
        var secondListing = await new ListingBuilder(second.OrganizationId).PublishAsync(second.Owner);
        var body = stage.Body();
        body["featuredListingIds"] = new System.Text.Json.Nodes.JsonArray(stage.ListingId.ToString(), secondListing.ToString());
        var session = await stage.LiveAsync(body);
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;
        var until = DateTimeOffset.UtcNow.AddDays(3);
        await buyer.InvokeAsync("ExpressInterest", session, stage.ListingId, Tonnes(500), null, until);
        await buyer.InvokeAsync("ExpressInterest", session, secondListing, Tonnes(700), null, until);

        var admin = await (await App.SignUpWithRoleAsync("Admin")).Client.GetAsync($"/api/live-sessions/{session}/report", Ct);
        var exporter = await (await second.Owner.Client.GetAsync($"/api/live-sessions/{session}/report", Ct)).ReadJsonAsync();
        var buyerTry = await stage.Buyer.Client.GetAsync($"/api/live-sessions/{session}/report", Ct);
        var otherAmbassador = await (await LiveStage.AmbassadorAsync(App, "KZ")).Client.GetAsync($"/api/live-sessions/{session}/report.csv", Ct);
        var moderator = await (await App.SignUpWithRoleAsync("Moderator")).Client.GetAsync($"/api/live-sessions/{session}/report", Ct);
        var anonymous = await App.CreateClient().GetAsync($"/api/live-sessions/{session}/report", Ct);
        var unknown = await stage.Ambassador.Client.GetAsync($"/api/live-sessions/{Guid.NewGuid()}/report", Ct);

        (await admin.ReadJsonAsync()).GetProperty("interest").GetArrayLength().Should().Be(2);
        exporter.GetProperty("scope").GetString().Should().Be("own_listings");
        exporter.GetProperty("interest").EnumerateArray().Select(l => l.GetProperty("listingId").GetGuid()).Should().Equal(secondListing);
        await buyerTry.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await otherAmbassador.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await moderator.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_report_comes_as_csv_too()
    {
        var stage = await LiveStage.CreateAsync(App);
        var unsafeTitle = await new ListingBuilder(stage.Seller.OrganizationId).With("title", new System.Text.Json.Nodes.JsonObject { ["en"] = "=HYPERLINK(\"x\"), wheat" })
            .PublishAsync(stage.Seller.Owner);
        var body = stage.Body();
        body["featuredListingIds"] = new System.Text.Json.Nodes.JsonArray(unsafeTitle.ToString());
        var session = await stage.LiveAsync(body);
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;
        await buyer.InvokeAsync("ExpressInterest", session, unsafeTitle, Tonnes(500), null, DateTimeOffset.UtcNow.AddDays(3));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/live-sessions/{session}/report");
        request.Headers.Accept.ParseAdd("text/csv");
        var byAccept = await stage.Ambassador.Client.SendAsync(request, Ct);
        var byPath = await stage.Ambassador.Client.GetAsync($"/api/live-sessions/{session}/report.csv", Ct);

        byAccept.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        var csv = await byPath.Content.ReadAsStringAsync(Ct);
        (await byAccept.Content.ReadAsStringAsync(Ct)).Should().Be(csv);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("metric,at,listing_id,listing,count,quantity,unit,value,currency");
        lines.Should().Contain("unique_viewers,,,,1,,,,");
        lines.Should().Contain($"interest,,{unsafeTitle},\"'=HYPERLINK(\"\"x\"\"), wheat\",1,500,t,122750,USD");
    }
}

public sealed class LiveTradeTests_Sqlite(SqliteApp fixture) : LiveTradeTests<SqliteApp>(fixture), IClassFixture<SqliteApp>;

public sealed class LiveTradeTests_Postgres(PostgresApp fixture) : LiveTradeTests<PostgresApp>(fixture), IClassFixture<PostgresApp>;
