using System.Text.Json.Nodes;
using FluentAssertions;
using Scoda.Market.Search.Elasticsearch;

namespace Scoda.Market.Search.Tests.Elasticsearch;

/// <summary>
/// search-index/listings/index.json checked without a server: everything a mapping names is defined, the synonyms
/// come from the shared file, and the fields the back end queries exist with the types it relies on.
/// </summary>
public sealed class ElasticsearchIndexDefinitionTests
{
    static readonly HashSet<string> BuiltInFilters = ["lowercase", "asciifolding", "cjk_width", "cjk_bigram", "trim"];
    static readonly HashSet<string> BuiltInTokenizers = ["standard", "keyword"];

    static JsonObject Definition => ElasticsearchIndexDefinition.Create(Synonyms.Shipped);

    [Fact]
    public void The_definition_is_an_embedded_resource_of_the_search_assembly_identical_to_the_file()
    {
        typeof(IListingIndex).Assembly.GetManifestResourceNames().Should().Contain("Scoda.Market.Search.search_index.listings.index.json");
        var file = JsonNode.Parse(File.ReadAllText(RecordedExchangeHandler.RepositoryFile("search-index", "listings", "index.json")));

        JsonNode.DeepEquals(ElasticsearchIndexDefinition.Shipped(), file).Should().BeTrue();
    }

    [Fact]
    public void The_synonym_filter_gets_every_line_of_the_shared_file_except_comments()
    {
        var lines = File.ReadAllLines(RecordedExchangeHandler.RepositoryFile("search-index", "synonyms", "commodities.txt"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        var filter = Definition["settings"]!["index"]!["analysis"]!["filter"]![ElasticsearchIndexDefinition.SynonymFilter]!;

        filter["type"]!.GetValue<string>().Should().Be("synonym_graph");
        filter["synonyms"]!.AsArray().Select(s => s!.GetValue<string>()).Should().Equal(lines);
        lines.Should().Contain("wheat, пшеница, 小麦, bidai, бидай, bugdoy, bug'doy, буғдой");
        ElasticsearchIndexDefinition.Shipped()["settings"]!["index"]!["analysis"]!["filter"]![ElasticsearchIndexDefinition.SynonymFilter]!["synonyms"]!
            .AsArray().Should().BeEmpty("index.json never carries a copy of the synonyms");
    }

    [Fact]
    public void Every_analyzer_uses_only_defined_or_built_in_parts_and_synonyms_only_at_search_time()
    {
        var analysis = Definition["settings"]!["index"]!["analysis"]!.AsObject();
        var filters = analysis["filter"]!.AsObject().Select(f => f.Key).ToHashSet();
        var charFilters = analysis["char_filter"]!.AsObject().Select(f => f.Key).ToHashSet();

        foreach (var (name, analyzer) in analysis["analyzer"]!.AsObject())
        {
            BuiltInTokenizers.Should().Contain(analyzer!["tokenizer"]!.GetValue<string>(), name);
            foreach (var filter in analyzer["filter"]!.AsArray().Select(f => f!.GetValue<string>()))
            {
                (filters.Contains(filter) || BuiltInFilters.Contains(filter)).Should().BeTrue($"{name} uses filter {filter}");
            }
            foreach (var charFilter in analyzer["char_filter"]?.AsArray().Select(f => f!.GetValue<string>()) ?? [])
            {
                charFilters.Should().Contain(charFilter, name);
            }
            var usesSynonyms = analyzer["filter"]!.AsArray().Any(f => f!.GetValue<string>() == ElasticsearchIndexDefinition.SynonymFilter);
            usesSynonyms.Should().Be(name.EndsWith("_search", StringComparison.Ordinal) && name != "scoda_autocomplete_search",
                $"{name}: synonym_graph belongs to search analyzers only");
        }
    }

    [Fact]
    public void Every_mapped_analyzer_normalizer_and_copy_target_exists()
    {
        var analysis = Definition["settings"]!["index"]!["analysis"]!.AsObject();
        var analyzers = analysis["analyzer"]!.AsObject().Select(a => a.Key).ToHashSet();
        var normalizers = analysis["normalizer"]!.AsObject().Select(a => a.Key).ToHashSet();
        var mappings = Definition["mappings"]!.AsObject();
        var properties = mappings["properties"]!.AsObject();

        var fields = Fields(properties, "").ToList();
        fields.AddRange(mappings["dynamic_templates"]!.AsArray().Select(t => ("(template)", t!.AsObject().Single().Value!["mapping"]!.AsObject())));
        foreach (var (path, field) in fields)
        {
            foreach (var key in new[] { "analyzer", "search_analyzer" })
            {
                if (field[key] is { } analyzer)
                {
                    analyzers.Should().Contain(analyzer.GetValue<string>(), $"{path}.{key}");
                }
            }
            if (field["normalizer"] is { } normalizer)
            {
                normalizers.Should().Contain(normalizer.GetValue<string>(), path);
            }
            foreach (var target in field["copy_to"]?.AsArray().Select(t => t!.GetValue<string>()) ?? [])
            {
                properties.ContainsKey(target).Should().BeTrue($"{path} copies to {target}");
            }
            if (field["type"]?.GetValue<string>() == "text")
            {
                field.ContainsKey("analyzer").Should().BeTrue($"{path} names its index analyzer");
            }
        }
    }

    [Fact]
    public void The_fields_the_back_end_uses_have_the_types_it_relies_on()
    {
        var properties = Definition["mappings"]!["properties"]!.AsObject();
        string TypeOf(string path) => path.Split('.').Aggregate((JsonNode)properties, (node, part) => node[part] ?? node["properties"]![part]!)["type"]!.GetValue<string>();

        foreach (var keyword in new[] { "id", "categoryPath", "originCountry", "incoterm", "warehouseCountries", "certificates", "hsCode" })
        {
            TypeOf(keyword).Should().Be("keyword", keyword);
        }
        foreach (var facet in Facets.All)
        {
            TypeOf(ListingQueryDsl.FieldOf(facet)).Should().Be("keyword", facet);
        }
        TypeOf("sellerVerified").Should().Be("boolean");
        TypeOf("priceUsd").Should().Be("scaled_float");
        TypeOf("available").Should().Be("scaled_float");
        TypeOf("publishedAt").Should().Be("date");
        TypeOf("query").Should().Be("percolator");
        TypeOf("suggest").Should().Be("completion");
        TypeOf("allText").Should().Be("text");
        TypeOf("autocomplete").Should().Be("text");
        foreach (var language in new[] { "en", "ru", "zh", "kk", "uz" })
        {
            TypeOf($"title.{language}").Should().Be("text");
            TypeOf($"description.{language}").Should().Be("text");
        }
        properties["title"]!["properties"]!["zh"]!["analyzer"]!.GetValue<string>().Should().Be("scoda_cjk");
        Definition["mappings"]!["_source"]!["enabled"]!.GetValue<bool>().Should().BeTrue("hits are rebuilt into ListingDocument from _source");
        Definition["settings"]!["index"]!["similarity"]!["default"]!["type"]!.GetValue<string>().Should().Be("boolean");
    }

    static IEnumerable<(string Path, JsonObject Field)> Fields(JsonObject properties, string prefix)
    {
        foreach (var (name, node) in properties)
        {
            var field = node!.AsObject();
            yield return ($"{prefix}{name}", field);
            if (field["properties"] is JsonObject children)
            {
                foreach (var child in Fields(children, $"{prefix}{name}."))
                {
                    yield return child;
                }
            }
        }
    }
}
