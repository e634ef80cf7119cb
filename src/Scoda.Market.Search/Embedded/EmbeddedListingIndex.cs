using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>
/// The embedded search back end: one SQLite file with an FTS5 full-text table (contentless, over the analyzed terms),
/// a narrow table of the documents' filter and facet columns (the payloads live in a table of their own, so walking
/// the filters reads few pages), stored buy-request queries and suggestions. Kept apart from the database, under
/// <c>{data}/search/</c>.
///
/// Bounded work per query, so a common word over a million listings stays fast:
/// <list type="bullet">
/// <item>matching stops after the <see cref="SearchLimits.TrackTotalHits"/> newest matches (text and filters together):
/// total, facets and relevance candidates come from them; the total then says "at least" (Elasticsearch does the same);</item>
/// <item>multi-select facets (a facet's own filter does not narrow its own counts, each counts its newest
/// TrackTotalHits rows): a text query gets them from the single FTS5 walk that collects its candidates, with the facet
/// filters tested per row as flags, stopping once every count is bounded (then the strict matches alone continue to
/// the bound); a query without text has no walk to share, so SQLite counts each one in a bounded scan newest first
/// (handing every scanned row to .NET would cost more than the scan);</item>
/// <item>relevance (per query word, the weight of the best field it is found in: see <see cref="RelevanceRanking.FieldWeights"/>) ranks the
/// <see cref="RankWindow"/> newest candidates (commodity offers age quickly: the newest are the ones buyers want ranked);
/// older candidates follow unscored, by id descending (time-ordered ids: newest first), where a (score, id) cursor can resume;</item>
/// <item>price and newest sorts are exact over all matches: they sort the matches when all are known, and otherwise
/// walk an index in sort order with search_after.</item>
/// </list>
/// A rebuild loads a new file in bulk: one long transaction fed by a writer that overlaps text analysis, secondary
/// indexes built once at the end, no journal sync (the file only becomes live, by a pointer switch, when complete).
/// Inserts never open a statement savepoint (OR FAIL, row ids handed out here): FTS5 would flush its pending terms
/// into a new segment at each one.
///
/// This type answers the port and sequences the parts; each concern is a type of its own: <see cref="IndexFiles"/>
/// (pointer and live file), <see cref="IndexSchema"/> (file layout), <see cref="IndexWriter"/> and <see cref="BulkLoad"/>
/// (writing), <see cref="QueryFilters"/>, <see cref="Matching"/> and <see cref="Matches"/> (planning and matching),
/// <see cref="RelevanceRanking"/> and <see cref="SortedWalk"/> (page order), <see cref="Percolation"/>,
/// <see cref="Vocabulary"/> and <see cref="Suggestions"/>.
/// </summary>
public sealed class EmbeddedListingIndex : IListingIndex, IDisposable, IAsyncDisposable
{
    public const int RankWindow = RelevanceRanking.Window;
    const int BulkChunk = 256;

    readonly SemaphoreSlim _writer = new(1, 1);
    readonly Synonyms _synonyms;
    readonly bool _bulk;
    readonly IndexFiles _files;
    readonly Vocabulary _vocabulary = new();
    BulkLoad? _load;

    /// <summary>An index kept in <paramref name="folder"/>; the live file is named in its <c>current</c> pointer.</summary>
    public EmbeddedListingIndex(string folder, Synonyms? synonyms = null)
    {
        _files = new IndexFiles(folder, _vocabulary.Forget);
        _synonyms = synonyms ?? Synonyms.Shipped;
    }

    EmbeddedListingIndex(IndexFiles file, Synonyms synonyms)
    {
        _files = file;
        _synonyms = synonyms;
        _bulk = true;
    }

    /// <summary>An index on one file (a rebuild's new file, a percolation's scratch database) that is filled by a bulk load.</summary>
    internal static EmbeddedListingIndex BulkLoading(string file, Synonyms synonyms) => new(new IndexFiles(file), synonyms);

    public string Backend => "embedded";

    public string CurrentFile => _files.Live();

    public async Task EnsureCreatedAsync(CancellationToken ct = default)
    {
        if (_bulk)
        {
            _load ??= await BulkLoad.StartAsync(_files.KnownFile, ct);
            return;
        }
        await using var connection = await _files.OpenLiveAsync(create: true, ct);
        await Sql.ExecuteAsync(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + IndexSchema.Tables + IndexSchema.SecondaryIndexes, ct);
        await _files.PublishAsync(ct);
    }

