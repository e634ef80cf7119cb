namespace Scoda.Market.Search;

/// <summary>
/// Search without dead ends, the same on every back end: the listings that have every word of the query come first;
/// when they run out (the last page of full matches has room left), the best partial matches follow, marked
/// <see cref="SearchHit.Partial"/>: those with the most query words, by field weight. A cursor taken among the partial
/// matches carries <see cref="SearchCursor.Partial"/> and resumes there.
/// </summary>
public static class ListingSearch
{
    public static async Task<SearchPage> SearchAsync(IListingIndex index, ListingQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(query);
        if (query.After is { Partial: true } resume)
        {
            // Guid.Empty: the full matches ended exactly at a page's end, and the partial ones start here.
            var after = resume.Id == Guid.Empty ? null : resume with { Partial = false };
            var rest = await index.SearchAsync(query with { Words = WordMatch.Some, After = after, WithFacets = false }, ct);
            return Combined([], rest, 0, false, new Dictionary<string, IReadOnlyList<FacetCount>>());
        }
        var full = await index.SearchAsync(query with { Words = WordMatch.All }, ct);
        var limit = Math.Clamp(query.Limit, 1, SearchLimits.MaxLimit);
        if (string.IsNullOrWhiteSpace(query.Text) || full.Next is not null)
        {
            return full;
        }
        if (full.Hits.Count >= limit)
        {
            // The page is full and the full matches end with it: the next page starts the partial ones, if there are any.
            var any = await index.SearchAsync(query with { Words = WordMatch.Some, After = null, Limit = 1, WithFacets = false }, ct);
            return any.Total == 0 ? full : full with { Next = new SearchCursor(query.Sort, 0, Guid.Empty, Partial: true), PartialTotal = any.Total };
        }
        var some = await index.SearchAsync(query with
        {
            Words = WordMatch.Some, After = null, Limit = limit - full.Hits.Count,
            // With no full match the facets describe the partial ones, so a filter can still be dropped from them.
            WithFacets = query.WithFacets && full.Total == 0 && query.After is null,
        }, ct);
        var facets = full.Total == 0 && some.Facets.Count > 0 ? some.Facets : full.Facets;
        return Combined(full.Hits, some, full.Total, full.TotalIsLowerBound, facets);
    }

    static SearchPage Combined(IReadOnlyList<SearchHit> full, SearchPage some, long total, bool lowerBound, IReadOnlyDictionary<string, IReadOnlyList<FacetCount>> facets) =>
        new(total, lowerBound, [.. full, .. some.Hits.Select(h => h with { Partial = true })], facets, some.Next is { } next ? next with { Partial = true } : null)
        {
            PartialTotal = some.Total,
        };
}
