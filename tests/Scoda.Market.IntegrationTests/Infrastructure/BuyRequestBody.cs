using System.Text.Json.Nodes;
using Scoda.Market.Web.Features.Taxonomy;

namespace Scoda.Market.IntegrationTests.Infrastructure;

/// <summary>A valid buy request (2,000 t of wheat, protein 12–14 %, DAP Khorgos, 230 USD/t) for <c>POST /api/buy-requests</c>.</summary>
public static class BuyRequestBody
{
    public static JsonObject For(Guid organizationId, string origin = "KZ") => new()
    {
        ["organizationId"] = organizationId,
        ["categoryId"] = Category.IdFor("wheat"),
        ["specRanges"] = new JsonObject { ["protein"] = new JsonObject { ["min"] = 12, ["max"] = 14 } },
        ["quantity"] = new JsonObject { ["value"] = 2000, ["unit"] = "t" },
        ["targetPrice"] = new JsonObject { ["amount"] = "230", ["currency"] = "USD", ["unit"] = "t" },
        ["incoterm"] = "DAP",
        ["namedPlace"] = "Khorgos",
        ["deliveryBy"] = DateTimeOffset.UtcNow.AddDays(60).ToString("O"),
        ["originCountries"] = new JsonArray(origin),
        ["note"] = "For a feed mill in Jiaozhou",
    };
}
