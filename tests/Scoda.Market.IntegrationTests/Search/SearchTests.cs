using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Search;
using Scoda.Market.Search.Embedded;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Search;
using Scoda.Market.Web.Infrastructure.Commands;
using Scoda.Market.Web.Infrastructure.Storage;

namespace Scoda.Market.IntegrationTests.Search;

public abstract class SearchTests<TApp>(TApp fixture) where TApp : AppFixture
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

    /// <summary>The full matches (every word): partial matches, which follow them, come from other tests' listings here.</summary>
    static List<Guid> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray()
        .Where(i => !i.GetProperty("partial").GetBoolean()).Select(i => i.GetProperty("id").GetGuid()).ToList();

    /// <summary>A seller with a unique word in its titles, so a test finds only its own listings in the shared index.</summary>
    static string Marker() => $"lot{Guid.NewGuid():N}"[..14];

    [Fact]
    public async Task A_published_listing_is_found_in_any_language_and_leaves_the_index_when_paused()
    {
        var seller = await Seller.CreateAsync(App);
        var marker = Marker();
        var listing = await new ListingBuilder(seller.OrganizationId)
            .With("title", new JsonObject { ["zh"] = $"优质小麦 {marker}", ["en"] = $"Premium milling wheat {marker}" })
            .PublishAsync(seller.Owner);
        var draft = (await new ListingBuilder(seller.OrganizationId).With("title", new JsonObject { ["en"] = $"Draft wheat {marker}" }).CreateAsync(seller.Owner))
            .GetProperty("id").GetGuid();
        await IndexAsync();

        var russian = await SearchAsync($"q=пшеница {marker}");
        Ids(russian).Should().Equal(listing);
        russian.GetProperty("items")[0].GetProperty("seller").GetProperty("name").GetString().Should().Be("Kostanay Grain Terminal LLP");
        Ids(await SearchAsync($"q=小麦 {marker}")).Should().Equal(listing);
        Ids(await SearchAsync($"q=Draft {marker}")).Should().NotContain(draft);

        (await seller.Owner.Client.PostAsync($"/api/listings/{listing}/pause", null, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        await IndexAsync();
        Ids(await SearchAsync($"q={marker}")).Should().BeEmpty();
    }

    [Fact]
    public async Task Drafts_and_paused_listings_never_appear_in_facet_counts()
    {
        var seller = await Seller.CreateAsync(App, "TJ");
        var marker = Marker();
        await new ListingBuilder(seller.OrganizationId).With("originCountry", "TJ").With("title", new JsonObject { ["en"] = $"Wheat {marker}" }).PublishAsync(seller.Owner);
        await new ListingBuilder(seller.OrganizationId).With("originCountry", "TJ").With("title", new JsonObject { ["en"] = $"Wheat {marker}" }).CreateAsync(seller.Owner);
        await IndexAsync();

        var page = await SearchAsync($"q={marker}");

        page.GetProperty("total").GetInt64().Should().Be(1);
        page.GetProperty("facets").GetProperty("origin").EnumerateArray().Single().GetProperty("count").GetInt64().Should().Be(1);
    }

    [Fact]
    public async Task Stock_verification_and_fx_changes_reach_the_index()
    {
        var seller = await Seller.CreateAsync(App);
        var marker = Marker();
        var listing = await new ListingBuilder(seller.OrganizationId).With("title", new JsonObject { ["en"] = $"Wheat {marker}" }).PublishAsync(seller.Owner);
        await IndexAsync();
        Ids(await SearchAsync($"q={marker}&warehouseCountry=KZ")).Should().BeEmpty();
        Ids(await SearchAsync($"q={marker}&verifiedOnly=true")).Should().BeEmpty();

        var warehouse = await seller.AddWarehouseAsync();
        await seller.ReceiveAsync(warehouse, listing, "L-1", 700m);
        var admin = await App.SignUpWithRoleAsync(PlatformRoles.Admin);
        await App.WithDbAsync(async db =>
        {
            var organization = await db.Organizations.SingleAsync(o => o.Id == seller.OrganizationId, Ct);
            organization.VerificationStatus = Scoda.Market.Web.Features.Organizations.VerificationStatus.Pending;
            await db.SaveChangesAsync(Ct);
        });
        (await admin.Client.PostAsJsonAsync($"/api/admin/organizations/{seller.OrganizationId}/verification", new { decision = "verified" }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        await IndexAsync();

        var found = await SearchAsync($"q={marker}&warehouseCountry=KZ&verifiedOnly=true&minQuantity=700");
        Ids(found).Should().Equal(listing);
        found.GetProperty("items")[0].GetProperty("available").GetProperty("value").GetDecimal().Should().Be(700m);
        Ids(await SearchAsync($"q={marker}&minQuantity=700.001")).Should().BeEmpty();
        Ids(await SearchAsync($"q={marker}&maxPrice=1700&priceCurrency=CNY")).Should().BeEmpty("245.50 USD is about 1748 CNY");
        Ids(await SearchAsync($"q={marker}&maxPrice=1750&priceCurrency=CNY")).Should().Equal(listing);
    }

    [Fact]
    public async Task Price_sorted_pages_by_cursor_cover_every_listing_once()
    {
        var seller = await Seller.CreateAsync(App);
        var marker = Marker();
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await new ListingBuilder(seller.OrganizationId).With("title", new JsonObject { ["en"] = $"Wheat {marker} {i}" })
                .With("price.amount", (230 + (i % 3)).ToString(System.Globalization.CultureInfo.InvariantCulture)).PublishAsync(seller.Owner));
        }
        await IndexAsync();

        var seen = new List<Guid>();
        var prices = new List<decimal>();
        string? cursor = null;
        do
        {
            var page = await SearchAsync($"q={marker}&sort=price_asc&limit=3{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(Ids(page));
            prices.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("normalizedPrice").GetProperty("usd").GetProperty("amount").GetDecimal()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        seen.Should().BeEquivalentTo(ids).And.OnlyHaveUniqueItems();
        prices.Should().BeInAscendingOrder();
    }

    public static TheoryData<string, string> BadParameters => new()
    {
        { "minPrice=-1", "minPrice" },
        { "minPrice=300&maxPrice=200", "maxPrice" },
        { "cursor=not-a-cursor", "cursor" },
        { "sort=cheapest", "sort" },
        { "facets=colour", "facets" },
        { "category=unobtainium", "category" },
        { "origin=XX", "origin" },
        { "incoterm=FOBB", "incoterm" },
        { "priceCurrency=GBP&minPrice=1", "priceCurrency" },
        { "limit=1000", "limit" },
        { "hsCode=10a1", "hsCode" },
        { "lang=de", "lang" },
    };

    [Theory]
    [MemberData(nameof(BadParameters))]
    public async Task Bad_parameters_are_a_clear_400(string query, string field)
    {
        var response = await App.CreateClient().GetAsync($"/api/search/listings?{query}", Ct);
        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain(field);
    }

    [Theory]
    [InlineData("wheat\" OR *")]
    [InlineData("NEAR(wheat")]
    [InlineData("title:wheat AND -barley")]
    [InlineData("*:*")]
    [InlineData("'; DROP TABLE docs; --")]
    public async Task Query_syntax_in_the_text_is_a_safe_literal_search(string text)
    {
        var response = await App.CreateClient().GetAsync($"/api/search/listings?q={Uri.EscapeDataString(text)}", Ct);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_too_long_query_is_a_400()
    {
        var response = await App.CreateClient().GetAsync($"/api/search/listings?q={new string('w', 201)}", Ct);
        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain("q");
    }

    [Fact]
    public async Task Suggestions_complete_commodity_names()
    {
        var seller = await Seller.CreateAsync(App);
        await new ListingBuilder(seller.OrganizationId).PublishAsync(seller.Owner);
        await IndexAsync();

        var suggestions = await (await App.CreateClient().GetAsync("/api/search/suggest?q=whe", Ct)).ReadJsonAsync();

        suggestions.EnumerateArray().Select(s => s.GetString()).Should().Contain(s => s!.StartsWith("Wheat", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readiness_reports_the_index_and_its_lag()
    {
        await IndexAsync();
        var ready = await (await App.CreateLoopbackClient().GetAsync("/health/ready", Ct)).ReadJsonAsync();
        var search = ready.GetProperty("checks").GetProperty("search");
        search.GetProperty("status").GetString().Should().Be("Healthy");
        search.GetProperty("data").GetProperty("backend").GetString().Should().Be("embedded");
        search.GetProperty("data").GetProperty("pendingChanges").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task Reindex_rebuilds_the_index_from_the_database()
    {
        var seller = await Seller.CreateAsync(App);
        var marker = Marker();
        var listing = await new ListingBuilder(seller.OrganizationId).With("title", new JsonObject { ["en"] = $"Wheat {marker}" }).PublishAsync(seller.Owner);
        // Not indexed yet: the outbox holds the change. A rebuild reads the database itself.
        var command = App.Services.GetServices<IHostCommand>().Single(c => c.Name == "reindex");
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            (await command.RunAsync([], App.Services, Ct)).Should().Be(0);
        }
        finally
        {
            Console.SetOut(original);
        }

        output.ToString().Should().Contain("Reindexed");
        Ids(await SearchAsync($"q={marker}")).Should().Equal(listing);
        await IndexAsync();
        Ids(await SearchAsync($"q={marker}")).Should().Equal(listing);
    }

    [Fact]
    public async Task A_reindex_run_beside_the_host_is_followed_by_the_host()
    {
        var seller = await Seller.CreateAsync(App);
        var marker = Marker();
        var listing = await new ListingBuilder(seller.OrganizationId).With("title", new JsonObject { ["en"] = $"Wheat {marker}" }).PublishAsync(seller.Owner);
        await IndexAsync();
        Ids(await SearchAsync($"q={marker}")).Should().Equal(listing);

        // `dotnet run -- reindex` in a second process: its own index over the host's folder switches the file and
        // removes the one the host was reading.
        var folder = App.Services.GetRequiredService<DataFolder>().Folder("search");
        var replaced = ((EmbeddedListingIndex)App.Services.GetRequiredService<IListingIndex>()).CurrentFile;
        using (var elsewhere = new EmbeddedListingIndex(folder))
        {
            (await new ReindexCommand(elsewhere, App.Services.GetRequiredService<IServiceScopeFactory>()).RunAsync([], App.Services, Ct)).Should().Be(0);
        }
        File.Exists(replaced).Should().BeFalse();

        Ids(await SearchAsync($"q={marker}")).Should().Equal(listing);
        var later = await new ListingBuilder(seller.OrganizationId).With("title", new JsonObject { ["en"] = $"Barley {marker}" }).PublishAsync(seller.Owner);
        await IndexAsync();
        Ids(await SearchAsync($"q={marker}")).Should().BeEquivalentTo([listing, later]);
        Directory.EnumerateFiles(folder, "listings-*.db").Should().ContainSingle();
    }
}

public sealed class SearchTests_Sqlite(SqliteApp app) : SearchTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class SearchTests_Postgres(PostgresApp app) : SearchTests<PostgresApp>(app), IClassFixture<PostgresApp>;
