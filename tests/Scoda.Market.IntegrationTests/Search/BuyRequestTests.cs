using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Search;
using Scoda.Market.Web.Features.Taxonomy;

namespace Scoda.Market.IntegrationTests.Search;

public abstract class BuyRequestTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    Task<int> IndexAsync() => App.Services.GetRequiredService<SearchIndexer>().DrainAsync(Ct);

    /// <summary>Wheat of 12–14 % protein, 2,000 t DAP Khorgos, target 230 USD/t; each test uses its own origin country so
    /// listings of other tests in the shared index do not interfere.</summary>
    async Task<(TestUser User, Guid Organization)> BuyerAsync()
    {
        var user = await App.SignUpAsync();
        return (user, await new OrganizationBuilder().In("CN").OfKind("importer").CreateAsync(user));
    }

    static async Task<JsonElement> NotificationsAsync(TestUser user) => await (await user.Client.GetAsync("/api/notifications", Ct)).ReadJsonAsync();

    [Fact]
    public async Task A_new_buy_request_finds_existing_listings_and_a_new_listing_finds_open_buy_requests_with_reasons()
    {
        const string origin = "MN";
        var seller = await Seller.CreateAsync(App);
        var early = await new ListingBuilder(seller.OrganizationId).With("originCountry", origin).With("specs.protein", 12.5).PublishAsync(seller.Owner);
        await IndexAsync();
        var (buyer, buyerOrg) = await BuyerAsync();

        var created = await buyer.Client.PostAsJsonAsync("/api/buy-requests", BuyRequestBody.For(buyerOrg, origin), Ct);
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        var requestId = (await created.ReadJsonAsync()).GetProperty("id").GetGuid();
        await IndexAsync();

        var matches = await (await buyer.Client.GetAsync($"/api/buy-requests/{requestId}/matches", Ct)).ReadJsonAsync();
        var match = matches.EnumerateArray().Single(m => m.GetProperty("listing").GetProperty("id").GetGuid() == early);
        var reasons = match.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("text").GetString()).ToList();
        reasons.Should().Contain("spec protein 12.5% within 12–14").And.Contain("DAP Khorgos matches").And.Contain("price 7% above target");
        // Clients render the code with its parameters in the reader's language.
        var spec = match.GetProperty("reasons").EnumerateArray().Single(r => r.GetProperty("code").GetString() == "spec_within");
        spec.GetProperty("params").GetProperty("key").GetString().Should().Be("protein");
        spec.GetProperty("params").GetProperty("value").GetString().Should().Be("12.5");
        spec.GetProperty("params").GetProperty("unit").GetString().Should().Be("%");
        spec.GetProperty("params").GetProperty("min").GetString().Should().Be("12");
        match.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()).Should().Contain(["place_matches", "price_above"]);
        match.GetProperty("score").GetInt32().Should().BeInRange(1, 100);

        // A listing published afterwards is percolated against the standing request.
        var late = await new ListingBuilder(seller.OrganizationId).With("originCountry", origin).With("specs.protein", 13).With("price.amount", "225").PublishAsync(seller.Owner);
        var outOfRange = await new ListingBuilder(seller.OrganizationId).With("originCountry", origin).With("specs.protein", 15).PublishAsync(seller.Owner);
        await IndexAsync();

        matches = await (await buyer.Client.GetAsync($"/api/buy-requests/{requestId}/matches", Ct)).ReadJsonAsync();
        var listed = matches.EnumerateArray().Select(m => m.GetProperty("listing").GetProperty("id").GetGuid()).ToList();
        listed.Should().Contain([early, late]).And.NotContain(outOfRange);
        matches.EnumerateArray().First().GetProperty("listing").GetProperty("id").GetGuid().Should().Be(late, "below target and in range scores highest");

        var sellerSide = await (await seller.Owner.Client.GetAsync($"/api/listings/{late}/matches", Ct)).ReadJsonAsync();
        sellerSide.EnumerateArray().Single().GetProperty("buyRequest").GetProperty("id").GetGuid().Should().Be(requestId);

        (await NotificationsAsync(buyer)).GetProperty("unread").GetInt32().Should().BeGreaterThanOrEqualTo(2);
        var sellerNotes = await NotificationsAsync(seller.Owner);
        sellerNotes.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("link").GetString()).Should().Contain($"/listings/{late}");
        var note = sellerNotes.GetProperty("items")[0].GetProperty("id").GetGuid();
        (await seller.Owner.Client.PostAsync($"/api/notifications/{note}/read", null, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await buyer.Client.PostAsync($"/api/notifications/{note}/read", null, Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Matches_reach_both_sides_live_on_the_notifications_hub_and_nobody_else()
    {
        const string origin = "AF";
        var seller = await Seller.CreateAsync(App);
        var (buyer, buyerOrg) = await BuyerAsync();
        var outsider = await App.SignUpAsync();
        await using var buyerHub = await App.ConnectHubAsync("/hubs/notifications", buyer);
        await using var sellerHub = await App.ConnectHubAsync("/hubs/notifications", seller.Owner);
        await using var outsiderHub = await App.ConnectHubAsync("/hubs/notifications", outsider);
        var requestId = (await (await buyer.Client.PostAsJsonAsync("/api/buy-requests", BuyRequestBody.For(buyerOrg, origin), Ct)).ReadJsonAsync()).GetProperty("id").GetGuid();
        await IndexAsync();

        var listing = await new ListingBuilder(seller.OrganizationId).With("originCountry", origin).With("specs.protein", 13).PublishAsync(seller.Owner);
        await IndexAsync();

        var toBuyer = await buyerHub.NextAsync("Notification");
        toBuyer.GetProperty("kind").GetString().Should().Be("match");
        toBuyer.GetProperty("link").GetString().Should().Contain(requestId.ToString());
        var toSeller = await sellerHub.NextAsync("Notification");
        toSeller.GetProperty("link").GetString().Should().Be($"/listings/{listing}");
        (await outsiderHub.ReceivesWithinAsync("Notification", TimeSpan.FromMilliseconds(500))).Should().BeFalse();
        // What was pushed is what the list holds.
        (await NotificationsAsync(buyer)).GetProperty("items").EnumerateArray().Select(n => n.GetProperty("id").GetGuid())
            .Should().Contain(toBuyer.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Closing_a_buy_request_stops_matching()
    {
        const string origin = "NP";
        var (buyer, buyerOrg) = await BuyerAsync();
        var requestId = (await (await buyer.Client.PostAsJsonAsync("/api/buy-requests", BuyRequestBody.For(buyerOrg, origin), Ct)).ReadJsonAsync()).GetProperty("id").GetGuid();
        await IndexAsync();
        (await buyer.Client.PostAsync($"/api/buy-requests/{requestId}/close", null, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        await IndexAsync();

        var seller = await Seller.CreateAsync(App);
        await new ListingBuilder(seller.OrganizationId).With("originCountry", origin).PublishAsync(seller.Owner);
        await IndexAsync();

        (await (await buyer.Client.GetAsync($"/api/buy-requests/{requestId}/matches", Ct)).ReadJsonAsync()).GetArrayLength().Should().Be(0);
        await (await buyer.Client.PostAsync($"/api/buy-requests/{requestId}/close", null, Ct)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
    }

    public static TheoryData<string, string?, string> BadFields => new()
    {
        { "categoryId", $"\"{Category.IdFor("grains")}\"", "categoryId" },
        { "specRanges", "{\"starch\": {\"min\": 1}}", "specRanges.starch" },
        { "specRanges", "{\"protein\": {\"min\": 14, \"max\": 12}}", "specRanges.protein" },
        { "specRanges", "{\"protein\": {\"min\": 40}}", "specRanges.protein" },
        { "specRanges", "{\"protein\": 12}", "specRanges.protein" },
        { "quantity", "{\"value\": 0, \"unit\": \"t\"}", "quantity.value" },
        { "quantity", "{\"value\": 10, \"unit\": \"m3\"}", "quantity.unit" },
        { "targetPrice", "{\"amount\": \"-5\", \"currency\": \"USD\", \"unit\": \"t\"}", "targetPrice.amount" },
        { "targetPrice", "{\"amount\": \"5\", \"currency\": \"XYZ\", \"unit\": \"t\"}", "targetPrice.currency" },
        { "incoterm", "\"DAT\"", "incoterm" },
        { "namedPlace", "\"\"", "namedPlace" },
        { "deliveryBy", "\"2020-01-01T00:00:00Z\"", "deliveryBy" },
        { "originCountries", "[\"XX\"]", "originCountries" },
        { "organizationId", null, "organizationId" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task A_bad_field_is_a_field_error_and_stores_nothing(string field, string? json, string error)
    {
        var (buyer, buyerOrg) = await BuyerAsync();
        var body = BuyRequestBody.For(buyerOrg, "KZ");
        if (json is null)
        {
            body.Remove(field);
        }
        else
        {
            body[field] = JsonNode.Parse(json);
        }

        (await (await buyer.Client.PostAsJsonAsync("/api/buy-requests", body, Ct)).ShouldBeValidationProblemAsync()).Keys.Should().Contain(error);
        var count = 0;
        await App.WithDbAsync(async db => count = await db.BuyRequests.CountAsync(b => b.OrganizationId == buyerOrg, Ct));
        count.Should().Be(0);
    }

    [Fact]
    public async Task Another_organization_sees_no_matches_and_cannot_post_or_close_for_the_buyer()
    {
        var (buyer, buyerOrg) = await BuyerAsync();
        var requestId = (await (await buyer.Client.PostAsJsonAsync("/api/buy-requests", BuyRequestBody.For(buyerOrg, "KZ"), Ct)).ReadJsonAsync()).GetProperty("id").GetGuid();
        var (rival, _) = await BuyerAsync();
        var seller = await Seller.CreateAsync(App);
        var listing = await new ListingBuilder(seller.OrganizationId).PublishAsync(seller.Owner);

        await (await rival.Client.PostAsJsonAsync("/api/buy-requests", BuyRequestBody.For(buyerOrg, "KZ"), Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await rival.Client.GetAsync($"/api/buy-requests/{requestId}/matches", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await rival.Client.PostAsync($"/api/buy-requests/{requestId}/close", null, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await rival.Client.GetAsync($"/api/buy-requests?organizationId={buyerOrg}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await rival.Client.GetAsync($"/api/listings/{listing}/matches", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        // The open request itself is on the RFQ board for any signed-in trader.
        (await rival.Client.GetAsync($"/api/buy-requests/{requestId}", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await buyer.Client.GetAsync($"/api/buy-requests/{requestId}", Ct)).ReadJsonAsync()).GetProperty("status").GetString().Should().Be("open");
    }
}

public sealed class BuyRequestTests_Sqlite(SqliteApp app) : BuyRequestTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class BuyRequestTests_Postgres(PostgresApp app) : BuyRequestTests<PostgresApp>(app), IClassFixture<PostgresApp>;
