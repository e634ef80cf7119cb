using FluentAssertions;
using Scoda.Market.Search;

namespace Scoda.Market.Search.Tests;

/// <summary>
/// What every search back end must do, run against each one: the embedded index in every test run, Elasticsearch
/// when SCODA_TEST_ELASTICSEARCH_URL names a server. A back end that needs a refresh before reads overrides
/// <see cref="AfterWriteAsync"/>.
/// </summary>
public abstract partial class SearchIndexContract
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A new, empty index for one test; names are unique per test.</summary>
    protected abstract Task<IListingIndex> CreateIndexAsync(string name);

    protected virtual Task AfterWriteAsync(IListingIndex index) => Task.CompletedTask;

    async Task<IListingIndex> IndexWithAsync(params ListingDocument[] documents)
    {
        var index = await CreateIndexAsync($"t{Guid.NewGuid():N}"[..20]);
        await index.EnsureCreatedAsync(Ct);
        if (documents.Length > 0)
        {
            (await index.UpsertAsync(documents, Ct)).Should().BeEmpty();
        }
        await AfterWriteAsync(index);
        return index;
    }

    static async Task<IReadOnlyList<Guid>> FindAsync(IListingIndex index, ListingQuery query) =>
        (await index.SearchAsync(query, Ct)).Hits.Select(h => h.Document.Id).ToList();

    static Task<IReadOnlyList<Guid>> FindAsync(IListingIndex index, string text) => FindAsync(index, new ListingQuery { Text = text });

    [Theory]
    [InlineData("wheat")]
    [InlineData("пшеница")]
    [InlineData("пшеницу")]
    [InlineData("小麦")]
    [InlineData("bidai")]
    [InlineData("бидай")]
    [InlineData("bug'doy")]
    [InlineData("bugdoy")]
    [InlineData("WHEAT")]
    public async Task Every_language_and_transliteration_finds_the_same_wheat(string text)
    {
        var english = new ListingDocumentBuilder().Titled("en", "Milling wheat class 3").InCategory("agriculture", "grains", "wheat", "Wheat").Build();
        var russian = new ListingDocumentBuilder().Titled("ru", "Пшеница мягкая 3 класса").InCategory("agriculture", "grains", "wheat", "Пшеница").Build();
        var chinese = new ListingDocumentBuilder().Titled("zh", "优质小麦出口").InCategory("agriculture", "grains", "wheat", "小麦").Build();
        var barley = new ListingDocumentBuilder().Barley().Build();
        var index = await IndexWithAsync(english, russian, chinese, barley);

        (await FindAsync(index, text)).Should().BeEquivalentTo([english.Id, russian.Id, chinese.Id]);
    }

    [Fact]
    public async Task Chinese_is_matched_without_spaces_and_a_russian_query_finds_a_chinese_and_english_listing()
    {
        var listing = new ListingDocumentBuilder()
            .With(d => d with { Title = new Dictionary<string, string> { ["zh"] = "哈萨克斯坦优质硬质小麦", ["en"] = "Kazakh durum wheat" } })
            .InCategory("agriculture", "grains", "durum-wheat", "Durum wheat", "硬质小麦").Build();
        var index = await IndexWithAsync(listing, new ListingDocumentBuilder().IronOre().Build());

        (await FindAsync(index, "优质")).Should().Equal(listing.Id);
        (await FindAsync(index, "硬质小麦")).Should().Equal(listing.Id);
        (await FindAsync(index, "твердая пшеница")).Should().Equal(listing.Id);
    }

    [Theory]
    [InlineData("whe")]
    [InlineData("пшен")]
    [InlineData("wheta")]
    [InlineData("wehat")]
    [InlineData("пшеницв")]
    [InlineData("millng wheat")]
    public async Task Prefixes_and_typos_still_find_latin_and_cyrillic_words(string text)
    {
        var english = new ListingDocumentBuilder().Titled("en", "Milling wheat").Build();
        var russian = new ListingDocumentBuilder().Titled("ru", "Пшеница продовольственная").InCategory("agriculture", "grains", "wheat", "Пшеница").Build();
        var ore = new ListingDocumentBuilder().IronOre().Build();
        var index = await IndexWithAsync(english, russian, ore);

        var found = await FindAsync(index, text);

        found.Should().NotBeEmpty().And.NotContain(ore.Id);
    }

    [Fact]
    public async Task A_typo_finds_a_word_first_indexed_after_earlier_searches()
    {
        var index = await IndexWithAsync(new ListingDocumentBuilder().Titled("en", "Milling wheat").Build());
        (await FindAsync(index, "wheta")).Should().ContainSingle();

        var sorghum = new ListingDocumentBuilder().Titled("en", "Red sorghum").Build();
        await index.UpsertAsync([sorghum], Ct);
        await AfterWriteAsync(index);

        (await FindAsync(index, "sorgum red")).Should().Equal(sorghum.Id);
    }

    [Fact]
    public async Task A_title_match_ranks_above_a_description_match()
    {
        var inTitle = new ListingDocumentBuilder().IronOre().Titled("en", "Manganese ore lumps").Build();
        var inDescription = new ListingDocumentBuilder().IronOre().Titled("en", "Iron ore fines").Described("en", "Mine also offers manganese ore on request.").Build();
        var index = await IndexWithAsync(inDescription, inTitle);

        (await FindAsync(index, new ListingQuery { Text = "manganese" })).Should().Equal(inTitle.Id, inDescription.Id);
    }

    [Fact]
    public async Task Filters_combine_and_a_category_includes_its_descendants()
    {
        var wheat = new ListingDocumentBuilder().From("KZ").PricedUsd(240).Build();
        var barley = new ListingDocumentBuilder().Barley().From("RU").PricedUsd(200).With(d => d with { Incoterm = "CPT", WarehouseCountries = ["RU"], Certificates = ["GAFTA"] }).Build();
        var ore = new ListingDocumentBuilder().IronOre().From("KZ").With(d => d with { SellerVerified = false, Available = 0, WarehouseCountries = ["CN"] }).Build();
        var index = await IndexWithAsync(wheat, barley, ore);

        (await FindAsync(index, new ListingQuery { Categories = ["grains"] })).Should().BeEquivalentTo([wheat.Id, barley.Id]);
        (await FindAsync(index, new ListingQuery { Categories = ["minerals"] })).Should().Equal(ore.Id);
        (await FindAsync(index, new ListingQuery { HsCodePrefix = "1001" })).Should().Equal(wheat.Id);
        (await FindAsync(index, new ListingQuery { Origins = ["RU"] })).Should().Equal(barley.Id);
        (await FindAsync(index, new ListingQuery { Incoterms = ["CPT", "FCA"] })).Should().Equal(barley.Id);
        (await FindAsync(index, new ListingQuery { WarehouseCountries = ["CN"] })).Should().Equal(ore.Id);
        (await FindAsync(index, new ListingQuery { Certificates = ["gafta"] })).Should().Equal(barley.Id);
        (await FindAsync(index, new ListingQuery { MinPriceUsd = 150, MaxPriceUsd = 220 })).Should().Equal(barley.Id);
        (await FindAsync(index, new ListingQuery { MinAvailable = 1 })).Should().BeEquivalentTo([wheat.Id, barley.Id]);
        (await FindAsync(index, new ListingQuery { VerifiedOnly = true })).Should().BeEquivalentTo([wheat.Id, barley.Id]);
        (await FindAsync(index, new ListingQuery { Text = "wheat", Origins = ["RU"] })).Should().BeEmpty();
    }

    [Fact]
    public async Task Facet_counts_follow_the_other_filters_but_not_their_own()
    {
        var index = await IndexWithAsync(
            new ListingDocumentBuilder().From("KZ").Build(),
            new ListingDocumentBuilder().From("KZ").Build(),
            new ListingDocumentBuilder().From("RU").With(d => d with { Incoterm = "CPT" }).Build(),
            new ListingDocumentBuilder().Barley().From("UZ").Build(),
            new ListingDocumentBuilder().IronOre().From("KZ").Build());

        var page = await index.SearchAsync(new ListingQuery { Text = "wheat", Origins = ["KZ"] }, Ct);

        page.Total.Should().Be(2);
        page.Facets[Facets.Origin].Should().BeEquivalentTo([new FacetCount("KZ", 2), new FacetCount("RU", 1)]);
        page.Facets[Facets.Incoterm].Should().BeEquivalentTo([new FacetCount("DAP", 2)]);
        page.Facets[Facets.Category].Should().Contain(new FacetCount("wheat", 2)).And.NotContain(f => f.Key == "barley" || f.Key == "iron-ore-fines");
        page.Facets.Keys.Should().BeEquivalentTo(Facets.All);
    }

    [Fact]
    public async Task With_several_facet_filters_each_facet_counts_under_all_the_others()
    {
        var index = await IndexWithAsync(
            new ListingDocumentBuilder().From("KZ").Build(),
            new ListingDocumentBuilder().From("KZ").With(d => d with { WarehouseCountries = ["CN"], Certificates = ["GOST"] }).Build(),
            new ListingDocumentBuilder().From("RU").With(d => d with { WarehouseCountries = ["KZ", "CN"] }).Build(),
            new ListingDocumentBuilder().From("RU").With(d => d with { Certificates = ["Halal"] }).Build(),
            new ListingDocumentBuilder().Barley().From("KZ").Build());

        var page = await index.SearchAsync(new ListingQuery
        {
            Text = "wheat", Categories = ["grains"], Origins = ["KZ", "RU"], WarehouseCountries = ["KZ"], Certificates = ["sgs"],
        }, Ct);

        // Matches: the first KZ listing and the RU one stored in KZ and CN (both SGS, both in a KZ warehouse).
        page.Total.Should().Be(2);
        page.Facets[Facets.Origin].Should().BeEquivalentTo([new FacetCount("KZ", 1), new FacetCount("RU", 1)]);
        page.Facets[Facets.WarehouseCountry].Should().BeEquivalentTo([new FacetCount("KZ", 2), new FacetCount("CN", 1)]);
        page.Facets[Facets.Certificate].Should().BeEquivalentTo([new FacetCount("sgs", 2), new FacetCount("halal", 1)]);
        page.Facets[Facets.Category].Should().Contain(new FacetCount("wheat", 2)).And.NotContain(f => f.Key == "barley");
    }

    [Fact]
    public async Task A_certificate_is_one_value_whatever_characters_it_holds()
    {
        var piped = new ListingDocumentBuilder().With(d => d with { Certificates = ["ISO 22000|HACCP"] }).Build();
        var both = new ListingDocumentBuilder().With(d => d with { Certificates = ["ISO 22000", "HACCP"] }).Build();
        var index = await IndexWithAsync(piped, both);

        var page = await index.SearchAsync(new ListingQuery { Text = "wheat" }, Ct);

        page.Facets[Facets.Certificate].Should().BeEquivalentTo([new FacetCount("iso 22000|haccp", 1), new FacetCount("iso 22000", 1), new FacetCount("haccp", 1)]);
        (await FindAsync(index, new ListingQuery { Certificates = ["iso 22000|haccp"] })).Should().Equal(piped.Id);
        (await FindAsync(index, new ListingQuery { Certificates = ["HACCP"] })).Should().Equal(both.Id);
    }

    [Theory]
    [InlineData(ListingSort.PriceAsc)]
    [InlineData(ListingSort.PriceDesc)]
    [InlineData(ListingSort.Newest)]
    [InlineData(ListingSort.Relevance)]
    public async Task Cursor_pages_cover_every_match_once_even_while_listings_are_added(ListingSort sort)
    {
        // Titles and descriptions of different lengths, and wheat in fewer than half of the listings: relevance scores
        // that depend on the corpus (as BM25's do) would move when a listing arrives between pages.
        var documents = Enumerable.Range(0, 23).Select(i => new ListingDocumentBuilder().PricedUsd(200 + (i % 7))
            .Titled("en", i % 2 == 0 ? $"Milling wheat lot {i}" : $"Wheat {i}").Described("en", string.Join(' ', Enumerable.Repeat("clean grain", i % 5))).Build()).ToArray();
        var others = Enumerable.Range(0, 30).Select(_ => new ListingDocumentBuilder().Barley().Build());
        var index = await IndexWithAsync([.. documents, .. others]);

        var seen = new List<Guid>();
        SearchCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = await index.SearchAsync(new ListingQuery { Text = "wheat", Sort = sort, Limit = 5, After = cursor }, Ct);
            seen.AddRange(page.Hits.Select(h => h.Document.Id));
            cursor = page.Next;
            if (++pages == 2)
            {
                // A new listing arrives between pages; the pages already read must not shift.
                await index.UpsertAsync([new ListingDocumentBuilder().PricedUsd(199).Titled("en", "Late wheat").Build()], Ct);
                await AfterWriteAsync(index);
            }
        }
        while (cursor is not null && pages < 20);

        seen.Should().OnlyHaveUniqueItems();
        seen.Should().Contain(documents.Select(d => d.Id));
        if (sort is ListingSort.PriceAsc)
        {
            var prices = seen.Select(id => documents.FirstOrDefault(d => d.Id == id)?.PriceUsd ?? 199m).ToList();
            prices.Skip(10).Should().BeInAscendingOrder();
        }
    }

    [Fact]
    public async Task Relevance_pages_by_cursor_follow_the_scores_and_cover_every_match_once()
    {
        // "wheat" in the title, only in the commodity names, only in the seller's name, only in the description.
        ListingDocument Listing(int i) => (i % 4) switch
        {
            0 => new ListingDocumentBuilder().Titled("en", $"Milling wheat lot {i}").Build(),
            1 => new ListingDocumentBuilder().Titled("en", $"Grain lot {i}").Build(),
            2 => new ListingDocumentBuilder().Barley().Titled("en", $"Grain lot {i}").With(d => d with { SellerName = "Wheat Belt Trading LLP" }).Build(),
            _ => new ListingDocumentBuilder().Barley().Titled("en", $"Grain lot {i}").Described("en", "Could replace wheat in feed rations.").Build(),
        };
        var documents = Enumerable.Range(0, 30).Select(Listing).ToArray();
        var index = await IndexWithAsync(documents);

        var hits = new List<SearchHit>();
        SearchCursor? cursor = null;
        do
        {
            var page = await index.SearchAsync(new ListingQuery { Text = "wheat", Limit = 4, After = cursor }, Ct);
            hits.AddRange(page.Hits);
            cursor = page.Next;
        }
        while (cursor is not null && hits.Count <= documents.Length);

        hits.Select(h => h.Document.Id).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(documents.Select(d => d.Id));
        hits.Select(h => h.Score).Should().BeInDescendingOrder();
        hits.Select(h => h.Score).Distinct().Should().HaveCountGreaterThanOrEqualTo(3);
        hits.Take(8).Should().OnlyContain(h => h.Document.Title["en"].Contains("wheat"), "a title match ranks first");
    }

    [Fact]
    public async Task Sorts_order_by_normalized_price_and_publication()
    {
        var cheap = new ListingDocumentBuilder().PricedUsd(199.9999m).Build();
        var dear = new ListingDocumentBuilder().PricedUsd(260m).Build();
        var unpriced = new ListingDocumentBuilder().With(d => d with { PriceUsd = null, PriceCny = null }).Build();
        var index = await IndexWithAsync(dear, unpriced, cheap);

        (await FindAsync(index, new ListingQuery { Sort = ListingSort.PriceAsc })).Should().Equal(cheap.Id, dear.Id);
        (await FindAsync(index, new ListingQuery { Sort = ListingSort.PriceDesc })).Should().Equal(dear.Id, cheap.Id);
        (await FindAsync(index, new ListingQuery { Sort = ListingSort.Newest })).Should().Equal(unpriced.Id, dear.Id, cheap.Id);
    }

    [Fact]
    public async Task Hits_carry_html_safe_highlighted_snippets()
    {
        var listing = new ListingDocumentBuilder()
            .With(d => d with { Title = new Dictionary<string, string> { ["en"] = "Wheat <b>class 3</b> & more", ["ru"] = "Пшеница 3 класса" } }).Build();
        var index = await IndexWithAsync(listing);

        var hit = (await index.SearchAsync(new ListingQuery { Text = "wheat" }, Ct)).Hits.Single();

        hit.Highlights["title.en"].Should().Contain("<mark>Wheat</mark>").And.Contain("&lt;b&gt;").And.NotContain("<b>");
        hit.Highlights["title.ru"].Should().Contain("<mark>Пшеница</mark>");
    }

    [Fact]
    public async Task Suggestions_complete_commodity_names_and_places()
    {
        var index = await IndexWithAsync(new ListingDocumentBuilder().Build(), new ListingDocumentBuilder().Barley().Build());

        (await index.SuggestAsync("whe", 5, Ct)).Should().Contain("Wheat");
        (await index.SuggestAsync("пше", 5, Ct)).Should().Contain("Пшеница");
        (await index.SuggestAsync("kho", 5, Ct)).Should().Contain("Khorgos");
        (await index.SuggestAsync("", 5, Ct)).Should().BeEmpty();
    }

    [Theory]
    [InlineData("wheat\" OR *")]
    [InlineData("NEAR(wheat barley)")]
    [InlineData("title:wheat")]
    [InlineData("wheat AND -barley")]
    [InlineData("^wheat")]
    [InlineData("(((")]
    [InlineData("\"")]
    [InlineData("*:*")]
    [InlineData("wheat' OR 1=1 --")]
    public async Task Query_syntax_characters_are_searched_literally(string text)
    {
        var wheat = new ListingDocumentBuilder().Build();
        var barley = new ListingDocumentBuilder().Barley().Build();
        var index = await IndexWithAsync(wheat, barley);

        var search = () => index.SearchAsync(new ListingQuery { Text = text }, Ct);

        var page = (await search.Should().NotThrowAsync()).Subject;
        page.Hits.Select(h => h.Document.Id).Should().NotContain(barley.Id, "no query operator may widen the search");
    }

    [Fact]
    public async Task A_very_long_query_is_safe()
    {
        var index = await IndexWithAsync(new ListingDocumentBuilder().Build());
        var text = string.Join(' ', Enumerable.Repeat("wheat", 2000));

        var search = () => index.SearchAsync(new ListingQuery { Text = text }, Ct);

        await search.Should().NotThrowAsync();
    }

    [Fact]
    public async Task Upserts_replace_and_deletes_remove()
    {
        var listing = new ListingDocumentBuilder().Build();
        var index = await IndexWithAsync(listing);
        await index.UpsertAsync([listing with { Title = new Dictionary<string, string> { ["en"] = "Soft wheat" }, PriceUsd = 230m }], Ct);
        await AfterWriteAsync(index);

        var page = await index.SearchAsync(new ListingQuery { Text = "wheat" }, Ct);
        page.Hits.Should().ContainSingle().Which.Document.PriceUsd.Should().Be(230m);
        (await FindAsync(index, "milling")).Should().BeEmpty();

        await index.DeleteAsync([listing.Id], Ct);
        await AfterWriteAsync(index);
        (await index.SearchAsync(new ListingQuery { Text = "wheat" }, Ct)).Total.Should().Be(0);
        (await index.StatsAsync(Ct)).Documents.Should().Be(0);
    }

    [Fact]
    public async Task Stored_buy_request_queries_match_new_listings()
    {
        var index = await IndexWithAsync();
        var kazakhWheat = Guid.NewGuid();
        var cheapGrain = Guid.NewGuid();
        var ore = Guid.NewGuid();
        await index.StoreQueryAsync(new StoredQuery(kazakhWheat, new ListingQuery { Text = "пшеница", Origins = ["KZ"] }), Ct);
        await index.StoreQueryAsync(new StoredQuery(cheapGrain, new ListingQuery { Categories = ["grains"], MaxPriceUsd = 210 }), Ct);
        await index.StoreQueryAsync(new StoredQuery(ore, new ListingQuery { Text = "铁矿石" }), Ct);
        await AfterWriteAsync(index);

        (await index.PercolateAsync(new ListingDocumentBuilder().From("KZ").PricedUsd(240).Build(), Ct)).Should().BeEquivalentTo([kazakhWheat]);
        (await index.PercolateAsync(new ListingDocumentBuilder().Barley().PricedUsd(200).Build(), Ct)).Should().BeEquivalentTo([cheapGrain]);
        (await index.PercolateAsync(new ListingDocumentBuilder().IronOre().Build(), Ct)).Should().BeEquivalentTo([ore]);

        await index.DeleteQueryAsync(kazakhWheat, Ct);
        await AfterWriteAsync(index);
        (await index.PercolateAsync(new ListingDocumentBuilder().From("KZ").PricedUsd(240).Build(), Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task Percolations_at_the_same_time_each_see_only_their_own_listing()
    {
        var index = await IndexWithAsync();
        var wheat = Guid.NewGuid();
        var barley = Guid.NewGuid();
        await index.StoreQueryAsync(new StoredQuery(wheat, new ListingQuery { Text = "wheat" }), Ct);
        await index.StoreQueryAsync(new StoredQuery(barley, new ListingQuery { Text = "barley" }), Ct);
        await AfterWriteAsync(index);

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() =>
            index.PercolateAsync(i % 2 == 0 ? new ListingDocumentBuilder().Build() : new ListingDocumentBuilder().Barley().Build(), Ct))));

        results.Select(r => r.Single()).Should().Equal(Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? wheat : barley));
    }

    [Fact]
    public async Task A_rebuild_swaps_in_a_complete_new_index_and_keeps_stored_queries()
    {
        var old = new ListingDocumentBuilder().Build();
        var index = await IndexWithAsync(old);
        var query = Guid.NewGuid();
        await index.StoreQueryAsync(new StoredQuery(query, new ListingQuery { Text = "barley" }), Ct);
        var replacement = new ListingDocumentBuilder().Barley().Build();

        await index.RebuildAsync(async (fresh, ct) =>
        {
            await fresh.UpsertAsync([replacement], ct);
            // While the new index fills, searches still read the complete old one.
            (await FindAsync(index, "wheat")).Should().Equal(old.Id);
        }, Ct);
        await AfterWriteAsync(index);

        (await FindAsync(index, "wheat")).Should().BeEmpty();
        (await FindAsync(index, "barley")).Should().Equal(replacement.Id);
        (await index.PercolateAsync(replacement, Ct)).Should().Equal(query);
    }
}
