using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Scoda.Market.Web.Features.Taxonomy;

namespace Scoda.Market.IntegrationTests.Infrastructure;

/// <summary>
/// A valid listing request (Kazakh milling wheat, DAP Khorgos by rail) as a JSON tree; a test changes the one field it is
/// about with <see cref="With"/> or <see cref="Without"/>.
/// </summary>
public sealed class ListingBuilder
{
    readonly JsonObject _body;

    public ListingBuilder(Guid organizationId, string category = "wheat")
    {
        _body = new JsonObject
        {
            ["organizationId"] = organizationId,
            ["categoryId"] = Category.IdFor(category),
            ["title"] = new JsonObject { ["en"] = "Milling wheat, class 3, 12.5% protein", ["ru"] = "Пшеница мягкая 3 класса, протеин 12,5%" },
            ["description"] = new JsonObject { ["en"] = "2026 crop, Kostanay region, GOST 9353-2016." },
            ["specs"] = category == "wheat"
                ? new JsonObject { ["protein"] = 12.5, ["moisture"] = 13.5, ["testWeight"] = 76 }
                : new JsonObject(),
            ["originCountry"] = "KZ",
            ["originRegion"] = "Kostanay",
            ["quantity"] = new JsonObject { ["value"] = 5000, ["unit"] = "t" },
            ["minOrder"] = new JsonObject { ["value"] = 500, ["unit"] = "t" },
            ["price"] = new JsonObject { ["amount"] = "245.50", ["currency"] = "USD", ["unit"] = "t" },
            ["incoterm"] = "DAP",
            ["namedPlace"] = "Khorgos",
            ["deliveryMode"] = "rail",
            ["paymentTerms"] = new JsonArray("lc_sight", "tt_against_documents"),
            ["packaging"] = "bulk",
            ["leadTimeDays"] = 21,
            ["certificates"] = new JsonArray("SGS", "Phytosanitary"),
            ["validUntil"] = DateTimeOffset.UtcNow.AddDays(60).ToString("O"),
        };
    }

    /// <summary>Sets a field by a dotted path (<c>price.amount</c>, <c>specs.protein</c>).</summary>
    public ListingBuilder With(string path, JsonNode? value)
    {
        var (parent, name) = JsonPaths.Walk(_body, path);
        parent[name] = value;
        return this;
    }

    public ListingBuilder Without(string path)
    {
        var (parent, name) = JsonPaths.Walk(_body, path);
        parent.Remove(name);
        return this;
    }

    public JsonObject Build() => (JsonObject)_body.DeepClone();

    public async Task<JsonElement> CreateAsync(TestUser seller)
    {
        var response = await seller.Client.PostAsJsonAsync("/api/listings", Build());
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Creates and publishes; returns the listing id.</summary>
    public async Task<Guid> PublishAsync(TestUser seller)
    {
        var id = (await CreateAsync(seller)).GetProperty("id").GetGuid();
        var published = await seller.Client.PostAsync($"/api/listings/{id}/publish", null);
        published.StatusCode.Should().Be(HttpStatusCode.OK, await published.Content.ReadAsStringAsync());
        return id;
    }
}

/// <summary>Dotted paths (<c>price.amount</c>) into request bodies that test builders change.</summary>
public static class JsonPaths
{
    /// <summary>The object that holds the last segment of <paramref name="path"/> (created on the way), and that segment.</summary>
    public static (JsonObject Parent, string Name) Walk(JsonObject root, string path)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = (JsonObject)(node[part] ??= new JsonObject());
        }
        return (node, parts[^1]);
    }
}

/// <summary>A seller (exporter organization with its owner) and its warehouses, the starting point of inventory tests.</summary>
public sealed record Seller(TestUser Owner, Guid OrganizationId)
{
    public static async Task<Seller> CreateAsync(MarketApp app, string country = "KZ")
    {
        var owner = await app.SignUpAsync();
        return new Seller(owner, await new OrganizationBuilder().In(country).CreateAsync(owner));
    }

    public async Task<Guid> AddWarehouseAsync(string name = "Khorgos Gateway dry port", string kind = "port", string country = "KZ", string city = "Khorgos")
    {
        var response = await Owner.Client.PostAsJsonAsync("/api/warehouses", new
        {
            organizationId = OrganizationId, name, kind, countryCode = country, city, location = new { lat = 44.2132m, lon = 80.4103m },
        });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public async Task<HttpResponseMessage> MoveAsync(Guid warehouseId, object movement) =>
        await Owner.Client.PostAsJsonAsync($"/api/warehouses/{warehouseId}/movements", movement);

    public async Task ReceiveAsync(Guid warehouseId, Guid listingId, string lot, decimal tonnes)
    {
        var response = await MoveAsync(warehouseId, new { kind = "receipt", listingId, lot, quantity = new { value = tonnes, unit = "t" }, qualityCertificate = $"SGS-{lot}" });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }
}
