using FluentAssertions;
using Scoda.Market.Search.Embedded;

namespace Scoda.Market.Search.Tests.Embedded;

/// <summary>Searches while the same listings are being replaced, as a live marketplace's indexer does all day.</summary>
public sealed class EmbeddedConcurrencyTests : IAsyncLifetime
{
    readonly IndexFolder _folder = new();
    EmbeddedListingIndex _index = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _index = _folder.Create("index");
        await _index.EnsureCreatedAsync(Ct);
    }

    public ValueTask DisposeAsync() => _folder.DisposeAsync();

    [Theory]
    [InlineData(ListingSort.Relevance)]
    [InlineData(ListingSort.PriceAsc)]
    public async Task A_search_never_fails_or_loses_a_hit_while_its_listings_are_being_replaced(ListingSort sort)
    {
        var listings = Enumerable.Range(0, 400).Select(i => new ListingDocumentBuilder().Titled("en", $"Milling wheat lot {i}").PricedUsd(200 + i % 50).Build()).ToList();
        await _index.UpsertAsync(listings, Ct);

        // Every listing is replaced (a new row each time) in small batches, as fast as the writer goes.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var writer = Task.Run(async () =>
        {
            var round = 0;
            while (!stop.IsCancellationRequested)
            {
                foreach (var batch in listings.Chunk(20))
                {
                    await _index.UpsertAsync(batch.Select(d => d with { Available = 1000 + round }).ToList(), CancellationToken.None);
                }
                round++;
            }
        }, CancellationToken.None);

        try
        {
            for (var i = 0; i < 150; i++)
            {
                var page = await _index.SearchAsync(new ListingQuery { Text = "wheat", Sort = sort, Limit = 50 }, Ct);
                page.Total.Should().Be(listings.Count);
                page.Hits.Should().HaveCount(50).And.OnlyContain(h => h.Document.Title["en"].Contains("wheat"));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
    }
}
