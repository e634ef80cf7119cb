using FluentAssertions;
using Scoda.Market.Search.Elasticsearch;

namespace Scoda.Market.Search.Tests.Elasticsearch;

/// <summary>
/// The Elasticsearch back end against recorded exchanges (Elasticsearch/Recordings/{scenario}/): each test proves the
/// exact requests sent (method, path, headers, JSON body) and that Elasticsearch-shaped answers, errors included, are
/// read correctly. No server is needed.
/// </summary>
public sealed class ElasticsearchRecordedExchangeTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static readonly Guid RussianWheat = Guid.Parse("55555555-5555-5555-5555-555555555555");
    static readonly Guid ChineseWheat = Guid.Parse("66666666-6666-6666-6666-666666666666");

    [Fact]
    public async Task Ensure_created_makes_both_indices_with_their_aliases_and_the_shared_synonyms()
    {
        using var replay = new Replay("ensure-created");

        await replay.Index.EnsureCreatedAsync(Ct);

        replay.Handler.ShouldHavePlayedEverything();
    }

    [Fact]
    public async Task Ensure_created_does_nothing_when_the_aliases_exist()
    {
        using var replay = new Replay("ensure-created-exists");

        await replay.Index.EnsureCreatedAsync(Ct);

        replay.Handler.ShouldHavePlayedEverything();
    }

    [Fact]
    public async Task Ensure_created_drops_its_own_generation_when_another_process_won_the_race()
    {
        using var replay = new Replay("ensure-created-race");

        await replay.Index.EnsureCreatedAsync(Ct);

        replay.Handler.ShouldHavePlayedEverything();
    }

    [Fact]
    public async Task Upsert_retries_only_the_rejected_item_and_reports_the_mapping_failure()
    {
        using var replay = new Replay("upsert-retry");

        var failed = await replay.Index.UpsertAsync([RecordedListings.Wheat(), RecordedListings.Barley(), RecordedListings.IronOre()], Ct);

        failed.Should().Equal(RecordedListings.IronOre().Id);
        replay.Handler.ShouldHavePlayedEverything();
        replay.Logs.Should().Contain(l => l.Contains("mapper_parsing_exception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upsert_gives_up_on_a_rejected_item_after_the_configured_attempts()
    {
        using var replay = new Replay("upsert-retry");
        var index = new ElasticsearchListingIndex(replay.Client, replay.Options with { MaxBulkAttempts = 1 }, null, null, Replay.TestSynonyms, Guid.NewGuid);

        var failed = await index.UpsertAsync([RecordedListings.Wheat(), RecordedListings.Barley(), RecordedListings.IronOre()], Ct);

        failed.Should().BeEquivalentTo([RecordedListings.Barley().Id, RecordedListings.IronOre().Id]);
        replay.Handler.Played.Should().ContainSingle();
    }

    [Fact]
    public async Task Delete_accepts_listings_that_were_not_indexed()
    {
        using var replay = new Replay("delete");

        await replay.Index.DeleteAsync([RecordedListings.Wheat().Id, Guid.Parse("44444444-4444-4444-4444-444444444444")], Ct);

        replay.Handler.ShouldHavePlayedEverything();
    }

    [Fact]
    public async Task A_first_page_reads_total_hits_highlights_facets_and_the_next_cursor()
    {
        using var replay = new Replay("search-first-page");

        var page = await replay.Index.SearchAsync(
            new ListingQuery { Text = "wheat", Origins = ["KZ"], MinPriceUsd = 200, VerifiedOnly = true, Limit = 2 }, Ct);

        replay.Handler.ShouldHavePlayedEverything();
        page.Total.Should().Be(10_000);
        page.TotalIsLowerBound.Should().BeTrue();
        page.Hits.Select(h => h.Document.Id).Should().Equal(RecordedListings.Wheat().Id, RussianWheat);
        page.Hits[0].Document.Should().BeEquivalentTo(RecordedListings.Wheat());
        page.Hits[0].Score.Should().Be(12.0);
        page.Hits[0].Highlights.Should().Equal(new Dictionary<string, string> { ["title.en"] = "Milling <mark>wheat</mark>, class 3" });
        page.Hits[1].Document.Title["ru"].Should().Be("Пшеница мягкая 3 класса");
        page.Hits[1].Highlights["title.ru"].Should().Be("<mark>Пшеница</mark> мягкая 3 класса");
        page.Hits[1].Highlights["description.ru"].Should().Be(
            "<mark>Пшеница</mark> урожая 2026 года, клейковина 23%. … Отгрузка вагонами через Алашанькоу; <mark>пшеница</mark> хранится на элеваторе.");
        page.Next.Should().Be(new SearchCursor(ListingSort.Relevance, 10.5m, RussianWheat));
        page.Facets.Keys.Should().BeEquivalentTo(Facets.All);
        page.Facets[Facets.Category].Should().Equal(
            new FacetCount("agriculture", 10412), new FacetCount("grains", 10412), new FacetCount("wheat", 10400), new FacetCount("durum-wheat", 12));
        page.Facets[Facets.Origin].Should().Equal(new FacetCount("KZ", 10412), new FacetCount("RU", 1588));
        page.Facets[Facets.Certificate].Should().Equal(new FacetCount("sgs", 8000), new FacetCount("gafta", 700));
    }

    [Fact]
    public async Task A_later_page_sends_search_after_and_ends_when_no_more_hits_follow()
    {
        using var replay = new Replay("search-next-page");
        var after = new SearchCursor(ListingSort.PriceAsc, 199.9999m, RecordedListings.Barley().Id);

        var page = await replay.Index.SearchAsync(new ListingQuery { Categories = ["grains"], Sort = ListingSort.PriceAsc, Limit = 2, After = after }, Ct);

        replay.Handler.ShouldHavePlayedEverything();
        page.Total.Should().Be(14);
        page.TotalIsLowerBound.Should().BeFalse();
        page.Hits.Select(h => h.Document.Id).Should().Equal(RecordedListings.Wheat().Id, ChineseWheat);
        page.Hits.Should().OnlyContain(h => h.Score == 0 && h.Highlights.Count == 0);
        page.Hits[1].Document.Title.Should().Equal(new Dictionary<string, string> { ["zh"] = "优质小麦出口" });
        page.Next.Should().BeNull();
        page.Facets.Should().BeEmpty();
    }

    [Fact]
    public async Task Suggestions_come_from_the_completion_field_without_duplicates()
    {
        using var replay = new Replay("suggest");

        var suggestions = await replay.Index.SuggestAsync("whe", 3, Ct);

        replay.Handler.ShouldHavePlayedEverything();
        suggestions.Should().Equal("Wheat", "Wheat bran", "Wheat flour");
    }

    [Fact]
    public async Task An_empty_prefix_suggests_nothing_without_asking()
    {
        using var replay = new Replay("suggest");

        (await replay.Index.SuggestAsync("  ", 5, Ct)).Should().BeEmpty();
        replay.Handler.Played.Should().BeEmpty();
    }

    [Fact]
    public async Task Stored_queries_are_percolator_documents_and_percolation_returns_their_ids()
    {
        using var replay = new Replay("stored-queries");
        var kazakhWheat = Guid.Parse("77777777-7777-7777-7777-777777777777");

        await replay.Index.StoreQueryAsync(new StoredQuery(kazakhWheat, new ListingQuery { Text = "пшеница", Origins = ["KZ"], MaxPriceUsd = 250 }), Ct);
        var matches = await replay.Index.PercolateAsync(RecordedListings.Wheat(), Ct);
        await replay.Index.DeleteQueryAsync(Guid.Parse("99999999-9999-9999-9999-999999999999"), Ct);

        replay.Handler.ShouldHavePlayedEverything();
        matches.Should().Equal(kazakhWheat, Guid.Parse("88888888-8888-8888-8888-888888888888"));
    }

    [Fact]
    public async Task A_rebuild_fills_a_new_generation_then_swaps_both_aliases_in_one_call()
    {
        using var replay = new Replay("rebuild");
        var indexedNames = new List<string>();

        await replay.Index.RebuildAsync(async (builder, ct) =>
        {
            builder.Should().NotBeSameAs(replay.Index);
            (await builder.UpsertAsync([RecordedListings.Barley()], ct)).Should().BeEmpty();
        }, Ct);

        replay.Handler.ShouldHavePlayedEverything();
        replay.Logs.Should().Contain(l => l.Contains("switched from scoda-test-20261001000000-aaaaaaaa to scoda-test-20261101120000-00000001", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_fill_deletes_the_new_generation_and_leaves_the_aliases_alone()
    {
        using var replay = new Replay("rebuild-fill-fails");

        var rebuild = () => replay.Index.RebuildAsync((_, _) => throw new InvalidOperationException("the database went away"), Ct);

        await rebuild.Should().ThrowAsync<InvalidOperationException>().WithMessage("the database went away");
        replay.Handler.ShouldHavePlayedEverything();
    }

    [Fact]
    public async Task Stats_count_listings_and_stored_queries_behind_the_aliases()
    {
        using var replay = new Replay("stats");

        var stats = await replay.Index.StatsAsync(Ct);

        stats.Should().Be(new IndexStats("elasticsearch", "scoda-test-20261001000000-aaaaaaaa", 10412, 37));
        replay.Handler.ShouldHavePlayedEverything();
    }

    [Fact]
    public async Task Without_an_api_key_no_authorization_header_is_sent()
    {
        using var replay = new Replay("stats", apiKey: null);

        await replay.Index.StatsAsync(Ct);

        replay.Handler.ShouldHavePlayedEverything();
    }

    [Fact]
    public async Task A_missing_index_is_a_typed_404_error()
    {
        using var replay = new Replay("index-not-found");

        var search = () => replay.Index.SearchAsync(new ListingQuery { Limit = 10, WithFacets = false }, Ct);

        var error = (await search.Should().ThrowAsync<ElasticsearchException>()).Which;
        error.Status.Should().Be(404);
        error.ErrorType.Should().Be("index_not_found_exception");
        error.Reason.Should().Be("no such index [scoda-test]");
        error.RootCauseTypes.Should().Equal("index_not_found_exception");
        error.Message.Should().Contain("POST /scoda-test/_search").And.Contain("404 index_not_found_exception");

        (await replay.Index.DeleteIndicesAsync(["scoda-test-20260101000000-deadbeef"], Ct)).Should().BeFalse();
        replay.Handler.ShouldHavePlayedEverything();
    }

    [Fact]
    public async Task A_refused_api_key_is_a_typed_401_error_and_the_key_never_reaches_logs_or_messages()
    {
        using var replay = new Replay("unauthorized");

        var stats = () => replay.Index.StatsAsync(Ct);

        var error = (await stats.Should().ThrowAsync<ElasticsearchException>()).Which;
        error.Status.Should().Be(401);
        error.ErrorType.Should().Be("security_exception");
        error.Reason.Should().StartWith("unable to authenticate with provided credentials");
        replay.Handler.ShouldHavePlayedEverything();

        var secret = "ui2lp2axTNmsyakw9tvNnw";
        replay.Logs.Should().NotBeEmpty();
        foreach (var text in replay.Logs.Append(error.ToString()).Append(replay.Options.ToString()))
        {
            text.Should().NotContain(RecordedExchangeHandler.ApiKey).And.NotContain(secret);
        }
    }

    [Fact]
    public async Task A_429_is_retried_by_the_resilience_handler_after_the_delay_the_cluster_asked_for()
    {
        using var replay = new Replay("throttled");

        var page = await replay.Index.SearchAsync(new ListingQuery { Limit = 10, WithFacets = false }, Ct);

        page.Total.Should().Be(0);
        replay.Handler.ShouldHavePlayedEverything();
        // The configured first delay is 1 ms: 1000 ms can only come from the answer's Retry-After.
        replay.Logs.Should().Contain(l => l.Contains("POST /scoda-test/_search got 429; retry 1 in 1000 ms", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bulk_still_throttled_after_the_http_retries_reports_every_listing_failed()
    {
        using var replay = new Replay("bulk-throttled", options: o => o with { MaxHttpRetries = 1 });

        var ids = new[] { RecordedListings.Wheat().Id, Guid.Parse("44444444-4444-4444-4444-444444444444") };
        var delete = () => replay.Index.DeleteAsync(ids, Ct);

        var error = (await delete.Should().ThrowAsync<ElasticsearchException>()).Which;
        error.Status.Should().Be(429);
        error.Message.Should().Contain("bulk delete of 2 of 2 listings");
        replay.Handler.ShouldHavePlayedEverything();
    }
}
