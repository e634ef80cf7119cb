using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Elastic.Transport.Extensions;
using Scoda.Market.Search.Elasticsearch;

namespace Scoda.Market.Search.Tests.Elasticsearch;

/// <summary>The query DSL built from a <see cref="ListingQuery"/>: where user text may appear, and how filters, facets and cursors are laid out.</summary>
public sealed class ElasticsearchQueryDslTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> HostileTexts => new()
    {
        "wheat\" OR *:* AND -(",
        "title:wheat^10 OR sellerVerified:false",
        "\\\"}]}},{\"match_all\":{}}",
        "wheat' OR 1=1 --",
        "/.*/ ~2 [* TO *] {!lucene}",
        string.Concat(Enumerable.Repeat("wheat\" OR *:* AND -(", 500)),
        new string('x', 10_000),
    };

    [Theory]
    [MemberData(nameof(HostileTexts))]
    public async Task User_text_travels_only_as_the_string_value_of_match_queries(string text)
    {
        var captured = new CapturingHandler();
        var index = new ElasticsearchListingIndex(new ElasticsearchOptions(new Uri("http://es.test:9200"), null, "scoda-test"), primaryHandler: () => captured);

        await index.SearchAsync(new ListingQuery { Text = text, Origins = ["KZ"] }, Ct);

        // What went over the wire, parsed back: valid JSON whose only carriers of the text are "query" string values.
        var body = JsonNode.Parse(captured.Body!)!;
        var sent = ListingQueryDsl.PrepareText(text)!;
        sent.Length.Should().BeLessThanOrEqualTo(SearchLimits.MaxQueryLength);
        var carriers = Strings(body).Where(s => s.Value.Contains(sent, StringComparison.Ordinal)).ToList();
        carriers.Should().NotBeEmpty();
        carriers.Should().OnlyContain(s => s.Path.EndsWith(".query", StringComparison.Ordinal) && s.Value == sent,
            "the text is one whole JSON string, the value of a match/multi_match 'query'");
        carriers.Select(s => s.Path).Should().OnlyContain(p =>
            p.Contains(".match.", StringComparison.Ordinal) || p.Contains(".multi_match.", StringComparison.Ordinal));
        Keys(body).Should().NotContain(["query_string", "simple_query_string", "script", "regexp", "wildcard"]);
        Keys(body).Should().NotContain(k => k.Contains(sent, StringComparison.Ordinal), "no key is ever made from user text");
        captured.Body!.Length.Should().BeLessThan(16_000, "a long text is cut before it is sent");
    }

    [Fact]
    public void Long_text_keeps_twelve_distinct_words_of_at_most_thirty_two_characters()
    {
        var text = string.Join(' ', Enumerable.Repeat("wheat", 2000)) + " barley";

        ListingQueryDsl.PrepareText(text).Should().Be("wheat");
        ListingQueryDsl.PrepareText("a b c d e f g h i j k l m n o").Should().Be("a b c d e f g h i j k l");
        ListingQueryDsl.PrepareText(new string('麦', 100)).Should().Be(new string('麦', 32));
        ListingQueryDsl.PrepareText("   ").Should().BeNull();
        ListingQueryDsl.PrepareText(null).Should().BeNull();
    }

    [Fact]
    public void Each_facet_counts_with_every_filter_but_its_own()
    {
        var body = Json(ListingQueryDsl.Search("scoda-test", new ListingQuery { Origins = ["KZ"], Incoterms = ["DAP"], Categories = ["grains"] }));

        body["post_filter"]!.ToJsonString().Should().Contain("originCountry").And.Contain("incoterm").And.Contain("categoryPath");
        body["aggregations"]!["origin"]!["filter"]!.ToJsonString().Should().NotContain("originCountry").And.Contain("incoterm").And.Contain("categoryPath");
        body["aggregations"]!["incoterm"]!["filter"]!.ToJsonString().Should().NotContain("\"incoterm\"").And.Contain("originCountry");
        body["aggregations"]!["category"]!["filter"]!.ToJsonString().Should().NotContain("categoryPath").And.Contain("originCountry");
        body["aggregations"]!["certificate"]!["filter"]!.ToJsonString().Should().Contain("originCountry").And.Contain("incoterm").And.Contain("categoryPath");
        body["query"]!.ToJsonString().Should().NotContain("originCountry", "facet filters narrow hits after the aggregations, in post_filter");
        body["aggregations"]!.AsObject().Select(a => a.Key).Should().Equal(Facets.All);
    }

    [Fact]
    public void A_stored_query_applies_every_filter_and_has_no_paging_sorting_or_facets()
    {
        var query = Json(ListingQueryDsl.StoredQuery(new ListingQuery
        {
            Text = "пшеница", Categories = ["grains"], HsCodePrefix = "1001", Origins = ["KZ"], Certificates = ["gafta"],
            MaxPriceUsd = 210, MinAvailable = 100, VerifiedOnly = true, Sort = ListingSort.PriceAsc,
            After = new SearchCursor(ListingSort.PriceAsc, 1, Guid.Empty),
        }));

        var filters = query["bool"]!["filter"]!.AsArray().Select(f => f!.ToJsonString()).ToList();
        filters.Should().HaveCount(7);
        filters.Should().Contain("""{"prefix":{"hsCode":{"value":"1001"}}}""");
        filters.Should().Contain("""{"terms":{"categoryPath":["grains"]}}""");
        filters.Should().Contain("""{"terms":{"certificates":["gafta"]}}""");
        filters.Should().Contain("""{"range":{"priceUsd":{"lte":210}}}""");
        filters.Should().Contain("""{"range":{"available":{"gte":100}}}""");
        filters.Should().Contain("""{"term":{"sellerVerified":{"value":true}}}""");
        Keys(query).Should().NotContain(["sort", "search_after", "aggs", "aggregations", "post_filter", "size", "exists"]);
    }

    [Fact]
    public void Relevance_without_text_lists_newest_first_and_a_cursor_of_another_sort_is_ignored()
    {
        var body = Json(ListingQueryDsl.Search("scoda-test", new ListingQuery { After = new SearchCursor(ListingSort.PriceAsc, 10, Guid.Empty) }));

        body["sort"]!.ToJsonString().Should().Be("""[{"publishedAt":{"order":"desc"}},{"id":{"order":"desc"}}]""");
        body.AsObject().ContainsKey("search_after").Should().BeFalse();
        body.AsObject().ContainsKey("highlight").Should().BeFalse();
        body["query"]!.ToJsonString().Should().Be("""{"match_all":{}}""");
    }

    [Fact]
    public void The_newest_cursor_goes_back_as_epoch_milliseconds_and_the_relevance_cursor_as_the_exact_score()
    {
        var id = Guid.Parse("11111111-1111-1111-1111-111111111111");

        Json(ListingQueryDsl.Search("scoda-test", new ListingQuery { After = new SearchCursor(ListingSort.Newest, 1_790_000_000_000m, id) }))["search_after"]!
            .ToJsonString().Should().Be("""[1790000000000,"11111111-1111-1111-1111-111111111111"]""");
        Json(ListingQueryDsl.Search("scoda-test", new ListingQuery { Text = "wheat", After = new SearchCursor(ListingSort.Relevance, 10.5m, id) }))["search_after"]!
            .ToJsonString().Should().Be("""[10.5,"11111111-1111-1111-1111-111111111111"]""");
    }

    [Fact]
    public void Indexed_documents_carry_completion_inputs_without_reserved_characters()
    {
        var listing = new ListingDocumentBuilder().With(d => d with { NamedPlace = "Khor\u001Fgos\u0000", OriginRegion = null }).Build();

        var document = JsonNode.Parse(Client.SourceSerializer.SerializeToString(ElasticsearchListingIndex.ToIndexDocument(listing)))!;

        document["suggest"]!.ToJsonString().Should().Contain("\"Khorgos\"").And.NotContain("\\u001F").And.NotContain("\\u0000");
        document["id"]!.GetValue<string>().Should().Be(listing.Id.ToString(), "the listing's own fields sit beside suggest");
        Json(ListingQueryDsl.Percolate("scoda-test-queries", listing, null))["query"]!["percolate"]!["document"]!.AsObject()
            .ContainsKey("suggest").Should().BeFalse("a percolated listing carries no completion inputs");
    }

    static readonly Elastic.Clients.Elasticsearch.ElasticsearchClient Client =
        ElasticsearchConnection.CreateClient(new ElasticsearchOptions(new Uri("http://es.test:9200"), null, "scoda-test"));

    /// <summary>A typed request or query as the official client writes it.</summary>
    static JsonNode Json<T>(T value) => JsonNode.Parse(Client.RequestResponseSerializer.SerializeToString(value))!;

    internal static IEnumerable<(string Path, string Value)> Strings(JsonNode? node, string path = "$")
    {
        switch (node)
        {
            case JsonObject o:
                return o.SelectMany(p => Strings(p.Value, $"{path}.{p.Key}"));
            case JsonArray a:
                return a.SelectMany((item, i) => Strings(item, $"{path}[{i}]"));
            case JsonValue v when v.TryGetValue<string>(out var s):
                return [(path, s)];
            default:
                return [];
        }
    }

    static List<string> Keys(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Keys(p.Value).Prepend(p.Key)).ToList(),
        JsonArray a => a.SelectMany(Keys).ToList(),
        _ => [],
    };

    /// <summary>Keeps the request body and answers with an empty search result.</summary>
    internal sealed class CapturingHandler(string? response = null) : HttpMessageHandler
    {
        public string? Body { get; private set; }

        public int Requests { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var bytes = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            if (request.Content.Headers.ContentEncoding.Contains("gzip"))
            {
                await using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
                using var plain = new MemoryStream();
                await gzip.CopyToAsync(plain, cancellationToken);
                bytes = plain.ToArray();
            }
            Body = Encoding.UTF8.GetString(bytes);
            Requests++;
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Headers = { { "X-Elastic-Product", "Elasticsearch" } },
                Content = new StringContent(response ?? """{"took":1,"timed_out":false,"hits":{"total":{"value":0,"relation":"eq"},"max_score":null,"hits":[]}}""", Encoding.UTF8, "application/vnd.elasticsearch+json"),
            };
        }
    }
}
