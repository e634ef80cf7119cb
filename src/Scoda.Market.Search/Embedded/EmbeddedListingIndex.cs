using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using System.Threading.Channels;
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
/// <item>relevance (per query word, the weight of the best field it is found in: see <see cref="FieldWeights"/>) ranks the
/// <see cref="RankWindow"/> newest candidates (commodity offers age quickly: the newest are the ones buyers want ranked);
/// older candidates follow unscored, by id descending (time-ordered ids: newest first), where a (score, id) cursor can resume;</item>
/// <item>price and newest sorts are exact over all matches: they sort the matches when all are known, and otherwise
/// walk an index in sort order with search_after.</item>
/// </list>
/// A rebuild loads a new file in bulk: one long transaction fed by a writer that overlaps text analysis, secondary
/// indexes built once at the end, no journal sync (the file only becomes live, by a pointer switch, when complete).
/// Inserts never open a statement savepoint (OR FAIL, row ids handed out here): FTS5 would flush its pending terms
/// into a new segment at each one.
/// </summary>
public sealed class EmbeddedListingIndex : IListingIndex, IDisposable, IAsyncDisposable
{
    public const int RankWindow = 2_000;
    const int BulkChunk = 256;
    const int FacetSize = 50;
    const long PriceScale = 10_000;
    const long QuantityScale = 1_000;

