using System.Text.Json;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns the CPU work of indexing one document, done before the single writer takes it.</summary>
/// <remarks>
/// The payload, the analyzed texts of the four FTS5 columns, the joined facet columns and the suggestions it contributes.
/// </remarks>
internal sealed record PreparedDocument(ListingDocument Document, byte[] Payload, string Title, string Category, string Description, string Other,
    string Id, string CategoryPath, string Warehouses, string Certificates, List<(string Norm, string Display)> Suggestions)
{
    public static PreparedDocument Of(ListingDocument d) => new(
        d,
        JsonSerializer.SerializeToUtf8Bytes(d, IndexSchema.Json),
        TextAnalysis.IndexText(string.Join(" \n ", d.Title.Values)),
        // The taxonomy's headline (every language) ranks with the commodity names: it is built from them.
        TextAnalysis.IndexText(string.Join(" \n ", d.CategoryNames.Concat(d.CategoryPath.Select(k => k.Replace('-', ' '))).Concat(d.Headline.Values))),
        TextAnalysis.IndexText(string.Join(" \n ", d.Description.Values)),
        TextAnalysis.IndexText(string.Join(" \n ",
            new[] { d.NamedPlace, d.OriginRegion ?? "", d.SellerName, d.Incoterm, d.HsCode }.Concat(d.TextSpecs.Values).Concat(d.Certificates))),
        d.Id.ToString(),
        IndexSchema.Joined(d.CategoryPath),
        IndexSchema.Joined(d.WarehouseCountries),
        IndexSchema.Joined(d.Certificates.Select(c => c.Trim().ToLowerInvariant())),
        Embedded.Suggestions.Of(d));
}
