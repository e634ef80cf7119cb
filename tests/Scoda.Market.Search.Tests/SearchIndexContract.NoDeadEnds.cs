using FluentAssertions;

namespace Scoda.Market.Search.Tests;

/// <summary>Search without dead ends, on every back end: full matches first, then partial ones; headlines in every language; spelling.</summary>
public abstract partial class SearchIndexContract
{
    static ListingDocument Titled(string title) => new ListingDocumentBuilder().Titled("en", title).Build();

    [Fact]
    public async Task Listings_with_every_word_come_first_then_partial_matches_with_the_most_words()
    {
        var all = Titled("Sunflower kernels, confectionery grade");
        var two = Titled("Sunflower kernels, bakery grade");
        var one = Titled("Sunflower oil, crude");
        var none = new ListingDocumentBuilder().Barley().Build();
        var index = await IndexWithAsync(one, none, two, all);

        var page = await ListingSearch.SearchAsync(index, new ListingQuery { Text = "sunflower kernels confectionery" }, Ct);

        page.Hits.Select(h => (h.Document.Id, h.Partial)).Should().Equal((all.Id, false), (two.Id, true), (one.Id, true));
        page.Total.Should().Be(1);
        page.PartialTotal.Should().Be(2);
    }

    [Fact]
    public async Task Partial_matches_continue_on_the_next_pages_and_never_repeat_a_full_match()
    {
        var all = Titled("Sunflower kernels, confectionery grade");
        var two = Titled("Sunflower kernels, bakery grade");
        var one = Titled("Sunflower oil, crude");
        var index = await IndexWithAsync(one, two, all);
        var query = new ListingQuery { Text = "sunflower kernels confectionery", Limit = 1 };

        var seen = new List<(Guid, bool)>();
        SearchCursor? after = null;
        do
        {
            var page = await ListingSearch.SearchAsync(index, query with { After = after }, Ct);
            seen.AddRange(page.Hits.Select(h => (h.Document.Id, h.Partial)));
            after = page.Next;
        }
        while (after is not null && seen.Count < 10);

        seen.Should().Equal((all.Id, false), (two.Id, true), (one.Id, true));
    }

    [Fact]
    public async Task A_single_word_has_no_partial_matches_and_a_full_match_hides_none()
    {
        var wheat = new ListingDocumentBuilder().Build();
        var index = await IndexWithAsync(wheat, new ListingDocumentBuilder().Barley().Build());

        (await index.SearchAsync(new ListingQuery { Text = "wheat", Words = WordMatch.Some }, Ct)).Hits.Should().BeEmpty();
        var page = await ListingSearch.SearchAsync(index, new ListingQuery { Text = "wheat" }, Ct);
        page.Hits.Should().ContainSingle().Which.Partial.Should().BeFalse();
    }

    [Theory]
    [InlineData("小麦")]
    [InlineData("科斯塔奈州")]
    [InlineData("Костанайская")]
    [InlineData("protein")]
    public async Task The_headline_is_searched_in_every_language(string text)
    {
        // The seller wrote Russian only, and the commodity names carry no Chinese: only the headline can answer.
        var russian = new ListingDocumentBuilder()
            .Titled("ru", "Продаём зерно нового урожая")
            .With(d => d with
            {
                CategoryNames = ["Soft wheat"],
                Description = new Dictionary<string, string>(),
                OriginRegion = null,
                SellerName = "ТОО Астык",
                Headline = new Dictionary<string, string>
                {
                    ["en"] = "Wheat (common, milling), protein 14.7 % — Kostanay region, Kazakhstan",
                    ["ru"] = "Пшеница мягкая, белок 14,7 % — Костанайская обл., Казахстан",
                    ["zh"] = "小麦，蛋白质 14.7% — 哈萨克斯坦 科斯塔奈州",
                },
            }).Build();
        var ore = new ListingDocumentBuilder().IronOre().Build();
        var index = await IndexWithAsync(russian, ore);

        (await FindAsync(index, text)).Should().Equal(russian.Id);
    }

    [Fact]
    public async Task A_misspelt_word_gets_a_suggestion_that_finds_something_and_a_known_word_none()
    {
        var index = await IndexWithAsync(new ListingDocumentBuilder().Barley().Build(), new ListingDocumentBuilder().IronOre().Build());

        var suggestion = await index.SuggestSpellingAsync("barlyy", Ct);

        suggestion.Should().NotBeNull();
        (await index.SearchAsync(new ListingQuery { Text = suggestion }, Ct)).Hits.Should().NotBeEmpty();
        (await index.SuggestSpellingAsync("barley", Ct)).Should().BeNull();
    }
}