    public async Task<IReadOnlyList<Guid>> UpsertAsync(IReadOnlyList<ListingDocument> documents, CancellationToken ct = default)
    {
        // Text analysis and serialization are CPU work: done on every core before taking the single write lock.
        if (_bulk)
        {
            // A bulk load acknowledges at the end of the rebuild (all or nothing). Documents are prepared on the caller's
            // thread while the writer writes on the other core (more threads only fight the writer, and each other's
            // allocations, for two cores), in small chunks, so few prepared documents are alive at once and each
            // garbage collection has little to promote.
            var load = _load ?? throw new InvalidOperationException("EnsureCreatedAsync starts the bulk load.");
            foreach (var chunk in documents.Chunk(BulkChunk))
            {
                await load.EnqueueAsync(chunk.Select(PreparedDocument.Of).ToList(), null, ct);
            }
            return [];
        }
        var prepared = documents.AsParallel().AsOrdered().WithCancellation(ct).Select(PreparedDocument.Of).ToList();
        await WriteAsync(async writer =>
        {
            foreach (var document in prepared)
            {
                await writer.RemoveAsync(document.Document.Id, ct);
                await writer.InsertAsync(document, ct);
            }
        }, prepared, ct);
        return [];
    }

    public async Task DeleteAsync(IReadOnlyList<Guid> ids, CancellationToken ct = default)
    {
        if (_bulk)
        {
            await (_load ?? throw new InvalidOperationException("EnsureCreatedAsync starts the bulk load.")).EnqueueAsync(null, ids, ct);
            return;
        }
        await WriteAsync(async writer =>
        {
            foreach (var id in ids)
            {
                await writer.RemoveAsync(id, ct);
            }
        }, [], ct);
    }

    /// <summary>One writer at a time, one transaction per call, prepared statements reused across its documents.</summary>
    async Task WriteAsync(Func<IndexWriter, Task> write, IReadOnlyList<PreparedDocument> written, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var connection = await _files.OpenAsync(ct);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await using var writer = new IndexWriter(connection, transaction, null);
            await write(writer);
            await writer.FlushSuggestionsAsync(ct);
            await transaction.CommitAsync(ct);
            _vocabulary.Committed(written);
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<SearchPage> SearchAsync(ListingQuery query, CancellationToken ct = default)
    {
        await ReadableAsync(ct);
        await using var connection = await _files.OpenAsync(ct);
        var vocabulary = await _vocabulary.ReadAsync(connection, ct);
        var parsed = EmbeddedQuery.Parse(query.Text, _synonyms, vocabulary.NearSpellings);
        var text = query.Words == WordMatch.Some ? parsed.SomeWords() : parsed;
        var limit = Math.Clamp(query.Limit, 1, SearchLimits.MaxLimit);
        if (text is null || (text.Match is null && !string.IsNullOrWhiteSpace(query.Text)))
        {
            // Text with no searchable word ("(((", "*:*") matches nothing, as a match query with no terms does.
            return new SearchPage(0, false, [], Facets.All.ToDictionary(f => f, _ => (IReadOnlyList<FacetCount>)[]), null);
        }

        // One snapshot for every statement of the search (matches, ranking, payloads), so a listing changed or removed
        // meanwhile cannot vanish between them. A plain BEGIN: each helper's command runs in it without carrying it. The
        // connection's scratch tables are created before it, so they outlive the rollback and the schema stays put.
        await Sql.ExecuteAsync(connection, IndexSchema.ScratchTables + "BEGIN;", ct);
        try
        {
            // Facets belong to the first page; later pages (with a cursor) leave them out instead of counting them again.
            var withFacets = query.WithFacets && query.After is null;
            var matches = await Matching.MatchAsync(connection, query, text, withFacets, ct);
            var total = Math.Min(matches.Count, SearchLimits.TrackTotalHits);

            var sort = query.Sort == ListingSort.Relevance && text.Match is null ? ListingSort.Newest : query.Sort;
            var page = sort == ListingSort.Relevance
                ? await RelevanceRanking.RankAsync(connection, text, matches.Newest, query.After, limit, ct)
                : await SortedWalk.WalkAsync(connection, query, text, sort, matches, limit, ct);

            var facets = withFacets ? matches.FacetCounts() : new Dictionary<string, IReadOnlyList<FacetCount>>();
            var hits = page.Rows.Take(limit).Select(row => row.ToHit(text)).ToList();
            var next = page.Rows.Count > limit ? page.Rows[limit - 1].CursorOf(sort) : null;
            return new SearchPage(total, matches.LowerBound, hits, facets, next);
        }
        finally
        {
            // Nothing was written but the connection's own temporary tables.
            await Sql.ExecuteAsync(connection, "ROLLBACK", CancellationToken.None);
        }
    }

    public async Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct = default)
    {
        var norm = Suggestions.Normalize(prefix);
        if (norm.Length == 0)
        {
            return [];
        }
        await ReadableAsync(ct);
        await using var connection = await _files.OpenAsync(ct);
        return await Suggestions.FindAsync(connection, norm, limit, ct);
    }

