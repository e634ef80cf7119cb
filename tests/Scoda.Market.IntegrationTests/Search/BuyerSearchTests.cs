using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Search;

namespace Scoda.Market.IntegrationTests.Search;

/// <summary>Headlines in every language, search without dead ends, saved searches with alerts, and the import reference.</summary>
public abstract class BuyerSearchTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    Task<int> IndexAsync() => App.Services.GetRequiredService<SearchIndexer>().DrainAsync(Ct);

    async Task<JsonElement> SearchAsync(string query)
    {
        var response = await App.CreateClient().GetAsync($"/api/search/listings?{query}", Ct);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.ReadJsonAsync();
    }

    static List<Guid> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();

    static readonly string[] Kazakhstan = ["KZ"];
    static readonly string[] Barley = ["barley"];
    static readonly string[] Unobtainium = ["unobtainium"];
    static readonly string[] ThreeLetters = ["KAZ"];

    static string Marker() => $"lot{Guid.NewGuid():N}"[..14];

    async Task<(TestUser User, Guid Organization)> BuyerAsync()
    {
        var user = await App.SignUpAsync();
        return (user, await new OrganizationBuilder().In("CN").OfKind("importer").CreateAsync(user));
    }

    static async Task<List<JsonElement>> NotificationsAsync(TestUser user, string kind) =>
        (await (await user.Client.GetAsync("/api/notifications", Ct)).ReadJsonAsync()).GetProperty("items").EnumerateArray()
        .Where(n => n.GetProperty("kind").GetString() == kind).ToList();

    [Fact]
    public async Task A_listing_carries_a_taxonomy_headline_in_english_russian_and_chinese()
    {
        var seller = await Seller.CreateAsync(App);
        var listing = await new ListingBuilder(seller.OrganizationId).With("specs.protein", 14.7).With("originRegion", "Костанайская область").CreateAsync(seller.Owner);

        var headline = listing.GetProperty("headline");
        headline.GetProperty("en").GetString().Should().Be("Wheat (common, milling), protein 14.7 % — Kostanay region, Kazakhstan");
        headline.GetProperty("ru").GetString().Should().Be("Пшеница мягкая, белок 14,7 % — Костанайская обл., Казахстан");
        headline.GetProperty("zh").GetString().Should().Be("小麦，蛋白质 14.7% — 哈萨克斯坦 科斯塔奈州");
    }

    [Fact]
    public async Task A_region_the_gazetteer_does_not_know_is_shown_as_written()
    {
        var seller = await Seller.CreateAsync(App);
        var listing = await new ListingBuilder(seller.OrganizationId).With("originRegion", "Sarykol district").CreateAsync(seller.Owner);

        listing.GetProperty("headline").GetProperty("zh").GetString().Should().EndWith("哈萨克斯坦 Sarykol district");
        listing.GetProperty("headline").GetProperty("en").GetString().Should().EndWith("— Sarykol district, Kazakhstan");
    }

    [Fact]
    public async Task A_russian_only_listing_is_found_by_its_chinese_headline_with_stock_labels_and_no_title_in_the_snippet()
    {
        var seller = await Seller.CreateAsync(App);
        var marker = Marker();
        var listing = await new ListingBuilder(seller.OrganizationId)
            .With("title", new JsonObject { ["ru"] = $"Пшеница {marker}" })
            .With("description", new JsonObject { ["ru"] = $"Партия {marker}, элеватор в Костанае." })
            .PublishAsync(seller.Owner);
        var warehouse = await seller.AddWarehouseAsync();
        await seller.ReceiveAsync(warehouse, listing, "L-1", 700m);
        await IndexAsync();

        var page = await SearchAsync($"q=科斯塔奈州 {marker}&lang=zh&inStock=true");

        // Other listings from Kostanay follow as partial matches (without the marker).
        Ids(page)[0].Should().Be(listing);
        page.GetProperty("total").GetInt64().Should().Be(1);
        var item = page.GetProperty("items")[0];
        item.GetProperty("headline").GetProperty("zh").GetString().Should().StartWith("小麦，蛋白质 12.5%");
        item.GetProperty("title").GetProperty("ru").GetString().Should().Be($"Пшеница {marker}");
        item.GetProperty("quantity").GetProperty("value").GetDecimal().Should().Be(5000m);
        item.GetProperty("available").GetProperty("value").GetDecimal().Should().Be(700m);
        item.GetProperty("reserved").GetProperty("value").GetDecimal().Should().Be(0m);
        item.GetProperty("partial").GetBoolean().Should().BeFalse();

        var snippet = (await SearchAsync($"q={marker}")).GetProperty("items")[0].GetProperty("snippet").GetString();
        snippet.Should().Contain("Партия").And.NotContain("Пшеница", "the snippet shows the description, never the title again");
    }

    [Fact]
    public async Task In_stock_now_hides_listings_without_available_stock()
    {
        var seller = await Seller.CreateAsync(App);
        var marker = Marker();
        var empty = await new ListingBuilder(seller.OrganizationId).With("title", new JsonObject { ["en"] = $"Wheat {marker}" }).PublishAsync(seller.Owner);
        await IndexAsync();

        Ids(await SearchAsync($"q={marker}")).Should().Equal(empty);
        Ids(await SearchAsync($"q={marker}&inStock=true")).Should().BeEmpty();
    }

    [Fact]
    public async Task Partial_matches_follow_full_ones_and_nothing_found_offers_a_way_on()
    {
        var seller = await Seller.CreateAsync(App);
        var marker = Marker();
        var full = await new ListingBuilder(seller.OrganizationId).With("title", new JsonObject { ["en"] = $"Wheat {marker} premium" }).PublishAsync(seller.Owner);
        var partial = await new ListingBuilder(seller.OrganizationId).With("title", new JsonObject { ["en"] = $"Wheat {marker}" }).PublishAsync(seller.Owner);
        await IndexAsync();

        var page = await SearchAsync($"q={marker} premium");
        Ids(page).Should().Equal(full, partial);
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("partial").GetBoolean()).Should().Equal(false, true);
        page.GetProperty("total").GetInt64().Should().Be(1);
        page.GetProperty("partialTotal").GetInt64().Should().Be(1);
        page.GetProperty("noResults").ValueKind.Should().Be(JsonValueKind.Null);

        var nothing = await SearchAsync($"q=zzqx{marker}&category=barley&origin=KZ&inStock=true");
        nothing.GetProperty("items").GetArrayLength().Should().Be(0);
        var help = nothing.GetProperty("noResults");
        help.GetProperty("dropFilters").EnumerateArray().Select(f => f.GetString()).Should().BeEquivalentTo(["category", "origin", "inStock"]);
        help.GetProperty("buyRequest").GetProperty("categoryKey").GetString().Should().Be("barley");
        help.GetProperty("buyRequest").GetProperty("originCountries").EnumerateArray().Single().GetString().Should().Be("KZ");
        help.GetProperty("buyRequest").GetProperty("note").GetString().Should().Be($"zzqx{marker}");

        var misspelt = await SearchAsync("q=wheatqqq");
        misspelt.GetProperty("noResults").GetProperty("suggestion").GetString().Should().Be("wheat");
    }

    [Fact]
    public async Task A_saved_search_alerts_its_members_once_when_a_matching_listing_is_published_and_never_for_a_draft()
    {
        var (buyer, buyerOrg) = await BuyerAsync();
        var outsider = await App.SignUpAsync();
        var marker = Marker();
        var created = await buyer.Client.PostAsJsonAsync("/api/saved-searches",
            new { organizationId = buyerOrg, name = "Kazakh wheat", query = new { q = marker, origin = Kazakhstan } }, Ct);
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        var savedId = (await created.ReadJsonAsync()).GetProperty("id").GetGuid();

        var seller = await Seller.CreateAsync(App);
        var draft = (await new ListingBuilder(seller.OrganizationId).With("title", new JsonObject { ["en"] = $"Wheat {marker}" }).CreateAsync(seller.Owner))
            .GetProperty("id").GetGuid();
        await IndexAsync();
        (await NotificationsAsync(buyer, SavedSearchAlerts.Kind)).Should().BeEmpty("a draft is not on the market");

        (await seller.Owner.Client.PostAsync($"/api/listings/{draft}/publish", null, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        await IndexAsync();
        var other = await new ListingBuilder(seller.OrganizationId).With("originCountry", "RU").With("title", new JsonObject { ["en"] = $"Wheat {marker}" }).PublishAsync(seller.Owner);
        await IndexAsync();
        // Re-indexed (a stock change) without a new alert.
        var warehouse = await seller.AddWarehouseAsync();
        await seller.ReceiveAsync(warehouse, draft, "L-1", 100m);
        await IndexAsync();

        var alerts = await NotificationsAsync(buyer, SavedSearchAlerts.Kind);
        alerts.Select(a => a.GetProperty("link").GetString()).Should().Equal($"/listings/{draft}");
        alerts[0].GetProperty("title").GetString().Should().Contain("Kazakh wheat");
        (await NotificationsAsync(outsider, SavedSearchAlerts.Kind)).Should().BeEmpty();
        (await NotificationsAsync(seller.Owner, SavedSearchAlerts.Kind)).Should().BeEmpty();
        other.Should().NotBe(draft);

        var list = await (await buyer.Client.GetAsync($"/api/saved-searches?organizationId={buyerOrg}", Ct)).ReadJsonAsync();
        list.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).Should().Equal(savedId);
        list.GetProperty("items")[0].GetProperty("query").GetProperty("origin")[0].GetString().Should().Be("KZ");

        (await buyer.Client.DeleteAsync($"/api/saved-searches/{savedId}", Ct)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await new ListingBuilder(seller.OrganizationId).With("title", new JsonObject { ["en"] = $"Wheat {marker} again" }).PublishAsync(seller.Owner);
        await IndexAsync();
        (await NotificationsAsync(buyer, SavedSearchAlerts.Kind)).Should().HaveCount(1, "a deleted saved search alerts no more");
    }

    [Fact]
    public async Task Outsiders_neither_see_nor_delete_nor_save_an_organizations_searches()
    {
        var (buyer, buyerOrg) = await BuyerAsync();
        var outsider = await App.SignUpAsync();
        var created = await (await buyer.Client.PostAsJsonAsync("/api/saved-searches",
            new { organizationId = buyerOrg, name = "Barley", query = new { category = Barley } }, Ct)).ReadJsonAsync();
        var id = created.GetProperty("id").GetGuid();

        await (await outsider.Client.GetAsync($"/api/saved-searches?organizationId={buyerOrg}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await outsider.Client.DeleteAsync($"/api/saved-searches/{id}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await outsider.Client.PostAsJsonAsync("/api/saved-searches", new { organizationId = buyerOrg, name = "Mine", query = new { q = "wheat" } }, Ct))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await App.CreateClient().GetAsync($"/api/saved-searches?organizationId={buyerOrg}", Ct)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);

        var list = await (await buyer.Client.GetAsync($"/api/saved-searches?organizationId={buyerOrg}", Ct)).ReadJsonAsync();
        list.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).Should().Equal(id);
    }

    [Fact]
    public async Task A_saved_search_with_bad_input_is_refused_field_by_field()
    {
        var (buyer, buyerOrg) = await BuyerAsync();

        var errors = await (await buyer.Client.PostAsJsonAsync("/api/saved-searches",
            new { organizationId = buyerOrg, name = "", query = new { category = Unobtainium, origin = ThreeLetters, minPrice = -1 } }, Ct))
            .ShouldBeValidationProblemAsync();
        errors.Keys.Should().Contain(["name", "category", "origin", "minPrice"]);
        (await buyer.Client.PostAsJsonAsync("/api/saved-searches", new { organizationId = buyerOrg, name = "Everything" }, Ct))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest, "a search for everything would alert on every listing");
        var list = await (await buyer.Client.GetAsync($"/api/saved-searches?organizationId={buyerOrg}", Ct)).ReadJsonAsync();
        list.GetProperty("items").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task The_import_reference_lists_every_code_and_the_template_imports_as_written()
    {
        var client = App.CreateClient();
        var reference = await (await client.GetAsync("/api/listings/import/reference", Ct)).ReadJsonAsync();
        var wheat = reference.GetProperty("categories").EnumerateArray().Single(c => c.GetProperty("key").GetString() == "wheat");
        wheat.GetProperty("hsCode").GetString().Should().Be("100199");
        wheat.GetProperty("unit").GetString().Should().Be("t");
        var protein = wheat.GetProperty("specs").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "protein");
        protein.GetProperty("unit").GetString().Should().Be("%");
        protein.GetProperty("min").GetDecimal().Should().Be(8m);
        reference.GetProperty("paymentTerms").EnumerateArray().Select(t => t.GetString()).Should().Contain("lc_sight").And.NotContain("lc_at_sight");
        reference.GetProperty("incoterms").EnumerateArray().Should().Contain(i => i.GetProperty("code").GetString() == "FOB" && i.GetProperty("seaOnly").GetBoolean());
        reference.GetProperty("deliveryModes").EnumerateArray().Select(m => m.GetString()).Should().Contain(["rail", "inland_waterway"]);

        var csv = await client.GetStringAsync("/api/listings/import/reference.csv", Ct);
        csv.Should().StartWith("kind,code,").And.Contain("\npayment_term,lc_sight").And.Contain("\ncategory,wheat,grains,").And.Contain("\nspec,protein,wheat,");

        var template = await client.GetStringAsync("/api/listings/import/template", Ct);
        var rows = template.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        rows.Length.Should().BeGreaterThan(10, "one example row per commodity group");
        var seller = await Seller.CreateAsync(App);
        using var body = new StringContent(template, System.Text.Encoding.UTF8, "text/csv");
        var result = await (await seller.Owner.Client.PostAsync($"/api/listings/import?organizationId={seller.OrganizationId}", body, Ct)).ReadJsonAsync();
        result.GetProperty("rejected").GetArrayLength().Should().Be(0, result.ToString());
        result.GetProperty("imported").GetInt32().Should().Be(rows.Length - 1);
    }
}

public sealed class BuyerSearchTests_Sqlite(SqliteApp app) : BuyerSearchTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class BuyerSearchTests_Postgres(PostgresApp app) : BuyerSearchTests<PostgresApp>(app), IClassFixture<PostgresApp>;
