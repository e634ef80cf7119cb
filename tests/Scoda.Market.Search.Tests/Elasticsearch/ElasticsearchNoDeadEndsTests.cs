using System.Text.Json.Nodes;
using FluentAssertions;
using Scoda.Market.Search.Elasticsearch;
using static Scoda.Market.Search.Tests.Elasticsearch.ElasticsearchQueryDslTests;

namespace Scoda.Market.Search.Tests.Elasticsearch;

/// <summary>The requests behind partial matches and spelling suggestions, as they leave the client (the contract suite runs them live).</summary>
public sealed class ElasticsearchNoDeadEndsTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static ElasticsearchListingIndex IndexOver(CapturingHandler handler) =>
        new(new ElasticsearchOptions(new Uri("http://es.test:9200"), null, "scoda-test"), primaryHandler: () => handler);

    [Fact]
    public async Task Partial_matches_need_some_word_and_exclude_the_listings_with_every_word()
    {
        var captured = new CapturingHandler();

        await IndexOver(captured).SearchAsync(new ListingQuery { Text = "sunflower kernels confectionery", Words = WordMatch.Some }, Ct);

        var query = JsonNode.Parse(captured.Body!)!["query"]!["bool"]!;
        // The client writes a one-clause list as the clause itself.
        static JsonNode First(JsonNode node) => node is JsonArray array ? array[0]! : node;
        var some = First(query["must"]!)["bool"]!;
        some["minimum_should_match"]!.GetValue<int>().Should().Be(1);
        some["should"]!.AsArray().Should().HaveCount(3, "one clause per word");
        Strings(some["should"]![0]).Should().Contain(s => s.Path.EndsWith(".query", StringComparison.Ordinal) && s.Value == "sunflower");
        Strings(First(query["must_not"]!)).Should().Contain(s => s.Value == "sunflower kernels confectionery", "a listing with every word is a full match, listed before");
    }

    [Fact]
    public async Task A_single_word_asks_the_cluster_nothing_for_partial_matches()
    {
        var captured = new CapturingHandler();

        var page = await IndexOver(captured).SearchAsync(new ListingQuery { Text = "wheat", Words = WordMatch.Some }, Ct);

        page.Hits.Should().BeEmpty();
        captured.Requests.Should().Be(0);
    }

    [Fact]
    public async Task A_spelling_suggestion_comes_from_a_term_suggester_over_every_searched_text()
    {
        var captured = new CapturingHandler("""
            {"took":1,"timed_out":false,"hits":{"total":{"value":0,"relation":"eq"},"max_score":null,"hits":[]},
             "suggest":{"term#spelling":[
               {"text":"barlyy","offset":0,"length":6,"options":[{"text":"barley","score":0.8,"freq":3}]},
               {"text":"feed","offset":7,"length":4,"options":[]}]}}
            """);

        var suggestion = await IndexOver(captured).SuggestSpellingAsync("barlyy feed", Ct);

        suggestion.Should().Be("barley feed");
        var term = JsonNode.Parse(captured.Body!)!["suggest"]!;
        term["text"]!.GetValue<string>().Should().Be("barlyy feed");
        term["spelling"]!["term"]!["field"]!.GetValue<string>().Should().Be("allText");
    }
}