    // Payloads hold titles in Cyrillic and Chinese: stored unescaped they are a third of the escaped size.
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        TypeInfoResolver = JsonTypeInfoResolver.Combine(EmbeddedJson.Default, new DefaultJsonTypeInfoResolver()),
    };

    readonly string? _folder;
    readonly SemaphoreSlim _writer = new(1, 1);
    readonly Synonyms _synonyms;
    readonly bool _bulk;
    volatile string _file;
    DateTime _pointerWritten;
    volatile VocabularyCache? _vocabulary;
    long _commits;
    BulkLoad? _load;

    /// <summary>An index kept in <paramref name="folder"/>; the live file is named in its <c>current</c> pointer.</summary>
    public EmbeddedListingIndex(string folder, Synonyms? synonyms = null)
    {
        Directory.CreateDirectory(folder);
        _folder = folder;
        _synonyms = synonyms ?? Synonyms.Shipped;
        var pointer = Path.Combine(folder, "current");
        _pointerWritten = File.GetLastWriteTimeUtc(pointer);
        var current = File.Exists(pointer) ? File.ReadAllText(pointer).Trim() : null;
        // An index written by an older format is left behind: a new file starts, and the host refills it (see
        // SearchIndexBootstrap); the next rebuild removes the old file.
        _file = Path.Combine(folder, current is not null && current.StartsWith(FilePrefix, StringComparison.Ordinal) ? current : NewFileName());
    }

    EmbeddedListingIndex(string file, Synonyms synonyms, bool bulk)
    {
        _file = file;
        _synonyms = synonyms;
        _bulk = bulk;
    }

    public string Backend => "embedded";

    public string CurrentFile => LiveFile();

    /// <summary>
    /// The live file, following the pointer: <c>reindex</c> may run in another process (the command beside a running
    /// host), switch the pointer and remove the file this instance was reading. One stat per connection opened; the
    /// pointer is read again only when it was written again.
    /// </summary>
    string LiveFile()
    {
        if (_folder is null)
        {
            return _file;
        }
        var pointer = Path.Combine(_folder, "current");
        var written = File.GetLastWriteTimeUtc(pointer);
        if (written == _pointerWritten)
        {
            return _file;
        }
        _pointerWritten = written;
        var name = File.Exists(pointer) ? File.ReadAllText(pointer).Trim() : null;
        if (name is not null && name.StartsWith(FilePrefix, StringComparison.Ordinal) && name != Path.GetFileName(_file))
        {
            _file = Path.Combine(_folder, name);
            _vocabulary = null;
        }
        return _file;
    }

    const string Tables = """
        CREATE TABLE IF NOT EXISTS docs (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL,
            seller_verified INTEGER NOT NULL,
            hs_code TEXT NOT NULL,
            origin TEXT NOT NULL,
            incoterm TEXT NOT NULL,
            price_usd INTEGER NULL,
            available INTEGER NOT NULL,
            published INTEGER NOT NULL,
            category_path TEXT NOT NULL,
            warehouses TEXT NOT NULL,
            certificates TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS payloads (rowid INTEGER PRIMARY KEY, payload BLOB NOT NULL); -- the document as UTF-8 JSON
        CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, category, description, other,
            content='', contentless_delete=1, tokenize='ascii', prefix='2 3');
        CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(fts, 'row');
        CREATE TABLE IF NOT EXISTS stored_queries (id TEXT PRIMARY KEY, query TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS suggestions (norm TEXT NOT NULL, display TEXT NOT NULL, docs INTEGER NOT NULL, PRIMARY KEY (norm, display)) WITHOUT ROWID;
        """;

    // Built after a bulk load in one sorted pass each, instead of being updated row by row while it runs.
    const string SecondaryIndexes = """
        CREATE UNIQUE INDEX IF NOT EXISTS docs_id ON docs(id);
        CREATE INDEX IF NOT EXISTS docs_price ON docs(price_usd, id);
        CREATE INDEX IF NOT EXISTS docs_published ON docs(published, id);
        """;

    public async Task EnsureCreatedAsync(CancellationToken ct = default)
    {
        if (_bulk)
        {
            _load ??= await BulkLoad.StartAsync(this, ct);
            return;
        }
        await using var connection = await OpenLiveAsync(create: true, ct);
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + Tables + SecondaryIndexes, ct);
        if (_folder is not null)
        {
            await WritePointerAsync(_file, ct);
        }
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
                await load.EnqueueAsync(chunk.Select(Prepared.Of).ToList(), null, ct);
            }
            return [];
        }
        var prepared = documents.AsParallel().AsOrdered().WithCancellation(ct).Select(Prepared.Of).ToList();
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

    /// <summary>A document with everything the writer binds computed beforehand (payload, index texts, joined facet columns).</summary>
    sealed record Prepared(ListingDocument Document, byte[] Payload, string Title, string Category, string Description, string Other,
        string Id, string CategoryPath, string Warehouses, string Certificates, List<(string Norm, string Display)> Suggestions)
    {
        public static Prepared Of(ListingDocument d) => new(
            d,
            JsonSerializer.SerializeToUtf8Bytes(d, Json),
            TextAnalysis.IndexText(string.Join(" \n ", d.Title.Values)),
            TextAnalysis.IndexText(string.Join(" \n ", d.CategoryNames.Concat(d.CategoryPath.Select(k => k.Replace('-', ' '))))),
            TextAnalysis.IndexText(string.Join(" \n ", d.Description.Values)),
            TextAnalysis.IndexText(string.Join(" \n ",
                new[] { d.NamedPlace, d.OriginRegion ?? "", d.SellerName, d.Incoterm, d.HsCode }.Concat(d.TextSpecs.Values).Concat(d.Certificates))),
            d.Id.ToString(),
            Joined(d.CategoryPath),
            Joined(d.WarehouseCountries),
            Joined(d.Certificates.Select(c => c.Trim().ToLowerInvariant())),
            SuggestionsOf(d));

        /// <summary>Facet values kept on the row as "␟a␟b␟" (see <see cref="Separator"/>), so one pass over the candidates counts every facet.</summary>
        static string Joined(IEnumerable<string> values) => $"{Separator}{string.Join(Separator, values.Select(Separable))}{Separator}";
    }

    /// <summary>The suggestions a document contributes: its commodity names and its named place.</summary>
    static List<(string Norm, string Display)> SuggestionsOf(ListingDocument d) =>
        d.CategoryNames.Append(d.NamedPlace).Where(p => !string.IsNullOrWhiteSpace(p)).Distinct(StringComparer.Ordinal).Select(p => (Normalize(p), p)).ToList();

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
    async Task WriteAsync(Func<Writer, Task> write, IReadOnlyList<Prepared> written, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await using var writer = new Writer(connection, transaction, null);
            await write(writer);
            await writer.FlushSuggestionsAsync(ct);
            await transaction.CommitAsync(ct);
            // The cached vocabulary learns the new terms instead of being read again (which takes longer the larger the
            // index: ~0.1 s at 100,000 listings, paid by the first search after every indexing batch). Terms of removed
            // listings stay: a near spelling that no longer matches anything costs nothing.
            Interlocked.Increment(ref _commits);
            _vocabulary?.Add(written.SelectMany(p => new[] { p.Title, p.Category, p.Description, p.Other }));
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// The writing side of a rebuild's new file: one connection and one transaction for the whole load (so FTS5 writes
    /// few large segments), fed through a short queue so that analysis of the next batch overlaps writing this one.
    /// </summary>
    sealed class BulkLoad : IAsyncDisposable
    {
        readonly Channel<(IReadOnlyList<Prepared>? Upserts, IReadOnlyList<Guid>? Deletes, TaskCompletionSource? Flushed)> _queue =
            Channel.CreateBounded<(IReadOnlyList<Prepared>?, IReadOnlyList<Guid>?, TaskCompletionSource?)>(new BoundedChannelOptions(4) { SingleReader = true });
        readonly SqliteConnection _connection;
        readonly Dictionary<Guid, long> _loaded = [];
        SqliteTransaction _transaction;
        Writer _writer;
        Task _run = Task.CompletedTask;

        BulkLoad(SqliteConnection connection)
        {
            _connection = connection;
            _transaction = connection.BeginTransaction();
            _writer = new Writer(connection, _transaction, _loaded);
        }

        public static async Task<BulkLoad> StartAsync(EmbeddedListingIndex index, CancellationToken ct)
        {
            var connection = await OpenAsync(index._file, pooling: false, ct);
            // The file is not live until the pointer switch, and a failed load is thrown away: no journal sync needed.
            // FTS5 keeps up to 'hashsize' of new terms in memory before writing a segment: large, so it writes few.
            await ExecuteAsync(connection, "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;" + Tables +
                "INSERT INTO fts(fts, rank) VALUES('hashsize', 268435456);", ct);
            var load = new BulkLoad(connection);
            load._run = Task.Run(() => load.RunAsync(CancellationToken.None), CancellationToken.None);
            return load;
        }

        public async Task EnqueueAsync(IReadOnlyList<Prepared>? upserts, IReadOnlyList<Guid>? deletes, CancellationToken ct)
        {
            if (_run.IsCompleted)
            {
                await _run;
                throw new InvalidOperationException("The bulk load has already completed.");
            }
            await _queue.Writer.WriteAsync((upserts, deletes, null), ct);
        }

        /// <summary>Commits what is queued so far, so other connections can read it (a search on the builder).</summary>
        public async Task FlushAsync(CancellationToken ct)
        {
            var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await _queue.Writer.WriteAsync((null, null, flushed), ct);
            await Task.WhenAny(flushed.Task, _run).WaitAsync(ct);
            if (_run.IsFaulted)
            {
                await _run;
            }
        }

        async Task RunAsync(CancellationToken ct)
        {
            try
            {
                await foreach (var (upserts, deletes, flushed) in _queue.Reader.ReadAllAsync(ct))
                {
                    foreach (var document in upserts ?? [])
                    {
                        await _writer.RemoveAsync(document.Document.Id, ct);
                        await _writer.InsertAsync(document, ct);
                    }
                    foreach (var id in deletes ?? [])
                    {
                        await _writer.RemoveAsync(id, ct);
                    }
                    if (flushed is not null)
                    {
                        await CommitAsync(ct);
                        flushed.SetResult();
                    }
                }
            }
            catch (Exception e)
            {
                // Later enqueues see the failure instead of waiting on a queue nobody reads.
                _queue.Writer.TryComplete(e);
                throw;
            }
        }

        async Task CommitAsync(CancellationToken ct)
        {
            await _writer.FlushSuggestionsAsync(ct);
            await _writer.DisposeAsync();
            await _transaction.CommitAsync(ct);
            await _transaction.DisposeAsync();
            _transaction = _connection.BeginTransaction();
            _writer = new Writer(_connection, _transaction, _loaded);
        }

        /// <summary>Writes what is queued and builds the secondary indexes.</summary>
        public async Task CompleteAsync(CancellationToken ct)
        {
            _queue.Writer.TryComplete();
            await _run;
            await _writer.FlushSuggestionsAsync(ct);
            await _writer.DisposeAsync();
            await _transaction.CommitAsync(ct);
            await _transaction.DisposeAsync();
            // No FTS5 'optimize': with a 256 MB hash the load leaves a few large segments, which measured as fast to
            // query as one at a million documents, and merging them took longer than the rest of the finishing work.
            // Only docs has indexes the planner chooses between, so only docs is analyzed (not the payloads).
            // threads=2: the index sorts run on the core the load's analysis used.
            await ExecuteAsync(_connection, "PRAGMA threads=2;" + SecondaryIndexes + """
                INSERT INTO fts(fts, rank) VALUES('hashsize', 1048576);
                ANALYZE docs;
                PRAGMA journal_mode=WAL;
                """, ct);
        }

        public async ValueTask DisposeAsync()
        {
            _queue.Writer.TryComplete();
            try
            {
                await _run;
            }
            catch (Exception)
            {
                // Disposing after a failure: the failure was reported where the load was awaited.
            }
            await _writer.DisposeAsync();
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }

    public async Task<SearchPage> SearchAsync(ListingQuery query, CancellationToken ct = default)
    {
        await ReadableAsync(ct);
        await using var connection = await OpenAsync(ct);
        var vocabulary = await VocabularyAsync(connection, ct);
        var text = EmbeddedQuery.Parse(query.Text, _synonyms, vocabulary.NearSpellings);
        var limit = Math.Clamp(query.Limit, 1, SearchLimits.MaxLimit);
        if (text.Match is null && !string.IsNullOrWhiteSpace(query.Text))
        {
            // Text with no searchable word ("(((", "*:*") matches nothing, as a match query with no terms does.
            return new SearchPage(0, false, [], Facets.All.ToDictionary(f => f, _ => (IReadOnlyList<FacetCount>)[]), null);
        }

        // One snapshot for every statement of the search (matches, ranking, payloads), so a listing changed or removed
        // meanwhile cannot vanish between them. A plain BEGIN: each helper's command runs in it without carrying it. The
        // connection's scratch tables are created before it, so they outlive the rollback and the schema stays put.
        await ExecuteAsync(connection, ScratchTables + "BEGIN;", ct);
        try
        {
            // Facets belong to the first page; later pages (with a cursor) leave them out instead of counting them again.
            var withFacets = query.WithFacets && query.After is null;
            var matches = await MatchAsync(connection, query, text, withFacets, ct);
            var total = Math.Min(matches.Count, SearchLimits.TrackTotalHits);

            var sort = query.Sort == ListingSort.Relevance && text.Match is null ? ListingSort.Newest : query.Sort;
            var page = sort == ListingSort.Relevance
                ? await RankAsync(connection, text, matches.Newest, query.After, limit, ct)
                : await WalkSortedAsync(connection, query, text, sort, matches, limit, ct);

            var facets = withFacets ? matches.FacetCounts() : new Dictionary<string, IReadOnlyList<FacetCount>>();
            var hits = page.Rows.Take(limit).Select(row => ToHit(row, text)).ToList();
            var next = page.Rows.Count > limit ? CursorOf(sort, page.Rows[limit - 1]) : null;
            return new SearchPage(total, matches.LowerBound, hits, facets, next);
        }
        finally
        {
            // Nothing was written but the connection's own temporary tables.
            await ExecuteAsync(connection, "ROLLBACK", CancellationToken.None);
        }
    }

    public async Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct = default)
    {
        var norm = Normalize(prefix);
        if (norm.Length == 0)
        {
            return [];
        }
        await ReadableAsync(ct);
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT display FROM suggestions WHERE norm >= $p AND norm < $p || char(1114111) AND docs > 0 ORDER BY docs DESC, display LIMIT $n";
        command.Parameters.AddWithValue("$p", norm);
        command.Parameters.AddWithValue("$n", Math.Clamp(limit, 1, 20) * 3);
        var results = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            results.Add(reader.GetString(0));
        }
        return results.Distinct(StringComparer.OrdinalIgnoreCase).Take(Math.Clamp(limit, 1, 20)).ToList();
    }

    public async Task StoreQueryAsync(StoredQuery query, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO stored_queries (id, query) VALUES ($id, $q) ON CONFLICT(id) DO UPDATE SET query = excluded.query";
        command.Parameters.AddWithValue("$id", query.Id.ToString());
        command.Parameters.AddWithValue("$q", JsonSerializer.Serialize(query.Query with { After = null }, Json));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task DeleteQueryAsync(Guid id, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM stored_queries WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.ToString());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Evaluates every stored query against the one document, with the same query engine as search: the document goes
    /// into a private in-memory index and each stored query runs there.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> PercolateAsync(ListingDocument document, CancellationToken ct = default)
    {
        await ReadableAsync(ct);
        var stored = new List<(Guid Id, ListingQuery Query)>();
        await using (var connection = await OpenAsync(ct))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, query FROM stored_queries";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                stored.Add((Guid.Parse(reader.GetString(0)), JsonSerializer.Deserialize<ListingQuery>(reader.GetString(1), Json)!));
            }
        }
        if (stored.Count == 0)
        {
            return [];
        }
        var scratchName = ScratchNames.TryTake(out var free) ? free : $"file:percolate-{Guid.NewGuid():N}?mode=memory&cache=shared";
        try
        {
            return await PercolateInScratchAsync(scratchName, document, stored, ct);
        }
        finally
        {
            // Every connection to it is closed, so that database is gone: the name serves the next percolation.
            ScratchNames.Add(scratchName);
        }
    }

    /// <summary>
    /// Names of in-memory scratch databases, reused: the SQLite driver keeps state for every distinct connection string
    /// it has seen, so a new name per percolation grew the process by a few kilobytes each time.
    /// </summary>
    static readonly System.Collections.Concurrent.ConcurrentBag<string> ScratchNames = [];

    async Task<IReadOnlyList<Guid>> PercolateInScratchAsync(string scratchName, ListingDocument document, List<(Guid Id, ListingQuery Query)> stored,
        CancellationToken ct)
    {
        // Holds the shared in-memory database open while the scratch index opens and closes its own connections.
        await using var keepAlive = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = scratchName, Pooling = false }.ToString());
        await keepAlive.OpenAsync(ct);
        await using var scratch = new EmbeddedListingIndex(scratchName, _synonyms, true);
        await scratch.EnsureCreatedAsync(ct);
        await scratch.UpsertAsync([document], ct);
        var matches = new List<Guid>();
        foreach (var (id, query) in stored)
        {
            var page = await scratch.SearchAsync(query with { Limit = 1, WithFacets = false, After = null, Sort = ListingSort.Newest }, ct);
            if (page.Total > 0)
            {
                matches.Add(id);
            }
        }
        return matches;
    }

    public async Task RebuildAsync(Func<IListingIndex, CancellationToken, Task> fill, CancellationToken ct = default)
    {
        if (_folder is null)
        {
            throw new InvalidOperationException("An in-memory index cannot be rebuilt.");
        }
        var file = Path.Combine(_folder, NewFileName());
        await using (var fresh = new EmbeddedListingIndex(file, _synonyms, bulk: true))
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
        // Stored buy-request queries belong to the marketplace, not to one index generation: carry them over.
        await using (var connection = await OpenAsync(file, pooling: true, ct))
        {
            await ExecuteAsync(connection, $"ATTACH DATABASE '{LiveFile().Replace("'", "''", StringComparison.Ordinal)}' AS old; " +
                "INSERT OR REPLACE INTO stored_queries SELECT id, query FROM old.stored_queries; DETACH DATABASE old;", ct);
        }
        var previous = LiveFile();
        await WritePointerAsync(file, ct);
        _file = file;
        _vocabulary = null;
        SqliteConnection.ClearAllPools();
        // The file replaced, and any left by an older format or by an earlier removal that failed.
        var leftovers = Directory.EnumerateFiles(_folder, "listings-*")
            .Where(f => f.StartsWith(previous, StringComparison.Ordinal) || !Path.GetFileName(f).StartsWith(FilePrefix, StringComparison.Ordinal));
        foreach (var leftover in leftovers.ToList())
        {
            try
            {
                File.Delete(leftover);
            }
            catch (IOException)
            {
                // A reader may still hold it open (on Windows); the next rebuild tries again if it is of an older format.
            }
        }
    }

    /// <summary>Refreshes the query planner's statistics (after a bulk load) and merges FTS5 segments.</summary>
    public async Task OptimizeAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await ExecuteAsync(connection, "ANALYZE; INSERT INTO fts(fts) VALUES('optimize');", ct);
    }

    public async Task<IndexStats> StatsAsync(CancellationToken ct = default)
    {
        await ReadableAsync(ct);
        await using var connection = await OpenAsync(ct);
        var documents = await ScalarAsync(connection, "SELECT count(*) FROM docs", ct);
        var queries = await ScalarAsync(connection, "SELECT count(*) FROM stored_queries", ct);
        return new IndexStats(Backend, Path.GetFileName(connection.DataSource), documents, queries);
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

    // ---- writing ----

    /// <summary>
    /// The statements of one write transaction, prepared once; suggestion counts are summed and written at the end.
    /// A bulk load passes the ids it has written (it builds the id index only at the end) to find a replaced document.
    /// </summary>
    sealed class Writer : IAsyncDisposable
    {
        readonly SqliteCommand _find, _findLoaded, _delete, _lastRowId, _insert, _payload, _fts, _suggest;
        readonly Dictionary<(string Norm, string Display), int> _suggestions = [];
        long? _nextRowId;
        readonly Dictionary<Guid, long>? _loaded;

        public Writer(SqliteConnection connection, SqliteTransaction transaction, Dictionary<Guid, long>? loaded)
        {
            _loaded = loaded;
            SqliteCommand Command(string sql, params string[] parameters)
            {
                var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = sql;
                foreach (var name in parameters)
                {
                    command.Parameters.Add(new SqliteParameter(name, null));
                }
                return command;
            }
            _find = Command("SELECT d.rowid, p.payload FROM docs d JOIN payloads p ON p.rowid = d.rowid WHERE d.id = $id", "$id");
            _findLoaded = Command("SELECT rowid, payload FROM payloads WHERE rowid = $r", "$r");
            _delete = Command("DELETE FROM fts WHERE rowid = $r; DELETE FROM payloads WHERE rowid = $r; DELETE FROM docs WHERE rowid = $r;", "$r");
            // OR FAIL and no RETURNING: either makes SQLite open a statement savepoint per insert, and FTS5 writes its
            // pending terms to a new segment at every savepoint, so writing would spend its time merging tiny segments.
            // A one-row statement that fails leaves nothing behind either way; row ids are handed out here instead.
            _lastRowId = Command("SELECT coalesce(max(rowid), 0) FROM docs");
            _insert = Command("""
                INSERT OR FAIL INTO docs (rowid, id, seller_verified, hs_code, origin, incoterm, price_usd, available, published, category_path, warehouses, certificates)
                VALUES ($r, $id, $v, $hs, $origin, $incoterm, $price, $available, $published, $cp, $w, $x)
                """, "$r", "$id", "$v", "$hs", "$origin", "$incoterm", "$price", "$available", "$published", "$cp", "$w", "$x");
            _payload = Command("INSERT OR FAIL INTO payloads (rowid, payload) VALUES ($r, $p)", "$r", "$p");
            _fts = Command("INSERT INTO fts (rowid, title, category, description, other) VALUES ($r, $t, $c, $d, $o)", "$r", "$t", "$c", "$d", "$o");
            _suggest = Command("INSERT INTO suggestions (norm, display, docs) VALUES ($n, $d, $delta) ON CONFLICT(norm, display) DO UPDATE SET docs = docs + $delta",
                "$n", "$d", "$delta");
        }

        public async Task InsertAsync(Prepared p, CancellationToken ct)
        {
            var d = p.Document;
            // The next row id as SQLite would choose it (max + 1), so ids keep following insertion order: newest is highest.
            var rowid = _nextRowId ??= (long)(await _lastRowId.ExecuteScalarAsync(ct))! + 1;
            _nextRowId++;
            Set(_insert, rowid, p.Id, d.SellerVerified ? 1 : 0, d.HsCode, d.OriginCountry, d.Incoterm,
                d.PriceUsd is { } price ? Scale(price, PriceScale) : DBNull.Value, Scale(d.Available, QuantityScale), d.PublishedAt.ToUnixTimeMilliseconds(),
                p.CategoryPath, p.Warehouses, p.Certificates);
            await _insert.ExecuteNonQueryAsync(ct);

            Set(_payload, rowid, p.Payload);
            await _payload.ExecuteNonQueryAsync(ct);

            Set(_fts, rowid, p.Title, p.Category, p.Description, p.Other);
            await _fts.ExecuteNonQueryAsync(ct);

            _loaded?.Add(d.Id, rowid);
            CountSuggestions(p.Suggestions, +1);
        }

        public async Task RemoveAsync(Guid id, CancellationToken ct)
        {
            SqliteCommand find;
            if (_loaded is null)
            {
                find = _find;
                Set(find, id.ToString());
            }
            else if (_loaded.Remove(id, out var loadedRow))
            {
                find = _findLoaded;
                Set(find, loadedRow);
            }
            else
            {
                return;
            }
            long rowid;
            ListingDocument old;
            await using (var reader = await find.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct))
                {
                    return;
                }
                rowid = reader.GetInt64(0);
                old = JsonSerializer.Deserialize<ListingDocument>(reader.GetFieldValue<byte[]>(1), Json)!;
            }
            Set(_delete, rowid);
            await _delete.ExecuteNonQueryAsync(ct);
            CountSuggestions(SuggestionsOf(old), -1);
        }

        public async Task FlushSuggestionsAsync(CancellationToken ct)
        {
            foreach (var ((norm, display), delta) in _suggestions.Where(s => s.Value != 0))
            {
                Set(_suggest, norm, display, delta);
                await _suggest.ExecuteNonQueryAsync(ct);
            }
            _suggestions.Clear();
        }

        void CountSuggestions(List<(string Norm, string Display)> suggestions, int delta)
        {
            foreach (var key in suggestions)
            {
                _suggestions[key] = _suggestions.GetValueOrDefault(key) + delta;
            }
        }

        static void Set(SqliteCommand command, params object[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i];
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in new[] { _find, _findLoaded, _delete, _lastRowId, _insert, _payload, _fts, _suggest })
            {
                await command.DisposeAsync();
            }
        }
    }

    // ---- querying ----

    sealed record Row(long RowId, Guid Id, decimal? PriceUsd, long Published, double Score, byte[] Payload);

    sealed record ResultRows(IReadOnlyList<Row> Rows);

    /// <summary>A facet filter of a query as a SQL condition over <c>docs d</c>; a multi-valued one searches a joined column.</summary>
    sealed record FacetFilter(string Facet, string Sql, bool Multi);

    /// <summary>
    /// Every filter as one list of conditions, cheapest first: SQLite tests the conditions of a scan in this order and
    /// stops at the first that fails.
    /// </summary>
    static List<string> AllFilters(List<string> plain, List<FacetFilter> facets) =>
        [.. facets.Where(f => !f.Multi).Select(f => f.Sql), .. plain, .. facets.Where(f => f.Multi).Select(f => f.Sql)];

    /// <summary>
    /// The filter part of a query as SQL over <c>docs d</c>: the plain filters, and the facet filters apart, so a walk can
    /// put them in its WHERE clause or evaluate them per row for multi-select facet counts.
    /// </summary>
    static (List<string> Plain, List<FacetFilter> Facet, List<SqliteParameter> Parameters) Filters(ListingQuery q)
    {
        var plain = new List<string>();
        var facet = new List<FacetFilter>();
        var parameters = new List<SqliteParameter>();
        string Add(object value)
        {
            var name = $"$f{parameters.Count}";
            parameters.Add(new SqliteParameter(name, value));
            return name;
        }

        if (q.VerifiedOnly)
        {
            plain.Add("d.seller_verified = 1");
        }
        if (!string.IsNullOrEmpty(q.HsCodePrefix))
        {
            plain.Add($"d.hs_code LIKE {Add(q.HsCodePrefix)} || '%'");
        }
        if (q.MinPriceUsd is { } min)
        {
            plain.Add($"d.price_usd >= {Add(Scale(min, PriceScale))}");
        }
        if (q.MaxPriceUsd is { } max)
        {
            plain.Add($"d.price_usd <= {Add(Scale(max, PriceScale))}");
        }
        if (q.MinAvailable is { } available)
        {
            plain.Add($"d.available >= {Add(Scale(available, QuantityScale))}");
        }
        void Single(string name, string column, IReadOnlyList<string> values)
        {
            if (values.Count > 0)
            {
                facet.Add(new FacetFilter(name, $"d.{column} IN ({string.Join(", ", values.Select(v => Add(v)))})", false));
            }
        }
        // Multi-valued columns hold "␟a␟b␟": a value matches as "␟value␟" anywhere in them.
        void Multi(string name, string column, IEnumerable<string> values)
        {
            var conditions = values.Select(v => $"instr(d.{column}, {Add($"{Separator}{Separable(v)}{Separator}")}) > 0").ToList();
            if (conditions.Count > 0)
            {
                facet.Add(new FacetFilter(name, $"({string.Join(" OR ", conditions)})", true));
            }
        }
        Single(Facets.Origin, "origin", q.Origins);
        Single(Facets.Incoterm, "incoterm", q.Incoterms);
        Multi(Facets.Category, "category_path", q.Categories);
        Multi(Facets.WarehouseCountry, "warehouses", q.WarehouseCountries);
        Multi(Facets.Certificate, "certificates", q.Certificates.Select(c => c.Trim().ToLowerInvariant()));
        return (plain, facet, parameters);
    }

    /// <summary>
    /// The newest matches of a query (text and every filter), at most TrackTotalHits + 1, and the facet counts.
    /// With facets asked for and facet filters set, one walk over the matches of the text and the plain filters
    /// evaluates the facet filters per row: a row failing none is a match, a row failing only facet F's filter still
    /// counts for F (multi-select). Once every facet has its newest TrackTotalHits rows, the matches alone continue
    /// from there with every filter in SQL.
    /// </summary>
    static async Task<Matches> MatchAsync(SqliteConnection connection, ListingQuery q, EmbeddedQuery text, bool withFacets, CancellationToken ct)
    {
        var (plain, facetFilters, parameters) = Filters(q);
        if (text.Match is null)
        {
            return await MatchFiltersAsync(connection, plain, facetFilters, parameters, withFacets, ct);
        }
        var own = withFacets ? facetFilters : [];
        var matches = new Matches(withFacets, own.Select(f => f.Facet).ToList());
        long? below = null;
        if (own.Count > 0)
        {
            var where = new List<string>(plain);
            if (own.Count == 2)
            {
                // A row failing both facet filters counts nowhere.
                where.Add($"({own[0].Sql} OR {own[1].Sql})");
            }
            else if (own.Count > 2)
            {
                where.Add($"({string.Join(" + ", own.Select(f => $"(NOT {f.Sql})"))}) <= 1");
            }
            var flags = string.Concat(own.Select(f => $", {f.Sql}"));
            await using var command = WalkCommand(connection, text, parameters, flags + Matches.Columns, where, null, null);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var exhausted = true;
            while (await reader.ReadAsync(ct))
            {
                var failed = 0;
                for (var i = 0; i < own.Count; i++)
                {
                    failed |= reader.GetInt64(1 + i) == 0 ? 1 << i : 0;
                }
                var rowid = reader.GetInt64(0);
                matches.Add(rowid, failed, reader, 1 + own.Count);
                if (matches.Saturated)
                {
                    below = rowid;
                    exhausted = false;
                    break;
                }
            }
            if (exhausted || matches.Count > SearchLimits.TrackTotalHits)
            {
                return matches;
            }
        }
        {
            var where = AllFilters(plain, facetFilters);
            await using var command = WalkCommand(connection, text, parameters, withFacets ? Matches.Columns : "", where, below,
                SearchLimits.TrackTotalHits + 1 - matches.Count);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                matches.Add(reader.GetInt64(0), 0, reader, 1);
            }
        }
        return matches;
    }

    const string Matched = "temp.matched";

    /// <summary>
    /// A query without text: nothing to ride on, so each count is a bounded scan newest first that SQLite aggregates
    /// itself (handing every row to .NET would cost more than the scan). The matches (at most TrackTotalHits + 1, with
    /// their facet columns) go into a temporary table, where the facets that ignore no filter are counted; each facet
    /// with a filter of its own counts the newest TrackTotalHits rows passing every other filter.
    /// </summary>
    static async Task<Matches> MatchFiltersAsync(SqliteConnection connection, List<string> plain, List<FacetFilter> facetFilters,
        List<SqliteParameter> parameters, bool withFacets, CancellationToken ct)
    {
        var matches = new Matches(withFacets, []) { KnownInTable = true };
        await using (var fill = connection.CreateCommand())
        {
            fill.Parameters.AddRange(parameters.Select(p => new SqliteParameter(p.ParameterName, p.Value)));
            fill.Parameters.AddWithValue("$k", SearchLimits.TrackTotalHits + 1);
            var columns = withFacets ? Matches.Columns : "";
            fill.CommandText = $"""
                DELETE FROM {Matched};
                INSERT INTO {Matched} (rowid{columns.Replace("d.", "", StringComparison.Ordinal)})
                SELECT d.rowid{columns} FROM docs d NOT INDEXED WHERE {Conjunction(AllFilters(plain, facetFilters))}
                ORDER BY d.rowid DESC LIMIT $k;
                SELECT count(*) FROM {Matched};
                """;
            matches.Count = Convert.ToInt32(await fill.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }
        if (matches.LowerBound)
        {
            await ExecuteAsync(connection, $"DELETE FROM {Matched} WHERE rowid = (SELECT min(rowid) FROM {Matched})", ct);
        }
        if (!withFacets)
        {
            return matches;
        }
        await using var count = connection.CreateCommand();
        count.Parameters.AddRange(parameters.Select(p => new SqliteParameter(p.ParameterName, p.Value)));
        count.Parameters.AddWithValue("$n", SearchLimits.TrackTotalHits);
        var statements = new List<string>();
        for (var f = 0; f < Matches.Layout.Length; f++)
        {
            var column = Matches.Layout[f].Column;
            var own = facetFilters.Find(x => x.Facet == Matches.Layout[f].Facet);
            statements.Add(own is null
                ? $"SELECT {f}, {column}, count(*) FROM {Matched} GROUP BY {column}"
                : $"SELECT {f}, v, count(*) FROM (SELECT d.{column} AS v FROM docs d NOT INDEXED WHERE " +
                  $"{Conjunction(AllFilters(plain, facetFilters.Where(x => x != own).ToList()))} ORDER BY d.rowid DESC LIMIT $n) GROUP BY v");
        }
        count.CommandText = string.Join(" UNION ALL ", statements);
        await using var reader = await count.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            matches.AddCount(reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2));
        }
        return matches;
    }

    /// <summary>Walks the matches of the text (FTS5 drives) or all documents, newest first, under the given conditions.</summary>
    static SqliteCommand WalkCommand(SqliteConnection connection, EmbeddedQuery text, List<SqliteParameter> parameters, string columns, List<string> where,
        long? below, int? limit)
    {
        var command = connection.CreateCommand();
        foreach (var p in parameters)
        {
            command.Parameters.Add(new SqliteParameter(p.ParameterName, p.Value));
        }
        if (below is { } position)
        {
            where = [.. where, text.Match is null ? "d.rowid < $below" : "f.rowid < $below"];
            command.Parameters.AddWithValue("$below", position);
        }
        var conditions = Conjunction(where);
        var bound = limit is null ? "" : " LIMIT $k";
        if (limit is { } k)
        {
            command.Parameters.AddWithValue("$k", k);
        }
        if (text.Match is null)
        {
            // NOT INDEXED: newest first is the table's own order; an index on a filter column would need a sort.
            command.CommandText = $"SELECT d.rowid{columns} FROM docs d NOT INDEXED WHERE {conditions} ORDER BY d.rowid DESC{bound}";
        }
        else
        {
            // CROSS JOIN keeps FTS5 as the outer loop, walking matches newest first so the walk can stop early.
            command.CommandText = $"SELECT f.rowid{columns} FROM fts f CROSS JOIN docs d ON d.rowid = f.rowid WHERE fts MATCH $q AND {conditions} ORDER BY f.rowid DESC{bound}";
            command.Parameters.AddWithValue("$q", text.Match);
        }
        return command;
    }

    /// <summary>The newest matches of one search and their facet counts, filled row by row by <see cref="MatchAsync"/>.</summary>
    sealed class Matches
    {
        /// <summary>The facet columns a walk selects after its row id and flags, in <see cref="Layout"/> order.</summary>
        public const string Columns = ", d.category_path, d.origin, d.incoterm, d.warehouses, d.certificates";

        public static readonly (string Facet, string Column, bool Multi)[] Layout =
        [
            (Search.Facets.Category, "category_path", true), (Search.Facets.Origin, "origin", false), (Search.Facets.Incoterm, "incoterm", false),
            (Search.Facets.WarehouseCountry, "warehouses", true), (Search.Facets.Certificate, "certificates", true),
        ];

        readonly bool _withFacets;
        readonly Dictionary<string, long>[] _counts = Layout.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();

        // Per facet: the bit of its own filter in a row's failed mask (0 when it has none), and how many rows counted.
        readonly int[] _ownBit = new int[Layout.Length];
        readonly int[] _seen = new int[Layout.Length];
        readonly List<int> _owned = [];

        public Matches(bool withFacets, IReadOnlyList<string> ownFilters)
        {
            _withFacets = withFacets;
            for (var i = 0; i < ownFilters.Count; i++)
            {
                var facet = Array.FindIndex(Layout, l => l.Facet == ownFilters[i]);
                _ownBit[facet] = 1 << i;
                _owned.Add(facet);
            }
        }

        /// <summary>Row ids of the newest matches, newest first, at most TrackTotalHits (when collected here, not in a table).</summary>
        public List<long> Newest { get; } = [];

        /// <summary>The matches are in the temporary table <see cref="Matched"/> instead of <see cref="Newest"/>.</summary>
        public bool KnownInTable { get; init; }

        /// <summary>How many matches were seen, at most TrackTotalHits + 1.</summary>
        public int Count { get; set; }

        /// <summary>A SQL subquery for the row ids of the matches (when all of them are known), binding what it needs.</summary>
        public string Known(SqliteCommand command)
        {
            if (KnownInTable)
            {
                return $"SELECT rowid FROM {Matched}";
            }
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(Newest));
            return "SELECT value FROM json_each($ids)";
        }

        /// <summary>Adds <paramref name="n"/> rows whose facet column <paramref name="facet"/> reads <paramref name="raw"/>.</summary>
        public void AddCount(int facet, string raw, long n) =>
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts[facet], raw, out _) += n;

        public bool LowerBound => Count > SearchLimits.TrackTotalHits;

        /// <summary>Past the bound for the matches and for every facet that ignores its own filter: nothing more to learn.</summary>
        public bool Saturated
        {
            get
            {
                if (!LowerBound)
                {
                    return false;
                }
                foreach (var f in _owned)
                {
                    if (_seen[f] < SearchLimits.TrackTotalHits)
                    {
                        return false;
                    }
                }
                return true;
            }
        }

        public void Add(long rowid, int failed, SqliteDataReader reader, int firstColumn)
        {
            if (failed == 0 && ++Count <= SearchLimits.TrackTotalHits)
            {
                Newest.Add(rowid);
            }
            if (!_withFacets)
            {
                return;
            }
            for (var f = 0; f < Layout.Length; f++)
            {
                // A facet counts the rows that pass every filter but its own, up to the newest TrackTotalHits of them.
                if ((failed & ~_ownBit[f]) != 0 || ++_seen[f] > SearchLimits.TrackTotalHits)
                {
                    continue;
                }
                // Counted by the column's whole text ("␟KZ␟CN␟"): few distinct ones, split once at the end.
                Increment(_counts[f], reader.GetString(firstColumn + f));
            }
        }

        static void Increment(Dictionary<string, long> counts, string value) =>
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, value, out _)++;

        public Dictionary<string, IReadOnlyList<FacetCount>> FacetCounts()
        {
            var facets = new Dictionary<string, IReadOnlyList<FacetCount>>();
            for (var f = 0; f < Layout.Length; f++)
            {
                var counts = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var (raw, n) in _counts[f])
                {
                    foreach (var value in Layout[f].Multi ? raw.Split(Separator, StringSplitOptions.RemoveEmptyEntries) : [raw])
                    {
                        counts[value] = counts.GetValueOrDefault(value) + n;
                    }
                }
                facets[Layout[f].Facet] = counts.OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal).Take(FacetSize)
                    .Select(v => new FacetCount(v.Key, v.Value)).ToList();
            }
            return facets;
        }
    }

    const string Candidates = "temp.candidates";

    /// <summary>The temporary tables a search fills on its (pooled) connection: the relevance candidates and the matches of a query without text.</summary>
    static readonly string ScratchTables =
        $"CREATE TEMP TABLE IF NOT EXISTS {Candidates[5..]} (rowid INTEGER PRIMARY KEY); " +
        $"CREATE TEMP TABLE IF NOT EXISTS {Matched[5..]} (rowid INTEGER PRIMARY KEY{Matches.Columns.Replace("d.", "", StringComparison.Ordinal)});";

    /// <summary>
    /// What a query word found in a field adds to a listing's relevance score: the title counts most, then the commodity
    /// names, then places, sellers, specs and certificates, then the description.
    /// </summary>
    static readonly (string Column, int Weight)[] FieldWeights = [("title", 10), ("category", 4), ("other", 2), ("description", 1)];

    /// <summary>
    /// Relevance over the newest <see cref="RankWindow"/> candidates; older candidates follow, by id descending. A listing's
    /// score is, for every word of the query, the weight of the best field it was found in (see <see cref="FieldWeights"/>):
    /// it depends on the listing alone, never on the rest of the index (as BM25's IDF and average length do), so a page
    /// read by cursor resumes exactly where the last one ended even while listings are being indexed. The Elasticsearch
    /// back end scores the same way, with its boolean similarity.
    /// </summary>
    static async Task<ResultRows> RankAsync(SqliteConnection connection, EmbeddedQuery text, List<long> candidates, SearchCursor? after, int limit, CancellationToken ct)
    {
        var count = candidates.Count;
        if (count == 0)
        {
            return new ResultRows([]);
        }
        // The candidates go into a temporary table of this connection, where the ranking query joins them.
        await using (var fill = connection.CreateCommand())
        {
            fill.CommandText = $"DELETE FROM {Candidates}; INSERT INTO {Candidates} SELECT value FROM json_each($ids);";
            fill.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(candidates));
            await fill.ExecuteNonQueryAsync(ct);
        }
        var floor = candidates[Math.Min(RankWindow, count) - 1];
        // Which word was found in which field, for the candidates above the floor: one FTS5 walk per word and field,
        // each restricted to its column, all in one statement.
        var best = new Dictionary<long, int[]>();
        await using (var command = connection.CreateCommand())
        {
            var walks = new List<string>();
            for (var unit = 0; unit < text.Units.Count; unit++)
            {
                foreach (var (column, weight) in FieldWeights)
                {
                    walks.Add($"SELECT f.rowid, {unit}, {weight} FROM fts f CROSS JOIN {Candidates} c ON c.rowid = f.rowid WHERE fts MATCH $m{walks.Count} AND f.rowid >= $floor");
                    command.Parameters.AddWithValue($"$m{walks.Count - 1}", $"{{{column}}} : {text.Units[unit]}");
                }
            }
            command.CommandText = string.Join(" UNION ALL ", walks);
            command.Parameters.AddWithValue("$floor", floor);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var found = CollectionsMarshal.GetValueRefOrAddDefault(best, reader.GetInt64(0), out _) ??= new int[text.Units.Count];
                var unit = reader.GetInt32(1);
                found[unit] = Math.Max(found[unit], reader.GetInt32(2));
            }
        }
        var ranked = new List<(long RowId, Guid Id, double Score)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT c.rowid, d.id FROM {Candidates} c CROSS JOIN docs d ON d.rowid = c.rowid WHERE c.rowid >= $floor";
            command.Parameters.AddWithValue("$floor", floor);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var rowid = reader.GetInt64(0);
                ranked.Add((rowid, Guid.Parse(reader.GetString(1)), best.TryGetValue(rowid, out var found) ? found.Sum() : 0));
            }
        }
        IEnumerable<(long RowId, Guid Id, double Score)> ordered = ranked.OrderByDescending(r => r.Score).ThenBy(r => r.Id);
        if (after is { Sort: ListingSort.Relevance })
        {
            var score = (double)after.Value;
            ordered = ordered.Where(r => r.Score < score || (r.Score == score && r.Id.CompareTo(after.Id) > 0));
        }
        var page = ordered.Take(limit + 1).ToList();
        if (page.Count <= limit && count > RankWindow)
        {
            // Past the ranked window: the older candidates, unscored (score 0), by id descending: listing ids are
            // time-ordered (version 7), so the newest come first, and a (0, id) cursor resumes among them.
            var tail = new List<(long RowId, Guid Id, double Score)>();
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT c.rowid, d.id FROM {Candidates} c CROSS JOIN docs d ON d.rowid = c.rowid WHERE c.rowid < $floor";
            command.Parameters.AddWithValue("$floor", floor);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                tail.Add((reader.GetInt64(0), Guid.Parse(reader.GetString(1)), 0d));
            }
            var afterId = after is { Sort: ListingSort.Relevance, Value: 0 } ? after.Id : (Guid?)null;
            page.AddRange(tail.Where(t => afterId is null || t.Id.CompareTo(afterId.Value) < 0).OrderByDescending(t => t.Id).Take(limit + 1 - page.Count));
        }
        var payloads = await PayloadsAsync(connection, page.Select(p => p.RowId), ct);
        return new ResultRows(page.Select(p => payloads[p.RowId] with { Score = p.Score }).ToList());
    }

    /// <summary>
    /// Price and newest sorts, exact over every match: when the walk saw every match they are sorted directly;
    /// otherwise the sort index is walked from the cursor under every filter.
    /// </summary>
    static async Task<ResultRows> WalkSortedAsync(SqliteConnection connection, ListingQuery q, EmbeddedQuery text, ListingSort sort, Matches matches, int limit,
        CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        string source;
        if (matches.LowerBound)
        {
            var (plain, facetFilters, parameters) = Filters(q);
            command.Parameters.AddRange(parameters);
            where.AddRange(AllFilters(plain, facetFilters));
            if (text.Match is not null)
            {
                where.Add("d.rowid IN (SELECT rowid FROM fts WHERE fts MATCH $q)");
                command.Parameters.AddWithValue("$q", text.Match);
            }
            source = "docs d";
        }
        else
        {
            // NOT INDEXED: look the known matches up by row id and sort them, rather than walk a sort index past rows that never match.
            where.Add($"d.rowid IN ({matches.Known(command)})");
            source = "docs d NOT INDEXED";
        }
        string order;
        switch (sort)
        {
            case ListingSort.PriceAsc:
                where.Add("d.price_usd IS NOT NULL");
                order = "d.price_usd ASC, d.id ASC";
                if (q.After is { Sort: ListingSort.PriceAsc } a)
                {
                    where.Add("(d.price_usd, d.id) > ($cv, $cid)");
                    command.Parameters.AddWithValue("$cv", Scale(a.Value, PriceScale));
                    command.Parameters.AddWithValue("$cid", a.Id.ToString());
                }
                break;
            case ListingSort.PriceDesc:
                where.Add("d.price_usd IS NOT NULL");
                order = "d.price_usd DESC, d.id DESC";
                if (q.After is { Sort: ListingSort.PriceDesc } b)
                {
                    where.Add("(d.price_usd, d.id) < ($cv, $cid)");
                    command.Parameters.AddWithValue("$cv", Scale(b.Value, PriceScale));
                    command.Parameters.AddWithValue("$cid", b.Id.ToString());
                }
                break;
            default:
                order = "d.published DESC, d.id DESC";
                if (q.After is { Sort: ListingSort.Newest } c)
                {
                    where.Add("(d.published, d.id) < ($cv, $cid)");
                    command.Parameters.AddWithValue("$cv", (long)c.Value);
                    command.Parameters.AddWithValue("$cid", c.Id.ToString());
                }
                break;
        }
        // Only the keys while walking the sort order; the page's payloads are read afterwards.
        command.CommandText = $"SELECT d.rowid FROM {source} WHERE {Conjunction(where)} ORDER BY {order} LIMIT $n";
        command.Parameters.AddWithValue("$n", limit + 1);
        var rowids = new List<long>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                rowids.Add(reader.GetInt64(0));
            }
        }
        var payloads = await PayloadsAsync(connection, rowids, ct);
        return new ResultRows(rowids.Select(r => payloads[r]).ToList());
    }

    static async Task<Dictionary<long, Row>> PayloadsAsync(SqliteConnection connection, IEnumerable<long> rowids, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT d.rowid, d.id, d.price_usd, d.published, p.payload FROM docs d JOIN payloads p ON p.rowid = d.rowid " +
            "WHERE d.rowid IN (SELECT value FROM json_each($ids))";
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(rowids));
        var rows = new Dictionary<long, Row>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var row = ReadRow(reader);
            rows[row.RowId] = row;
        }
        return rows;
    }

    static Row ReadRow(SqliteDataReader reader) => new(
        reader.GetInt64(0), Guid.Parse(reader.GetString(1)), reader.IsDBNull(2) ? null : reader.GetInt64(2) / (decimal)PriceScale, reader.GetInt64(3), 0, reader.GetFieldValue<byte[]>(4));

    static SearchHit ToHit(Row row, EmbeddedQuery text)
    {
        var document = JsonSerializer.Deserialize<ListingDocument>(row.Payload, Json)!;
        var highlights = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text.Match is not null)
        {
            foreach (var (field, values) in new[] { ("title", document.Title), ("description", document.Description) })
            {
                foreach (var (language, value) in values)
                {
                    if (Highlighter.Highlight(value, text) is { } marked)
                    {
                        highlights[$"{field}.{language}"] = marked;
                    }
                }
            }
        }
        return new SearchHit(document, row.Score, highlights);
    }

    static SearchCursor CursorOf(ListingSort sort, Row row) => sort switch
    {
        ListingSort.Relevance => new SearchCursor(sort, (decimal)row.Score, row.Id),
        ListingSort.PriceAsc or ListingSort.PriceDesc => new SearchCursor(sort, row.PriceUsd ?? 0, row.Id),
        _ => new SearchCursor(sort, row.Published, row.Id),
    };

    // ---- plumbing ----

    async Task<VocabularyCache> VocabularyAsync(SqliteConnection connection, CancellationToken ct)
    {
        if (_vocabulary is { } cached)
        {
            return cached;
        }
        var commits = Interlocked.Read(ref _commits);
        var terms = new List<string>();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT term FROM fts_vocab";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            terms.Add(reader.GetString(0));
        }
        var loaded = new VocabularyCache(terms);
        // A write that committed while the terms were read may be missing from them: then this search uses what it
        // read, and the next one reads again.
        if (Interlocked.Read(ref _commits) == commits)
        {
            _vocabulary = loaded;
        }
        return loaded;
    }

    /// <summary>
    /// Index terms within <see cref="TextAnalysis.AllowedEdits"/> of a query word that is not itself in the index. Searches
    /// read it while writes add to it, under one lock.
    /// </summary>
    sealed class VocabularyCache
    {
        readonly Lock _lock = new();
        readonly HashSet<string> _known = new(StringComparer.Ordinal);
        readonly Dictionary<int, List<string>> _byLength = [];

        public VocabularyCache(IEnumerable<string> terms) => AddTerms(terms);

        /// <summary>Adds the terms of analyzed texts (terms separated by spaces).</summary>
        public void Add(IEnumerable<string> indexTexts)
        {
            lock (_lock)
            {
                AddTerms(indexTexts.SelectMany(text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
            }
        }

        void AddTerms(IEnumerable<string> terms)
        {
            foreach (var term in terms)
            {
                // Han bigrams are matched exactly, never as near spellings.
                if (_known.Add(term) && !TextAnalysis.IsHan(term[0]))
                {
                    (CollectionsMarshal.GetValueRefOrAddDefault(_byLength, term.Length, out _) ??= []).Add(term);
                }
            }
        }

        public List<string> NearSpellings(string word)
        {
            var edits = TextAnalysis.AllowedEdits(word);
            var found = new List<(string Term, int Distance)>();
            lock (_lock)
            {
                if (edits == 0 || _known.Contains(word) || char.IsAsciiDigit(word[0]))
                {
                    return [];
                }
                for (var length = word.Length - edits; length <= word.Length + edits; length++)
                {
                    foreach (var term in _byLength.GetValueOrDefault(length) ?? [])
                    {
                        var distance = TextAnalysis.Distance(word, term, edits);
                        if (distance <= edits)
                        {
                            found.Add((term, distance));
                        }
                    }
                }
            }
            return found.OrderBy(f => f.Distance).ThenBy(f => f.Term, StringComparer.Ordinal).Take(10).Select(f => f.Term).ToList();
        }
    }

    Task<SqliteConnection> OpenAsync(CancellationToken ct) => OpenLiveAsync(create: false, ct);

    /// <summary>
    /// A connection to the live file. Only creating the index may create the file: a file removed by another process's
    /// rebuild must fail to open (then the pointer is read again), not come back empty. A percolation's scratch index
    /// (no folder) is not pooled: a pool per scratch database would keep every one of them alive.
    /// </summary>
    async Task<SqliteConnection> OpenLiveAsync(bool create, CancellationToken ct)
    {
        if (_folder is null)
        {
            return await OpenAsync(_file, pooling: false, ct);
        }
        try
        {
            return await OpenAsync(LiveFile(), pooling: true, ct, create);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SQLitePCL.raw.SQLITE_CANTOPEN)
        {
            // The pointer moved on between reading it and opening the file it named.
            _pointerWritten = default;
            return await OpenAsync(LiveFile(), pooling: true, ct, create: false);
        }
    }

    static async Task<SqliteConnection> OpenAsync(string file, bool pooling, CancellationToken ct, bool create = true)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = file, Pooling = pooling, DefaultTimeout = 30, Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
        }.ToString());
        await connection.OpenAsync(ct);
        if (pooling)
        {
            // Reads go through the OS page cache shared by every connection, not a private copy per connection. Not for
            // the bulk writer: a file that keeps growing would be mapped again and again.
            await ExecuteAsync(connection, "PRAGMA mmap_size=17179869184;", ct);
        }
        return connection;
    }

    /// <summary>Before a read on a bulk-loading builder: commits what was queued, so the read sees it.</summary>
    async Task ReadableAsync(CancellationToken ct)
    {
        if (_load is { } load)
        {
            await load.FlushAsync(ct);
        }
    }

    async Task WritePointerAsync(string file, CancellationToken ct)
    {
        var pointer = Path.Combine(_folder!, "current");
        var temporary = pointer + ".tmp";
        await File.WriteAllTextAsync(temporary, Path.GetFileName(file), ct);
        File.Move(temporary, pointer, overwrite: true);
    }

    /// <summary>Changes with the file's layout; a different prefix means the file must be rebuilt.</summary>
    const string FilePrefix = "listings-v4-";

    /// <summary>
    /// Between the values of a multi-valued column: the ASCII unit separator, a control character that no facet value
    /// keeps (certificates are free text: "ISO 22000|HACCP" must stay one value, as it is on Elasticsearch).
    /// </summary>
    const char Separator = '\u001F';

    static string Separable(string value) => value.Replace(Separator, ' ');

    static string NewFileName() => $"{FilePrefix}{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}.db";

    static string Normalize(string text) => string.Join(' ', text.Trim().ToLowerInvariant().Replace('ё', 'е').Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Replace("'", "", StringComparison.Ordinal);

    /// <summary>Conditions joined by AND for a WHERE clause; none is "1" (every row), never an empty clause.</summary>
    static string Conjunction(IEnumerable<string> conditions) => string.Join(" AND ", conditions.DefaultIfEmpty("1"));

    static long Scale(decimal value, long scale) => (long)Math.Round(value * scale, MidpointRounding.ToEven);

    static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}
