namespace Scoda.Market.Search;

/// <summary>
/// The search port: everything the product asks of a search engine. Two back ends implement it (the embedded SQLite
/// FTS5 index and Elasticsearch) and pass one contract test suite.
/// </summary>
public interface IListingIndex
{
    string Backend { get; }

    /// <summary>Creates the index if it does not exist (idempotent).</summary>
    Task EnsureCreatedAsync(CancellationToken ct = default);

    /// <summary>Adds or replaces documents; returns the ids that failed (the caller retries those only).</summary>
    Task<IReadOnlyList<Guid>> UpsertAsync(IReadOnlyList<ListingDocument> documents, CancellationToken ct = default);

    Task DeleteAsync(IReadOnlyList<Guid> ids, CancellationToken ct = default);

    Task<SearchPage> SearchAsync(ListingQuery query, CancellationToken ct = default);

    /// <summary>Completions for what the user is typing (titles, commodity names, places).</summary>
    Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct = default);

    /// <summary>
    /// The text with its words that the index does not know replaced by the closest words it does ("wheta mililng" →
    /// "wheat milling"), for a search that found nothing; null when there is nothing better to offer.
    /// </summary>
    Task<string?> SuggestSpellingAsync(string text, CancellationToken ct = default);

    /// <summary>Stores a buy request's standing query, to be matched against listings as they are indexed.</summary>
    Task StoreQueryAsync(StoredQuery query, CancellationToken ct = default);

    Task DeleteQueryAsync(Guid id, CancellationToken ct = default);

    /// <summary>The stored queries a listing matches (percolation).</summary>
    Task<IReadOnlyList<Guid>> PercolateAsync(ListingDocument document, CancellationToken ct = default);

    /// <summary>
    /// Builds a fresh index beside the live one: <paramref name="fill"/> writes every document into the builder, then the
    /// builder becomes the live index in one switch (an alias swap or a file switch); readers never see a partial index.
    /// </summary>
    Task RebuildAsync(Func<IListingIndex, CancellationToken, Task> fill, CancellationToken ct = default);

    Task<IndexStats> StatsAsync(CancellationToken ct = default);
}

/// <summary>A standing query (a buy request): text and filters that a new listing must match.</summary>
public sealed record StoredQuery(Guid Id, ListingQuery Query);

public sealed record IndexStats(string Backend, string IndexName, long Documents, long StoredQueries);