    public async Task<string?> SuggestSpellingAsync(string text, CancellationToken ct = default)
    {
        await ReadableAsync(ct);
        await using var connection = await _files.OpenAsync(ct);
        var vocabulary = await _vocabulary.ReadAsync(connection, ct);
        return Spelling.Suggest(text, vocabulary.Closest);
    }

    public async Task StoreQueryAsync(StoredQuery query, CancellationToken ct = default)
    {
        await using var connection = await _files.OpenAsync(ct);
        await Percolation.StoreAsync(connection, query, ct);
    }

    public async Task DeleteQueryAsync(Guid id, CancellationToken ct = default)
    {
        await using var connection = await _files.OpenAsync(ct);
        await Percolation.DeleteAsync(connection, id, ct);
    }

    /// <summary>
    /// Evaluates every stored query against the one document, with the same query engine as search: the document goes
    /// into a private in-memory index and each stored query runs there.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> PercolateAsync(ListingDocument document, CancellationToken ct = default)
    {
        await ReadableAsync(ct);
        List<(Guid Id, ListingQuery Query)> stored;
        await using (var connection = await _files.OpenAsync(ct))
        {
            stored = await Percolation.StoredAsync(connection, ct);
        }
        return stored.Count == 0 ? [] : await Percolation.MatchingAsync(document, stored, _synonyms, ct);
    }

    public async Task RebuildAsync(Func<IListingIndex, CancellationToken, Task> fill, CancellationToken ct = default)
    {
        var file = _files.NewFile();
        await using (var fresh = BulkLoading(file, _synonyms))
        {
            await fresh.EnsureCreatedAsync(ct);
            try
            {
                await fill(fresh, ct);
                await fresh._load!.CompleteAsync(ct);
            }
            catch
            {
                await fresh.DisposeAsync();
                SqliteConnection.ClearAllPools();
                File.Delete(file);
                throw;
            }
        }
        await Percolation.CarryOverAsync(file, _files.Live(), ct);
        await _files.SwitchToAsync(file, ct);
    }

    /// <summary>Refreshes the query planner's statistics (after a bulk load) and merges FTS5 segments.</summary>
    public async Task OptimizeAsync(CancellationToken ct = default)
    {
        await using var connection = await _files.OpenAsync(ct);
        await Sql.ExecuteAsync(connection, "ANALYZE; INSERT INTO fts(fts) VALUES('optimize');", ct);
    }

    public async Task<IndexStats> StatsAsync(CancellationToken ct = default)
    {
        await ReadableAsync(ct);
        await using var connection = await _files.OpenAsync(ct);
        var documents = await Sql.ScalarAsync(connection, "SELECT count(*) FROM docs", ct);
        var queries = await Sql.ScalarAsync(connection, "SELECT count(*) FROM stored_queries", ct);
        return new IndexStats(Backend, Path.GetFileName(connection.DataSource), documents, queries);
    }

    /// <summary>Before a read on a bulk-loading builder: commits what was queued, so the read sees it.</summary>
    async Task ReadableAsync(CancellationToken ct)
    {
        if (_load is { } load)
        {
            await load.FlushAsync(ct);
        }
    }

    /// <summary>Ends a bulk load still open (a percolation's scratch index, a failed rebuild): its connection and writer task.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_load is { } load)
        {
            _load = null;
            await load.DisposeAsync();
        }
        _writer.Dispose();
    }

    // Only a bulk-loading instance has anything to await, and those are disposed asynchronously.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
