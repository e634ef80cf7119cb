using System.Text.Json.Nodes;

namespace Scoda.Market.Search.Elasticsearch;

/// <summary>
/// The body of an index creation: <c>search-index/listings/index.json</c> (embedded in this assembly) with the shared
/// synonym lines of <c>search-index/synonyms/commodities.txt</c> put into the <c>scoda_synonyms</c> filter. The
/// synonyms are not pasted into index.json, so both back ends read the one file.
/// </summary>
public static class ElasticsearchIndexDefinition
{
    public const string SynonymFilter = "scoda_synonyms";

    static readonly Lazy<string> Text = new(() =>
    {
        var assembly = typeof(ElasticsearchIndexDefinition).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("listings.index.json", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>index.json exactly as shipped (its synonym list empty).</summary>
    public static JsonObject Shipped() => JsonNode.Parse(Text.Value)!.AsObject();

    /// <summary>A fresh definition with the synonym lines filled in (comment lines were already dropped by <see cref="Synonyms"/>).</summary>
    public static JsonObject Create(Synonyms synonyms)
    {
        ArgumentNullException.ThrowIfNull(synonyms);
        var definition = Shipped();
        if (definition["settings"]?["index"]?["analysis"]?["filter"]?[SynonymFilter] is not JsonObject filter)
        {
            throw new InvalidOperationException($"index.json has no settings.index.analysis.filter.{SynonymFilter} to put the synonyms into.");
        }
        filter["synonyms"] = new JsonArray(synonyms.Lines.Select(line => (JsonNode?)JsonValue.Create(line)).ToArray());
        return definition;
    }
}
