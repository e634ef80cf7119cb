using FluentAssertions;
using Scoda.Market.Search.Embedded;

namespace Scoda.Market.Search.Tests.Embedded;

/// <summary>
/// The embedded back end past its bounds, where the contract suite's few listings never reach: more matches than
/// <see cref="SearchLimits.TrackTotalHits"/> and more relevance candidates than <see cref="EmbeddedListingIndex.RankWindow"/>.
/// Every expectation is computed here from the documents themselves, by the rules the index documents: totals and facet
/// counts over the newest matches (the newest indexed last), exact price and date sorts over every match, and BM25 over
/// the newest candidates followed by the older ones.
/// </summary>
public sealed class EmbeddedBoundsTests(EmbeddedBoundsTests.Corpus corpus) : IClassFixture<EmbeddedBoundsTests.Corpus>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>14,000 listings, 80% wheat, indexed once by a bulk rebuild in this order (the last is the newest).</summary>
    public sealed class Corpus : IAsyncLifetime
    {
        readonly IndexFolder _folder = new();

        public EmbeddedListingIndex Index { get; private set; } = null!;

        public IReadOnlyList<ListingDocument> Documents { get; } = Enumerable.Range(0, 14_000).Select(Listing).ToList();

        static readonly string[] Origins = ["KZ", "RU", "UZ", "CN"];
        static readonly string[] Incoterms = ["DAP", "FCA", "CPT"];

        static ListingDocument Listing(int i)
        {
            var builder = i % 5 == 0 ? new ListingDocumentBuilder().Barley().Titled("en", $"Feed barley lot {i}") : new ListingDocumentBuilder().Titled("en", $"Milling wheat lot {i}");
            // Prices repeat (the id breaks ties); origins, Incoterms, certificates and warehouses cycle at different periods.
            return builder.PricedUsd(100 + (i * 7919 % 500)).From(Origins[i % Origins.Length]).With(d => d with
            {
                Incoterm = Incoterms[i % Incoterms.Length],
                Certificates = i % 2 == 0 ? ["SGS"] : ["SGS", "GAFTA"],
                WarehouseCountries = i % 7 == 0 ? [] : ["KZ"],
            }).Build();
        }

        public async ValueTask InitializeAsync()
        {
            Index = _folder.Create("index");
            await Index.EnsureCreatedAsync();
            await Index.RebuildAsync(async (fresh, ct) =>
            {
                foreach (var batch in Documents.Chunk(1_000))
                {
                    await fresh.UpsertAsync(batch, ct);
                }
            });
        }

        public ValueTask DisposeAsync() => _folder.DisposeAsync();
    }

    static bool IsWheat(ListingDocument d) => d.CategoryPath.Contains("wheat");

    public static TheoryData<string?, string[], string[]> FacetCases => new()
    {
        { null, [], [] },
        { null, ["KZ", "RU", "UZ"], [] },
        { null, ["KZ", "UZ"], ["DAP", "CPT"] },
        { "wheat", [], [] },
        { "wheat", ["KZ", "RU", "UZ"], [] },
        { "wheat", ["KZ", "UZ"], ["DAP", "CPT"] },
        { "wheat", ["CN"], ["FCA"] },
    };

    [Theory]
    [MemberData(nameof(FacetCases))]
    public async Task Totals_and_facet_counts_past_the_bound_count_the_newest_matches(string? text, string[] origins, string[] incoterms)
    {
        var page = await corpus.Index.SearchAsync(new ListingQuery { Text = text, Origins = origins, Incoterms = incoterms, Limit = 10 }, Ct);

        bool Text(ListingDocument d) => text is null || IsWheat(d);
        bool Origin(ListingDocument d) => origins.Length == 0 || origins.Contains(d.OriginCountry);
        bool Incoterm(ListingDocument d) => incoterms.Length == 0 || incoterms.Contains(d.Incoterm);
        var newestFirst = corpus.Documents.Where(Text).Reverse().ToList();
        var matches = newestFirst.Count(d => Origin(d) && Incoterm(d));

        page.Total.Should().Be(Math.Min(matches, SearchLimits.TrackTotalHits));
        page.TotalIsLowerBound.Should().Be(matches > SearchLimits.TrackTotalHits);
        page.Hits.Select(h => h.Document.Id).Should().OnlyHaveUniqueItems().And.HaveCount(10);

        // Multi-select: a facet counts under every filter but its own, over the newest TrackTotalHits such listings.
        Dictionary<string, long> Counts(Func<ListingDocument, bool> filter, Func<ListingDocument, IEnumerable<string>> values) =>
            newestFirst.Where(filter).Take(SearchLimits.TrackTotalHits).SelectMany(values).GroupBy(v => v).ToDictionary(g => g.Key, g => (long)g.Count());
        var expected = new Dictionary<string, Dictionary<string, long>>
        {
            [Facets.Origin] = Counts(Incoterm, d => [d.OriginCountry]),
            [Facets.Incoterm] = Counts(Origin, d => [d.Incoterm]),
            [Facets.Category] = Counts(d => Origin(d) && Incoterm(d), d => d.CategoryPath),
            [Facets.Certificate] = Counts(d => Origin(d) && Incoterm(d), d => d.Certificates.Select(c => c.ToLowerInvariant())),
            [Facets.WarehouseCountry] = Counts(d => Origin(d) && Incoterm(d), d => d.WarehouseCountries),
        };
        foreach (var (facet, counts) in expected)
        {
            page.Facets[facet].ToDictionary(f => f.Key, f => f.Count).Should().BeEquivalentTo(counts, facet);
        }
    }

    public static TheoryData<ListingSort, string?, string[]> SortCases => new()
    {
        // Past the bound (the sort index is walked) and within it (the known matches are sorted), with and without text.
        { ListingSort.PriceAsc, null, [] },
        { ListingSort.PriceDesc, null, [] },
        { ListingSort.Newest, null, [] },
        { ListingSort.PriceAsc, "wheat", [] },
        { ListingSort.PriceDesc, "wheat", ["KZ", "RU"] },
        { ListingSort.Newest, "wheat", ["UZ"] },
        { ListingSort.PriceAsc, null, ["CN", "RU"] },
    };

    [Theory]
    [MemberData(nameof(SortCases))]
    public async Task Price_and_date_sorts_page_through_every_match_exactly_in_order(ListingSort sort, string? text, string[] origins)
    {
        var expected = corpus.Documents.Where(d => (text is null || IsWheat(d)) && (origins.Length == 0 || origins.Contains(d.OriginCountry)));
        Func<ListingDocument, string> id = d => d.Id.ToString();
        expected = sort switch
        {
            ListingSort.PriceAsc => expected.OrderBy(d => d.PriceUsd).ThenBy(id, StringComparer.Ordinal),
            ListingSort.PriceDesc => expected.OrderByDescending(d => d.PriceUsd).ThenByDescending(id, StringComparer.Ordinal),
            _ => expected.OrderByDescending(d => d.PublishedAt).ThenByDescending(id, StringComparer.Ordinal),
        };

        var seen = await ReadAllAsync(new ListingQuery { Text = text, Origins = origins, Sort = sort, Limit = SearchLimits.MaxLimit });

        seen.Select(h => h.Document.Id).Should().Equal(expected.Select(d => d.Id));
    }

    [Fact]
    public async Task Relevance_past_the_rank_window_ranks_the_newest_candidates_then_lists_the_older_ones_once()
    {
        var seen = await ReadAllAsync(new ListingQuery { Text = "wheat", Limit = SearchLimits.MaxLimit });

        var candidates = corpus.Documents.Where(IsWheat).Reverse().Take(SearchLimits.TrackTotalHits).ToList();
        // Compared sorted: an order-free equivalence of 10,000 items is quadratic in FluentAssertions.
        seen.Select(h => h.Document.Id).Order().Should().Equal(candidates.Select(d => d.Id).Order());
        var ranked = seen.Take(EmbeddedListingIndex.RankWindow).ToList();
        ranked.Select(h => h.Document.Id).Order().Should().Equal(candidates.Take(EmbeddedListingIndex.RankWindow).Select(d => d.Id).Order());
        ranked.Should().OnlyContain(h => h.Score > 0);
        ranked.Select(h => h.Score).Should().BeInDescendingOrder();
        var older = seen.Skip(EmbeddedListingIndex.RankWindow).ToList();
        older.Should().OnlyContain(h => h.Score == 0);
        older.Select(h => h.Document.Id).Should().BeInDescendingOrder();
    }

    async Task<List<SearchHit>> ReadAllAsync(ListingQuery query)
    {
        var seen = new List<SearchHit>();
        SearchCursor? cursor = null;
        do
        {
            var page = await corpus.Index.SearchAsync(query with { After = cursor }, Ct);
            seen.AddRange(page.Hits);
            cursor = page.Next;
        }
        while (cursor is not null && seen.Count <= corpus.Documents.Count);
        return seen;
    }
}
