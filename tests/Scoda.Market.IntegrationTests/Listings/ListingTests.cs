using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Taxonomy;

namespace Scoda.Market.IntegrationTests.Listings;

public abstract class ListingTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<int> CountListingsAsync(Guid organizationId)
    {
        var count = 0;
        await App.WithDbAsync(async db => count = await db.Listings.CountAsync(l => l.OrganizationId == organizationId, Ct));
        return count;
    }

    [Fact]
    public async Task The_taxonomy_lists_commodities_with_hs_codes_units_and_spec_schemas()
    {
        var tree = await (await App.CreateClient().GetAsync("/api/categories", Ct)).ReadJsonAsync();

        var leaves = new List<JsonElement>();
        void Walk(JsonElement node)
        {
            if (node.GetProperty("hsCode").ValueKind == JsonValueKind.String)
            {
                leaves.Add(node);
            }
            foreach (var child in node.GetProperty("children").EnumerateArray())
            {
                Walk(child);
            }
        }
        foreach (var root in tree.EnumerateArray())
        {
            Walk(root);
        }
        tree.EnumerateArray().Select(r => r.GetProperty("key").GetString()).Should().Contain(["agriculture", "minerals", "timber"]);
        leaves.Should().HaveCountGreaterThanOrEqualTo(25);
        leaves.Should().AllSatisfy(l => l.GetProperty("hsCode").GetString().Should().MatchRegex("^[0-9]{6}$"));
        var wheat = leaves.Single(l => l.GetProperty("key").GetString() == "wheat");
        wheat.GetProperty("hsCode").GetString().Should().Be("100199");
        wheat.GetProperty("unit").GetString().Should().Be("t");
        wheat.GetProperty("name").GetProperty("zh").GetString().Should().Be("小麦");
        var protein = wheat.GetProperty("specSchema").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "protein");
        protein.GetProperty("unit").GetString().Should().Be("%");
        protein.GetProperty("required").GetBoolean().Should().BeTrue();
        leaves.Single(l => l.GetProperty("key").GetString() == "sawn-pine").GetProperty("unit").GetString().Should().Be("m3");
    }

    [Fact]
    public async Task A_draft_keeps_exact_decimals_and_carries_normalized_prices()
    {
        var seller = await Seller.CreateAsync(App);
        var listing = await new ListingBuilder(seller.OrganizationId)
            .With("quantity", new JsonObject { ["value"] = "12.345", ["unit"] = "t" })
            .With("minOrder", new JsonObject { ["value"] = "0.5", ["unit"] = "t" })
            .CreateAsync(seller.Owner);

        listing.GetProperty("status").GetString().Should().Be("draft");
        listing.GetProperty("quantity").GetProperty("value").GetRawText().Should().Be("12.345");
        listing.GetProperty("price").GetProperty("amount").GetDecimal().Should().Be(245.50m);
        var normalized = listing.GetProperty("normalizedPrice");
        normalized.GetProperty("usd").GetProperty("amount").GetDecimal().Should().Be(245.5m);
        normalized.GetProperty("cny").GetProperty("amount").GetDecimal().Should().Be(Math.Round(245.5m * 7.12m, 4));
        normalized.GetProperty("usd").GetProperty("unit").GetString().Should().Be("t");
        listing.GetProperty("specs").GetProperty("protein").GetDecimal().Should().Be(12.5m);
        listing.GetProperty("hsCode").GetString().Should().Be("100199");
        listing.GetProperty("seller").GetProperty("verified").GetBoolean().Should().BeFalse();

        var read = await (await seller.Owner.Client.GetAsync($"/api/listings/{listing.GetProperty("id").GetGuid()}", Ct)).ReadJsonAsync();
        read.GetProperty("quantity").GetProperty("value").GetRawText().Should().Be("12.345");
    }

    [Fact]
    public async Task A_price_per_kg_in_tenge_is_normalized_per_tonne_in_dollars_and_yuan()
    {
        var seller = await Seller.CreateAsync(App);
        var listing = await new ListingBuilder(seller.OrganizationId)
            .With("price", new JsonObject { ["amount"] = "120", ["currency"] = "KZT", ["unit"] = "kg" })
            .CreateAsync(seller.Owner);

        var usd = listing.GetProperty("normalizedPrice").GetProperty("usd").GetProperty("amount").GetDecimal();
        usd.Should().Be(Math.Round(120m * 1000m / 518m, 4));
    }

    public static TheoryData<string, string?, string> BadFields => new()
    {
        // path to change, JSON value (null removes the field), expected error key
        { "categoryId", "\"00000000-0000-0000-0000-000000000001\"", "categoryId" },
        { "categoryId", $"\"{Category.IdFor("grains")}\"", "categoryId" },
        { "title", "{}", "title" },
        { "title", "{\"fr\": \"Blé\"}", "title.fr" },
        { "title.en", $"\"{new string('w', 201)}\"", "title.en" },
        { "hsCode", "\"100390\"", "hsCode" },
        { "hsCode", "\"10a199\"", "hsCode" },
        { "specs.starch", "70", "specs.starch" },
        { "specs.protein", "{\"value\": 12.5, \"unit\": \"g/kg\"}", "specs.protein" },
        { "specs.protein", "31", "specs.protein" },
        { "specs.protein", "\"high\"", "specs.protein" },
        { "specs.moisture", null, "specs.moisture" },
        { "originCountry", "\"XX\"", "originCountry" },
        { "quantity.value", "-5", "quantity.value" },
        { "quantity.value", "\"1.2345\"", "quantity.value" },
        { "quantity.unit", "\"m3\"", "quantity.unit" },
        { "quantity.unit", "\"lb\"", "quantity.unit" },
        { "minOrder.value", "6000", "minOrder" },
        { "price.amount", "0", "price.amount" },
        { "price.amount", "\"245.12345\"", "price.amount" },
        { "price.currency", "\"GBP\"", "price.currency" },
        { "price.unit", "\"m3\"", "price.unit" },
        { "incoterm", "\"FOBB\"", "incoterm" },
        { "incoterm", "\"FOB\"", "incoterm" },
        { "namedPlace", "\"\"", "namedPlace" },
        { "deliveryMode", "\"air\"", "deliveryMode" },
        { "paymentTerms", "[]", "paymentTerms" },
        { "paymentTerms", "[\"bitcoin\"]", "paymentTerms" },
        { "packaging", "\"box\"", "packaging" },
        { "leadTimeDays", "400", "leadTimeDays" },
        { "certificates", $"[\"{new string('c', 61)}\"]", "certificates" },
        { "validUntil", "\"2020-01-01T00:00:00Z\"", "validUntil" },
        { "validUntil", "\"2035-01-01T00:00:00Z\"", "validUntil" },
        { "validUntil", "\"next week\"", "$.validUntil" },
        { "organizationId", null, "organizationId" },
        { "description.en", $"\"{new string('d', 5001)}\"", "description.en" },
        { "originRegion", $"\"{new string('r', 101)}\"", "originRegion" },
        { "minOrder.unit", "\"m3\"", "minOrder.unit" },
        { "certificates", $"[{string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"C{i}\""))}]", "certificates" },
        { "paymentTerms", "[\"lc_sight\", \"lc_sight\"]", "paymentTerms" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task A_bad_field_is_a_field_error_and_stores_nothing(string path, string? json, string field)
    {
        var seller = await Seller.CreateAsync(App);
        var builder = new ListingBuilder(seller.OrganizationId);
        _ = json is null ? builder.Without(path) : builder.With(path, JsonNode.Parse(json));

        var response = await seller.Owner.Client.PostAsJsonAsync("/api/listings", builder.Build(), Ct);

        if (field.StartsWith('$'))
        {
            await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest); // not a date at all: the body does not parse
        }
        else
        {
            (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain(field);
        }
        (await CountListingsAsync(seller.OrganizationId)).Should().Be(0);
    }

    [Fact]
    public async Task A_sea_only_incoterm_is_fine_for_a_seaport()
    {
        var seller = await Seller.CreateAsync(App);
        var listing = await new ListingBuilder(seller.OrganizationId)
            .With("incoterm", "CIF").With("namedPlace", "Qingdao").With("deliveryMode", "sea").CreateAsync(seller.Owner);
        listing.GetProperty("incoterm").GetString().Should().Be("CIF");
    }

    [Fact]
    public async Task A_listing_moves_through_its_lifecycle_and_a_closed_one_is_final()
    {
        var seller = await Seller.CreateAsync(App);
        var id = (await new ListingBuilder(seller.OrganizationId).CreateAsync(seller.Owner)).GetProperty("id").GetGuid();
        async Task<HttpResponseMessage> Post(string action) => await seller.Owner.Client.PostAsync($"/api/listings/{id}/{action}", null, Ct);

        await (await Post("pause")).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await (await Post("publish")).ReadJsonAsync()).GetProperty("status").GetString().Should().Be("published");
        (await (await Post("pause")).ReadJsonAsync()).GetProperty("status").GetString().Should().Be("paused");
        (await (await Post("publish")).ReadJsonAsync()).GetProperty("status").GetString().Should().Be("published");
        (await (await Post("close")).ReadJsonAsync()).GetProperty("status").GetString().Should().Be("closed");

        await (await Post("publish")).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await seller.Owner.Client.PutAsJsonAsync($"/api/listings/{id}", new ListingBuilder(seller.OrganizationId).Build(), Ct)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Drafts_are_private_and_published_listings_public()
    {
        var seller = await Seller.CreateAsync(App);
        var draft = (await new ListingBuilder(seller.OrganizationId).CreateAsync(seller.Owner)).GetProperty("id").GetGuid();
        var published = await new ListingBuilder(seller.OrganizationId).PublishAsync(seller.Owner);
        var buyer = await App.SignUpAsync();
        await new OrganizationBuilder().In("CN").OfKind("importer").CreateAsync(buyer);
        var anonymous = App.CreateClient();

        await (await buyer.Client.GetAsync($"/api/listings/{draft}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await anonymous.GetAsync($"/api/listings/{draft}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await buyer.Client.GetAsync($"/api/listings/{draft}/price-history", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await anonymous.GetAsync($"/api/listings/{published}", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);

        var seen = await (await buyer.Client.GetAsync($"/api/organizations/{seller.OrganizationId}/listings", Ct)).ReadJsonAsync();
        seen.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).Should().Equal(published);
        var own = await (await seller.Owner.Client.GetAsync($"/api/organizations/{seller.OrganizationId}/listings", Ct)).ReadJsonAsync();
        own.GetProperty("items").GetArrayLength().Should().Be(2);
    }

    [Fact]
    public async Task Another_organization_cannot_change_a_listing_nor_list_for_a_forged_organization()
    {
        var seller = await Seller.CreateAsync(App);
        var draft = (await new ListingBuilder(seller.OrganizationId).CreateAsync(seller.Owner)).GetProperty("id").GetGuid();
        var published = await new ListingBuilder(seller.OrganizationId).PublishAsync(seller.Owner);
        var rival = await Seller.CreateAsync(App, "RU");
        var update = new ListingBuilder(seller.OrganizationId).With("price.amount", "1").Build();

        await (await rival.Owner.Client.PutAsJsonAsync($"/api/listings/{published}", update, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await rival.Owner.Client.PostAsync($"/api/listings/{published}/close", null, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await rival.Owner.Client.PutAsJsonAsync($"/api/listings/{draft}", update, Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await rival.Owner.Client.PostAsync($"/api/listings/{draft}/publish", null, Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await rival.Owner.Client.PostAsJsonAsync("/api/listings", new ListingBuilder(seller.OrganizationId).Build(), Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        var listing = await (await seller.Owner.Client.GetAsync($"/api/listings/{published}", Ct)).ReadJsonAsync();
        listing.GetProperty("price").GetProperty("amount").GetDecimal().Should().Be(245.50m);
        listing.GetProperty("status").GetString().Should().Be("published");
        (await CountListingsAsync(seller.OrganizationId)).Should().Be(2);
    }

    [Fact]
    public async Task A_viewer_reads_drafts_but_cannot_change_them()
    {
        var seller = await Seller.CreateAsync(App);
        var draft = (await new ListingBuilder(seller.OrganizationId).CreateAsync(seller.Owner)).GetProperty("id").GetGuid();
        var viewer = await App.SignUpAsync();
        (await seller.Owner.Client.PostAsJsonAsync($"/api/organizations/{seller.OrganizationId}/members", new { email = viewer.Email, role = "viewer" }, Ct))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        (await viewer.Client.GetAsync($"/api/listings/{draft}", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await viewer.Client.PostAsync($"/api/listings/{draft}/publish", null, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.Client.PostAsJsonAsync("/api/listings", new ListingBuilder(seller.OrganizationId).Build(), Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Price_changes_are_kept_as_history()
    {
        var seller = await Seller.CreateAsync(App);
        var id = await new ListingBuilder(seller.OrganizationId).PublishAsync(seller.Owner);
        foreach (var amount in new[] { "250", "248.75" })
        {
            var update = new ListingBuilder(seller.OrganizationId).With("price.amount", amount).Build();
            (await seller.Owner.Client.PutAsJsonAsync($"/api/listings/{id}", update, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        }
        var sameAgain = new ListingBuilder(seller.OrganizationId).With("price.amount", "248.75").With("leadTimeDays", 30).Build();
        (await seller.Owner.Client.PutAsJsonAsync($"/api/listings/{id}", sameAgain, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);

        var history = await (await App.CreateClient().GetAsync($"/api/listings/{id}/price-history", Ct)).ReadJsonAsync();
        history.EnumerateArray().Select(h => h.GetProperty("amount").GetDecimal()).Should().Equal(245.5m, 250m, 248.75m);
        var listing = await (await seller.Owner.Client.GetAsync($"/api/listings/{id}", Ct)).ReadJsonAsync();
        listing.GetProperty("status").GetString().Should().Be("published");
    }

    [Fact]
    public async Task A_listing_expires_at_valid_until_and_a_new_validity_revives_it_paused()
    {
        var seller = await Seller.CreateAsync(App);
        var id = await new ListingBuilder(seller.OrganizationId).PublishAsync(seller.Owner);
        await App.WithDbAsync(db => db.Listings.Where(l => l.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ValidUntil, DateTimeOffset.UtcNow.AddMinutes(-1)), Ct));

        (await App.Services.GetRequiredService<ListingExpiryWorker>().RunOnceAsync(Ct)).Should().BeGreaterThanOrEqualTo(1);

        (await (await seller.Owner.Client.GetAsync($"/api/listings/{id}", Ct)).ReadJsonAsync()).GetProperty("status").GetString().Should().Be("expired");
        await (await App.CreateClient().GetAsync($"/api/listings/{id}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await seller.Owner.Client.PostAsync($"/api/listings/{id}/publish", null, Ct)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        var revived = await seller.Owner.Client.PutAsJsonAsync($"/api/listings/{id}", new ListingBuilder(seller.OrganizationId).Build(), Ct);
        (await revived.ReadJsonAsync()).GetProperty("status").GetString().Should().Be("paused");
    }

    [Fact]
    public async Task New_fx_rates_reprice_listings_and_only_admins_set_them()
    {
        var seller = await Seller.CreateAsync(App);
        var id = await new ListingBuilder(seller.OrganizationId)
            .With("price", new JsonObject { ["amount"] = "85000", ["currency"] = "RUB", ["unit"] = "t" }).PublishAsync(seller.Owner);
        var admin = await App.SignUpWithRoleAsync(PlatformRoles.Admin);
        var asOf = DateTimeOffset.UtcNow.ToString("O");

        await (await seller.Owner.Client.PutAsJsonAsync("/api/admin/fx-rates", new { rates = new[] { new { currency = "RUB", perUsd = 85, asOf } } }, Ct))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        var bad = await admin.Client.PutAsJsonAsync("/api/admin/fx-rates", new
        {
            rates = new object[]
            {
                new { currency = "RUB", perUsd = -1, asOf }, new { currency = "XXX", perUsd = 1, asOf },
                new { currency = "KZT", perUsd = 500, asOf = "2019-01-01T00:00:00Z" }, new { currency = "USD", perUsd = 2, asOf },
            },
        }, Ct);
        (await bad.ShouldBeValidationProblemAsync()).Keys.Should().Contain(["rates[0].perUsd", "rates[1].currency", "rates[2].asOf", "rates[3].perUsd"]);
        (await (await admin.Client.PutAsJsonAsync("/api/admin/fx-rates", new { rates = Array.Empty<object>() }, Ct)).ShouldBeValidationProblemAsync()).Keys.Should().Contain("rates");
        var before = await (await seller.Owner.Client.GetAsync($"/api/listings/{id}", Ct)).ReadJsonAsync();
        before.GetProperty("normalizedPrice").GetProperty("usd").GetProperty("amount").GetDecimal().Should().Be(Math.Round(85000m / 81.5m, 4));

        // Both the RUB rate and the CNY rate change; the listing is repriced in both.
        var good = await admin.Client.PutAsJsonAsync("/api/admin/fx-rates", new { rates = new[] { new { currency = "RUB", perUsd = 85m, asOf }, new { currency = "CNY", perUsd = 7.2m, asOf } } }, Ct);
        good.StatusCode.Should().Be(HttpStatusCode.OK, await good.Content.ReadAsStringAsync(Ct));

        var after = await (await seller.Owner.Client.GetAsync($"/api/listings/{id}", Ct)).ReadJsonAsync();
        after.GetProperty("normalizedPrice").GetProperty("usd").GetProperty("amount").GetDecimal().Should().Be(1000m);
        after.GetProperty("normalizedPrice").GetProperty("cny").GetProperty("amount").GetDecimal().Should().Be(7200m);

        // Put the shared fixture's rates back for the other tests.
        await admin.Client.PutAsJsonAsync("/api/admin/fx-rates", new { rates = new[] { new { currency = "RUB", perUsd = 81.5m, asOf }, new { currency = "CNY", perUsd = 7.12m, asOf } } }, Ct);
    }

    [Fact]
    public async Task Photos_and_documents_attach_with_type_checks()
    {
        var seller = await Seller.CreateAsync(App);
        var id = await new ListingBuilder(seller.OrganizationId).PublishAsync(seller.Owner);
        var png = SampleFiles.Png();
        MultipartFormDataContent Upload(string kind, string name, byte[] bytes)
        {
            var form = new MultipartFormDataContent { { new StringContent(kind), "kind" } };
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "files", name);
            return form;
        }

        var uploaded = await seller.Owner.Client.PostAsync($"/api/listings/{id}/files", Upload("photo", "silo.png", png), Ct);
        uploaded.StatusCode.Should().Be(HttpStatusCode.OK, await uploaded.Content.ReadAsStringAsync(Ct));
        var fileId = (await uploaded.ReadJsonAsync()).GetProperty("files")[0].GetProperty("id").GetGuid();
        (await App.CreateClient().GetByteArrayAsync($"/api/listings/{id}/files/{fileId}", Ct)).Should().Equal(png);

        (await (await seller.Owner.Client.PostAsync($"/api/listings/{id}/files", Upload("photo", "virus.png", [0x4D, 0x5A, 0x90]), Ct)).ShouldBeValidationProblemAsync())
            .Keys.Should().Contain("files");
        (await (await seller.Owner.Client.PostAsync($"/api/listings/{id}/files", Upload("video", "a.png", png), Ct)).ShouldBeValidationProblemAsync())
            .Keys.Should().Contain("kind");
        var rival = await Seller.CreateAsync(App);
        await (await rival.Owner.Client.PostAsync($"/api/listings/{id}/files", Upload("photo", "fake.png", png), Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await rival.Owner.Client.DeleteAsync($"/api/listings/{id}/files/{fileId}", Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }
}

public sealed class ListingTests_Sqlite(SqliteApp app) : ListingTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class ListingTests_Postgres(PostgresApp app) : ListingTests<PostgresApp>(app), IClassFixture<PostgresApp>;
