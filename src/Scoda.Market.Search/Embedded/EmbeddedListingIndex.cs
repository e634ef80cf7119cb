using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>
/// The embedded search back end: one SQLite file with an FTS5 full-text table (contentless, bigram-split Chinese,
/// prefix indexes), the documents' filter columns, a terms table for multi-valued filters and facets, stored buy-request
/// queries and suggestions. Kept apart from the database, under <c>{data}/search/</c>.
///
/// Bounded work per query, so a common word over a million listings stays fast:
/// <list type="bullet">
/// <item>matching stops after the <see cref="SearchLimits.TrackTotalHits"/> newest matches (text and filters together):
/// total, facets and relevance candidates come from them; the total then says "at least" (Elasticsearch does the same);</item>
/// <item>relevance (BM25, titles ×10, commodity names ×4, other fields ×2, descriptions ×1) ranks the
/// <see cref="RankWindow"/> newest candidates; older candidates follow by recency. Commodity offers age quickly, so
/// recency is the tie-breaker buyers expect anyway;</item>
/// <item>price and newest sorts are exact over all matches: they walk an index in sort order with search_after;</item>
/// <item>multi-select facets (each counted under every filter but its own): a text query's first page gets them from
/// the same single walk over its matches that collects the candidates; a query without text lets SQLite apply the
/// filters and makes one bounded pass per filtered facet.</item>
/// </list>
/// </summary>
public sealed class EmbeddedListingIndex : IListingIndex, IDisposable
{
    public const int RankWindow = 2_000;
    const int FacetSize = 50;
    const long PriceScale = 10_000;
    const long QuantityScale = 1_000;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    readonly string? _folder;
    readonly SemaphoreSlim _writer = new(1, 1);
    readonly Synonyms _synonyms;
    string _file;
    volatile VocabularyCache? _vocabulary;

    /// <summary>An index kept in <paramref name="folder"/>; the live file is named in its <c>current</c> pointer.</summary>
    public EmbeddedListingIndex(string folder, Synonyms? synonyms = null)
    {
        Directory.CreateDirectory(folder);
        _folder = folder;
        _synonyms = synonyms ?? Synonyms.Shipped;
        var pointer = Path.Combine(folder, "current");
        var current = File.Exists(pointer) ? File.ReadAllText(pointer).Trim() : null;
        // An index written by an older format is left behind: a new file starts, and the host refills it (see SearchIndexBootstrap).
        _file = Path.Combine(folder, current is not null && current.StartsWith(FilePrefix, StringComparison.Ordinal) ? current : NewFileName());
    }

    EmbeddedListingIndex(string file, Synonyms synonyms, bool _)
    {
        _file = file;
        _synonyms = synonyms;
    }

    public string Backend => "embedded";

    public string CurrentFile => _file;

    string ConnectionString => new SqliteConnectionStringBuilder { DataSource = _file, Pooling = true, DefaultTimeout = 30 }.ToString();

    public async Task EnsureCreatedAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await ExecuteAsync(connection, """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            CREATE TABLE IF NOT EXISTS docs (
                rowid INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                seller_verified INTEGER NOT NULL,
                hs_code TEXT NOT NULL,
                origin TEXT NOT NULL,
                incoterm TEXT NOT NULL,
                price_usd INTEGER NULL,
                available INTEGER NOT NULL,
                published INTEGER NOT NULL,
                category_path TEXT NOT NULL,
                warehouses TEXT NOT NULL,
                certificates TEXT NOT NULL,
                payload TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS docs_price ON docs(price_usd, id);
            CREATE INDEX IF NOT EXISTS docs_published ON docs(published, id);
            CREATE INDEX IF NOT EXISTS docs_origin ON docs(origin);
            CREATE TABLE IF NOT EXISTS doc_terms (facet TEXT NOT NULL, value TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (facet, value, doc)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS doc_terms_doc ON doc_terms(doc, facet);
            CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, category, description, other,
                content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2', prefix='2 3');
            CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(fts, 'row');
            CREATE TABLE IF NOT EXISTS stored_queries (id TEXT PRIMARY KEY, query TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS suggestions (norm TEXT NOT NULL, display TEXT NOT NULL, docs INTEGER NOT NULL, PRIMARY KEY (norm, display)) WITHOUT ROWID;
            """, ct);
        if (_folder is not null)
        {
            await WritePointerAsync(_file, ct);
        }
    }

    public async Task<IReadOnlyList<Guid>> UpsertAsync(IReadOnlyList<ListingDocument> documents, CancellationToken ct = default)
    {
        // Text analysis and serialization are CPU work: done on every core before taking the single write lock.
        var prepared = documents.AsParallel().AsOrdered().WithCancellation(ct).Select(Prepared.Of).ToList();
        await WriteAsync(async writer =>
        {
            foreach (var document in prepared)
            {
                await writer.RemoveAsync(document.Document.Id, ct);
                await writer.InsertAsync(document, ct);
            }
        }, ct);
        return [];
    }

    /// <summary>A document with its index texts and payload computed, ready to be written.</summary>
    sealed record Prepared(ListingDocument Document, string Payload, string Title, string Category, string Description, string Other)
    {
        public static Prepared Of(ListingDocument d) => new(
            d,
            JsonSerializer.Serialize(d, Json),
            TextAnalysis.IndexText(string.Join(" \n ", d.Title.Values)),
            TextAnalysis.IndexText(string.Join(" \n ", d.CategoryNames.Concat(d.CategoryPath.Select(k => k.Replace('-', ' '))))),
            TextAnalysis.IndexText(string.Join(" \n ", d.Description.Values)),
            TextAnalysis.IndexText(string.Join(" \n ",
                new[] { d.NamedPlace, d.OriginRegion ?? "", d.SellerName, d.Incoterm, d.HsCode }.Concat(d.TextSpecs.Values).Concat(d.Certificates))));
    }

    public Task DeleteAsync(IReadOnlyList<Guid> ids, CancellationToken ct = default) =>
        WriteAsync(async writer =>
        {
            foreach (var id in ids)
            {
                await writer.RemoveAsync(id, ct);
            }
        }, ct);

    /// <summary>One writer at a time, one transaction per call, prepared statements reused across its documents.</summary>
    async Task WriteAsync(Func<Writer, Task> write, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await using var writer = new Writer(connection, transaction);
            await write(writer);
            await writer.FlushSuggestionsAsync(ct);
            await transaction.CommitAsync(ct);
            _vocabulary = null;
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<SearchPage> SearchAsync(ListingQuery query, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var vocabulary = await VocabularyAsync(connection, ct);
        var text = EmbeddedQuery.Parse(query.Text, _synonyms, vocabulary.NearSpellings);
        var limit = Math.Clamp(query.Limit, 1, SearchLimits.MaxLimit);
        if (text.Match is null && !string.IsNullOrWhiteSpace(query.Text))
        {
            // Text with no searchable word ("(((", "*:*") matches nothing, as a match query with no terms does.
            return new SearchPage(0, false, [], Facets.All.ToDictionary(f => f, _ => (IReadOnlyList<FacetCount>)[]), null);
        }

        // A text query's first page walks its matches once for candidates and facets together; other queries let SQLite
        // apply every filter (cheaper without a text walk to ride on), and count facets afterwards.
        var wantFacets = query.WithFacets && query.After is null;
        var walk = text.Match is not null && wantFacets ? await WalkMatchesAsync(connection, query, text, ct) : null;
        var count = walk?.Count ?? await CandidatesAsync(connection, Candidates, query, text, except: null, ct);
        var lowerBound = count > SearchLimits.TrackTotalHits;
        if (lowerBound)
        {
            await ExecuteAsync(connection, $"DELETE FROM {Candidates} WHERE rowid = (SELECT min(rowid) FROM {Candidates})", ct);
        }
        var total = Math.Min(count, SearchLimits.TrackTotalHits);

        var sort = query.Sort == ListingSort.Relevance && text.Match is null ? ListingSort.Newest : query.Sort;
        var page = sort == ListingSort.Relevance
            ? await RankAsync(connection, text, total, query.After, limit, ct)
            : await WalkSortedAsync(connection, query, text, sort, limit, ct);

        // Facets belong to the first page; later pages (with a cursor) leave them out instead of counting them again.
        var facets = !wantFacets
            ? new Dictionary<string, IReadOnlyList<FacetCount>>()
            : walk?.Facets ?? await FacetsAsync(connection, query, text, ct);
        var hits = page.Rows.Take(limit).Select(row => ToHit(row, text)).ToList();
        var next = page.Rows.Count > limit ? CursorOf(sort, page.Rows[limit - 1]) : null;
        return new SearchPage(total, lowerBound, hits, facets, next);
    }

    public async Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct = default)
    {
        var norm = Normalize(prefix);
        if (norm.Length == 0)
        {
            return [];
        }
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
        var scratchName = $"file:percolate-{Guid.NewGuid():N}?mode=memory&cache=shared";
        await using var keepAlive = new SqliteConnection($"Data Source={scratchName}");
        await keepAlive.OpenAsync(ct);
        using var scratch = new EmbeddedListingIndex(scratchName, _synonyms, true);
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
        using var fresh = new EmbeddedListingIndex(file, _synonyms, true);
        await fresh.EnsureCreatedAsync(ct);
        await fill(fresh, ct);
        await fresh.OptimizeAsync(ct);
        // Stored buy-request queries belong to the marketplace, not to one index generation: carry them over.
        await using (var connection = await fresh.OpenAsync(ct))
        {
            await ExecuteAsync(connection, $"ATTACH DATABASE '{_file.Replace("'", "''", StringComparison.Ordinal)}' AS old; " +
                "INSERT OR REPLACE INTO stored_queries SELECT id, query FROM old.stored_queries; DETACH DATABASE old;", ct);
        }
        var previous = _file;
        await WritePointerAsync(file, ct);
        _file = file;
        _vocabulary = null;
        SqliteConnection.ClearAllPools();
        foreach (var leftover in new[] { previous, previous + "-wal", previous + "-shm" })
        {
            try
            {
                File.Delete(leftover);
            }
            catch (IOException)
            {
                // A reader may still hold it open; the next rebuild removes it.
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
        await using var connection = await OpenAsync(ct);
        var documents = await ScalarAsync(connection, "SELECT count(*) FROM docs", ct);
        var queries = await ScalarAsync(connection, "SELECT count(*) FROM stored_queries", ct);
        return new IndexStats(Backend, Path.GetFileName(_file), documents, queries);
    }

    public void Dispose() => _writer.Dispose();

    // ---- writing ----

    /// <summary>The statements of one write transaction, prepared once; suggestion counts are summed and written at the end.</summary>
    sealed class Writer : IAsyncDisposable
    {
        readonly SqliteCommand _find, _delete, _insert, _fts, _term, _suggest;
        readonly Dictionary<(string Norm, string Display), int> _suggestions = [];

        public Writer(SqliteConnection connection, SqliteTransaction transaction)
        {
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
            _find = Command("SELECT rowid, payload FROM docs WHERE id = $id", "$id");
            _delete = Command("DELETE FROM fts WHERE rowid = $r; DELETE FROM doc_terms WHERE doc = $r; DELETE FROM docs WHERE rowid = $r;", "$r");
            _insert = Command("""
                INSERT INTO docs (id, seller_verified, hs_code, origin, incoterm, price_usd, available, published, category_path, warehouses, certificates, payload)
                VALUES ($id, $v, $hs, $origin, $incoterm, $price, $available, $published, $cp, $w, $x, $payload) RETURNING rowid
                """, "$id", "$v", "$hs", "$origin", "$incoterm", "$price", "$available", "$published", "$cp", "$w", "$x", "$payload");
            _fts = Command("INSERT INTO fts (rowid, title, category, description, other) VALUES ($r, $t, $c, $d, $o)", "$r", "$t", "$c", "$d", "$o");
            _term = Command("INSERT OR IGNORE INTO doc_terms (facet, value, doc) VALUES ($f, $v, $d)", "$f", "$v", "$d");
            _suggest = Command("INSERT INTO suggestions (norm, display, docs) VALUES ($n, $d, $delta) ON CONFLICT(norm, display) DO UPDATE SET docs = docs + $delta",
                "$n", "$d", "$delta");
        }

        public async Task InsertAsync(Prepared p, CancellationToken ct)
        {
            var d = p.Document;
            Set(_insert, d.Id.ToString(), d.SellerVerified ? 1 : 0, d.HsCode, d.OriginCountry, d.Incoterm,
                d.PriceUsd is { } price ? Scale(price, PriceScale) : DBNull.Value, Scale(d.Available, QuantityScale), d.PublishedAt.ToUnixTimeMilliseconds(),
                Joined(d.CategoryPath), Joined(d.WarehouseCountries), Joined(d.Certificates.Select(c => c.Trim().ToLowerInvariant())), p.Payload);
            var rowid = (long)(await _insert.ExecuteScalarAsync(ct))!;

            Set(_fts, rowid, p.Title, p.Category, p.Description, p.Other);
            await _fts.ExecuteNonQueryAsync(ct);

            foreach (var (facet, value) in TermsOf(d))
            {
                Set(_term, facet, value, rowid);
                await _term.ExecuteNonQueryAsync(ct);
            }
            CountSuggestions(d, +1);
        }

        public async Task RemoveAsync(Guid id, CancellationToken ct)
        {
            Set(_find, id.ToString());
            long rowid;
            ListingDocument old;
            await using (var reader = await _find.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct))
                {
                    return;
                }
                rowid = reader.GetInt64(0);
                old = JsonSerializer.Deserialize<ListingDocument>(reader.GetString(1), Json)!;
            }
            Set(_delete, rowid);
            await _delete.ExecuteNonQueryAsync(ct);
            CountSuggestions(old, -1);
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

        void CountSuggestions(ListingDocument d, int delta)
        {
            foreach (var phrase in d.CategoryNames.Append(d.NamedPlace).Where(p => !string.IsNullOrWhiteSpace(p)).Distinct(StringComparer.Ordinal))
            {
                var key = (Normalize(phrase), phrase);
                _suggestions[key] = _suggestions.GetValueOrDefault(key) + delta;
            }
        }

        /// <summary>Facet values kept on the row as "|a|b|", so one pass over the candidates counts every facet.</summary>
        static string Joined(IEnumerable<string> values) => $"|{string.Join('|', values)}|";

        static void Set(SqliteCommand command, params object[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i];
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in new[] { _find, _delete, _insert, _fts, _term, _suggest })
            {
                await command.DisposeAsync();
            }
        }
    }

    static IEnumerable<(string Facet, string Value)> TermsOf(ListingDocument d) =>
        d.CategoryPath.Select(k => ("c", k))
            .Concat(d.WarehouseCountries.Select(c => ("w", c)))
            .Concat(d.Certificates.Select(c => ("x", c.Trim().ToLowerInvariant())));

    // ---- querying ----

    sealed record Row(long RowId, Guid Id, decimal? PriceUsd, long Published, double Score, string Payload);

    sealed record ResultRows(IReadOnlyList<Row> Rows);

    /// <summary>The filter part of a query as SQL over <c>docs d</c>, leaving out one facet's own filter when asked.</summary>
    static (string Sql, List<SqliteParameter> Parameters) Filters(ListingQuery q, string? except)
    {
        var clauses = new List<string>();
        var parameters = new List<SqliteParameter>();
        string Add(object value)
        {
            var name = $"$f{parameters.Count}";
            parameters.Add(new SqliteParameter(name, value));
            return name;
        }
        string In(IEnumerable<string> values) => string.Join(", ", values.Select(v => Add(v)));

        if (q.VerifiedOnly)
        {
            clauses.Add("d.seller_verified = 1");
        }
        if (!string.IsNullOrEmpty(q.HsCodePrefix))
        {
            clauses.Add($"d.hs_code LIKE {Add(q.HsCodePrefix)} || '%'");
        }
        if (q.Origins.Count > 0 && except != Facets.Origin)
        {
            clauses.Add($"d.origin IN ({In(q.Origins)})");
        }
        if (q.Incoterms.Count > 0 && except != Facets.Incoterm)
        {
            clauses.Add($"d.incoterm IN ({In(q.Incoterms)})");
        }
        if (q.MinPriceUsd is { } min)
        {
            clauses.Add($"d.price_usd >= {Add(Scale(min, PriceScale))}");
        }
        if (q.MaxPriceUsd is { } max)
        {
            clauses.Add($"d.price_usd <= {Add(Scale(max, PriceScale))}");
        }
        if (q.MinAvailable is { } available)
        {
            clauses.Add($"d.available >= {Add(Scale(available, QuantityScale))}");
        }
        void Terms(string facet, string code, IReadOnlyList<string> values)
        {
            if (values.Count > 0 && except != facet)
            {
                clauses.Add($"d.rowid IN (SELECT doc FROM doc_terms WHERE facet = '{code}' AND value IN ({In(values)}))");
            }
        }
        Terms(Facets.Category, "c", q.Categories);
        Terms(Facets.WarehouseCountry, "w", q.WarehouseCountries);
        Terms(Facets.Certificate, "x", q.Certificates.Select(c => c.Trim().ToLowerInvariant()).ToList());
        return (clauses.Count == 0 ? "1" : string.Join(" AND ", clauses), parameters);
    }

    const string Candidates = "temp.candidates";
    const string FacetCandidates = "temp.facet_candidates";

    /// <summary>
    /// Puts the row ids of the newest matches (text and filters), at most TrackTotalHits + 1, into a temporary table of
    /// this connection, where ranking and facet counting join them without a round trip; returns how many.
    /// </summary>
    static async Task<int> CandidatesAsync(SqliteConnection connection, string table, ListingQuery q, EmbeddedQuery text, string? except, CancellationToken ct)
    {
        await ExecuteAsync(connection, $"CREATE TEMP TABLE IF NOT EXISTS {table[5..]} (rowid INTEGER PRIMARY KEY); DELETE FROM {table};", ct);
        var (filters, parameters) = Filters(q, except);
        await using var command = connection.CreateCommand();
        command.Parameters.AddRange(parameters);
        command.Parameters.AddWithValue("$k", SearchLimits.TrackTotalHits + 1);
        if (text.Match is null)
        {
            command.CommandText = $"INSERT INTO {table} SELECT d.rowid FROM docs d WHERE {filters} ORDER BY d.rowid DESC LIMIT $k";
        }
        else
        {
            // CROSS JOIN keeps FTS5 as the outer loop, walking matches newest first so LIMIT stops it early.
            command.CommandText = $"INSERT INTO {table} SELECT f.rowid FROM fts f CROSS JOIN docs d ON d.rowid = f.rowid WHERE fts MATCH $q AND {filters} ORDER BY f.rowid DESC LIMIT $k";
            command.Parameters.AddWithValue("$q", text.Match);
        }
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>BM25 over the newest <see cref="RankWindow"/> candidates; older candidates follow, ordered by id.</summary>
    static async Task<ResultRows> RankAsync(SqliteConnection connection, EmbeddedQuery text, int count, SearchCursor? after, int limit, CancellationToken ct)
    {
        if (count == 0)
        {
            return new ResultRows([]);
        }
        var floor = await ScalarAsync(connection, $"SELECT rowid FROM {Candidates} ORDER BY rowid DESC LIMIT 1 OFFSET {Math.Min(RankWindow, count) - 1}", ct);
        var ranked = new List<(long RowId, Guid Id, double Score)>();
        await using (var command = connection.CreateCommand())
        {
            // FTS5 drives (CROSS JOIN): it walks its matches above the floor; candidates and docs are looked up by rowid.
            command.CommandText = $"""
                SELECT f.rowid, d.id, bm25(fts, 10.0, 4.0, 1.0, 2.0)
                FROM fts f CROSS JOIN {Candidates} c ON c.rowid = f.rowid CROSS JOIN docs d ON d.rowid = f.rowid
                WHERE fts MATCH $q AND f.rowid >= $floor
                """;
            command.Parameters.AddWithValue("$q", text.Match);
            command.Parameters.AddWithValue("$floor", floor);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                // bm25() is negative, better is lower; the API reports higher-is-better scores.
                ranked.Add((reader.GetInt64(0), Guid.Parse(reader.GetString(1)), Math.Round(-reader.GetDouble(2), 6)));
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
            // Past the ranked window: the older candidates, unscored (score 0), in id order.
            var tail = new List<(long RowId, Guid Id, double Score)>();
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT c.rowid, d.id FROM {Candidates} c JOIN docs d ON d.rowid = c.rowid WHERE c.rowid < $floor";
            command.Parameters.AddWithValue("$floor", floor);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                tail.Add((reader.GetInt64(0), Guid.Parse(reader.GetString(1)), 0d));
            }
            var afterId = after is { Sort: ListingSort.Relevance, Value: 0 } ? after.Id : (Guid?)null;
            page.AddRange(tail.Where(t => afterId is null || t.Id.CompareTo(afterId.Value) > 0).OrderBy(t => t.Id).Take(limit + 1 - page.Count));
        }
        var payloads = await PayloadsAsync(connection, page.Select(p => p.RowId), ct);
        return new ResultRows(page.Select(p => payloads[p.RowId] with { Score = p.Score }).ToList());
    }

    /// <summary>Price and newest sorts: walk the sort index from the cursor, exact over every match.</summary>
    static async Task<ResultRows> WalkSortedAsync(SqliteConnection connection, ListingQuery q, EmbeddedQuery text, ListingSort sort, int limit, CancellationToken ct)
    {
        var (filters, parameters) = Filters(q, except: null);
        await using var command = connection.CreateCommand();
        command.Parameters.AddRange(parameters);
        var where = new List<string> { filters };
        if (text.Match is not null)
        {
            where.Add("d.rowid IN (SELECT rowid FROM fts WHERE fts MATCH $q)");
            command.Parameters.AddWithValue("$q", text.Match);
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
        command.CommandText = $"SELECT d.rowid FROM docs d WHERE {string.Join(" AND ", where)} ORDER BY {order} LIMIT $n";
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

    static async Task<IReadOnlyDictionary<string, IReadOnlyList<FacetCount>>> FacetsAsync(
        SqliteConnection connection, ListingQuery q, EmbeddedQuery text, CancellationToken ct)
    {
        // Multi-select facets: a facet's own filter does not narrow its own counts, every other filter does.
        var ownFilter = new Dictionary<string, bool>
        {
            [Facets.Category] = q.Categories.Count > 0,
            [Facets.Origin] = q.Origins.Count > 0,
            [Facets.Incoterm] = q.Incoterms.Count > 0,
            [Facets.WarehouseCountry] = q.WarehouseCountries.Count > 0,
            [Facets.Certificate] = q.Certificates.Count > 0,
        };
        var facets = await CountAsync(connection, Candidates, Facets.All.Where(f => !ownFilter[f]).ToList(), ct);
        foreach (var facet in Facets.All.Where(f => ownFilter[f]))
        {
            if (await CandidatesAsync(connection, FacetCandidates, q, text, facet, ct) > SearchLimits.TrackTotalHits)
            {
                await ExecuteAsync(connection, $"DELETE FROM {FacetCandidates} WHERE rowid = (SELECT min(rowid) FROM {FacetCandidates})", ct);
            }
            facets[facet] = (await CountAsync(connection, FacetCandidates, [facet], ct))[facet];
        }
        return facets;
    }

    /// <summary>Counts the wanted facets in one pass over the candidates (the candidates drive the join).</summary>
    static async Task<Dictionary<string, IReadOnlyList<FacetCount>>> CountAsync(SqliteConnection connection, string table, List<string> wanted, CancellationToken ct)
    {
        var counts = wanted.ToDictionary(f => f, _ => new Dictionary<string, long>(StringComparer.Ordinal));
        if (wanted.Count > 0)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT d.origin, d.incoterm, d.category_path, d.warehouses, d.certificates FROM {table} c CROSS JOIN docs d ON d.rowid = c.rowid";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                foreach (var (facet, column) in new[] { (Facets.Origin, 0), (Facets.Incoterm, 1), (Facets.Category, 2), (Facets.WarehouseCountry, 3), (Facets.Certificate, 4) })
                {
                    if (!counts.TryGetValue(facet, out var values))
                    {
                        continue;
                    }
                    var raw = reader.GetString(column);
                    foreach (var value in column < 2 ? [raw] : raw.Split('|', StringSplitOptions.RemoveEmptyEntries))
                    {
                        values[value] = values.GetValueOrDefault(value) + 1;
                    }
                }
            }
        }
        return Top(counts);
    }

    /// <summary>Each facet's most frequent values, then by value: the order clients show.</summary>
    static Dictionary<string, IReadOnlyList<FacetCount>> Top(Dictionary<string, Dictionary<string, long>> counts) =>
        counts.ToDictionary(
            c => c.Key,
            c => (IReadOnlyList<FacetCount>)c.Value.OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal).Take(FacetSize)
                .Select(v => new FacetCount(v.Key, v.Value)).ToList());

    sealed record Walked(int Count, Dictionary<string, IReadOnlyList<FacetCount>> Facets);

    /// <summary>
    /// One walk over a text query's matches, newest first, restricted by the filters that are not facets. Each row's
    /// facet columns are tested against the facet filters here: rows passing all of them fill the candidates (at most
    /// TrackTotalHits + 1, as <see cref="CandidatesAsync"/> does), and each facet counts the newest TrackTotalHits rows
    /// that pass every filter but its own (multi-select). That is what one candidate pass per filtered facet gives, in a
    /// single pass; the walk ends as soon as every one of them is full.
    /// </summary>
    static async Task<Walked> WalkMatchesAsync(SqliteConnection connection, ListingQuery q, EmbeddedQuery text, CancellationToken ct)
    {
        var relaxed = q with { Categories = [], Origins = [], Incoterms = [], WarehouseCountries = [], Certificates = [] };
        var (filters, parameters) = Filters(relaxed, except: null);
        var origins = q.Origins.ToHashSet(StringComparer.Ordinal);
        var incoterms = q.Incoterms.ToHashSet(StringComparer.Ordinal);
        static string[] Needles(IEnumerable<string> values) => values.Select(v => $"|{v}|").ToArray();
        var categories = Needles(q.Categories);
        var warehouses = Needles(q.WarehouseCountries);
        var certificates = Needles(q.Certificates.Select(c => c.Trim().ToLowerInvariant()));
        static bool AnyIn(string joined, string[] needles) => needles.Length == 0 || needles.Any(n => joined.Contains(n, StringComparison.Ordinal));

        // Bit i set: the row fails facet i's own filter. Facets.All order: category, origin, incoterm, warehouse, certificate.
        var rawCounts = Facets.All.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
        var counted = new int[Facets.All.Count];
        var candidates = new List<long>(Math.Min(SearchLimits.TrackTotalHits + 1, 4096));
        var columns = new string?[5];
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"""
                SELECT f.rowid, d.category_path, d.origin, d.incoterm, d.warehouses, d.certificates
                FROM fts f CROSS JOIN docs d ON d.rowid = f.rowid WHERE fts MATCH $q AND {filters} ORDER BY f.rowid DESC
                """;
            command.Parameters.AddRange(parameters);
            command.Parameters.AddWithValue("$q", text.Match);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                // Columns are read when needed: a row that fails two facet filters counts nowhere.
                Array.Clear(columns);
                string Column(int i) => columns[i] ??= reader.GetString(i + 1);
                var failed = (categories.Length == 0 || AnyIn(Column(0), categories) ? 0 : 1)
                    | (origins.Count == 0 || origins.Contains(Column(1)) ? 0 : 2)
                    | (incoterms.Count == 0 || incoterms.Contains(Column(2)) ? 0 : 4)
                    | (warehouses.Length == 0 || AnyIn(Column(3), warehouses) ? 0 : 8)
                    | (certificates.Length == 0 || AnyIn(Column(4), certificates) ? 0 : 16);
                if (BitOperations.PopCount((uint)failed) > 1)
                {
                    continue;
                }
                if (failed == 0 && candidates.Count <= SearchLimits.TrackTotalHits)
                {
                    candidates.Add(reader.GetInt64(0));
                }
                var full = candidates.Count > SearchLimits.TrackTotalHits;
                for (var f = 0; f < counted.Length; f++)
                {
                    if (counted[f] < SearchLimits.TrackTotalHits && (failed & ~(1 << f)) == 0)
                    {
                        counted[f]++;
                        // Counted by the column's whole text ("|KZ|CN|"): few distinct ones, split once at the end.
                        var raw = rawCounts[f];
                        var joined = Column(f);
                        raw[joined] = raw.GetValueOrDefault(joined) + 1;
                    }
                    full &= counted[f] >= SearchLimits.TrackTotalHits;
                }
                if (full)
                {
                    break;
                }
            }
        }
        await ExecuteAsync(connection, $"CREATE TEMP TABLE IF NOT EXISTS {Candidates[5..]} (rowid INTEGER PRIMARY KEY); DELETE FROM {Candidates};", ct);
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText = $"INSERT INTO {Candidates} SELECT value FROM json_each($ids)";
            insert.Parameters.AddWithValue("$ids", $"[{string.Join(',', candidates)}]");
            await insert.ExecuteNonQueryAsync(ct);
        }
        var counts = Facets.All.ToDictionary(f => f, _ => new Dictionary<string, long>(StringComparer.Ordinal));
        for (var f = 0; f < rawCounts.Length; f++)
        {
            var values = counts[Facets.All[f]];
            foreach (var (raw, n) in rawCounts[f])
            {
                foreach (var value in f is 1 or 2 ? [raw] : raw.Split('|', StringSplitOptions.RemoveEmptyEntries))
                {
                    values[value] = values.GetValueOrDefault(value) + n;
                }
            }
        }
        return new Walked(candidates.Count, Top(counts));
    }

    static async Task<Dictionary<long, Row>> PayloadsAsync(SqliteConnection connection, IEnumerable<long> rowids, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT d.rowid, d.id, d.price_usd, d.published, d.payload FROM docs d WHERE d.rowid IN (SELECT value FROM json_each($ids))";
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
        reader.GetInt64(0), Guid.Parse(reader.GetString(1)), reader.IsDBNull(2) ? null : reader.GetInt64(2) / (decimal)PriceScale, reader.GetInt64(3), 0, reader.GetString(4));

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
        var terms = new List<string>();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT term FROM fts_vocab";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            terms.Add(reader.GetString(0));
        }
        return _vocabulary = new VocabularyCache(terms);
    }

    /// <summary>Index terms within <see cref="TextAnalysis.AllowedEdits"/> of a query word that is not itself in the index.</summary>
    sealed class VocabularyCache(IReadOnlyList<string> terms)
    {
        readonly HashSet<string> _known = terms.ToHashSet(StringComparer.Ordinal);
        readonly ILookup<int, string> _byLength = terms.Where(t => !TextAnalysis.IsHan(t[0])).ToLookup(t => t.Length);

        public List<string> NearSpellings(string word)
        {
            var edits = TextAnalysis.AllowedEdits(word);
            if (edits == 0 || _known.Contains(word) || char.IsAsciiDigit(word[0]))
            {
                return [];
            }
            var found = new List<(string Term, int Distance)>();
            for (var length = word.Length - edits; length <= word.Length + edits; length++)
            {
                foreach (var term in _byLength[length])
                {
                    var distance = TextAnalysis.Distance(word, term, edits);
                    if (distance <= edits)
                    {
                        found.Add((term, distance));
                    }
                }
            }
            return found.OrderBy(f => f.Distance).ThenBy(f => f.Term, StringComparer.Ordinal).Take(10).Select(f => f.Term).ToList();
        }
    }

    async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    async Task WritePointerAsync(string file, CancellationToken ct)
    {
        var pointer = Path.Combine(_folder!, "current");
        var temporary = pointer + ".tmp";
        await File.WriteAllTextAsync(temporary, Path.GetFileName(file), ct);
        File.Move(temporary, pointer, overwrite: true);
    }

    /// <summary>Changes with the file's layout; a different prefix means the file must be rebuilt.</summary>
    const string FilePrefix = "listings-v2-";

    static string NewFileName() => $"{FilePrefix}{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}.db";

    static string Normalize(string text) => string.Join(' ', text.Trim().ToLowerInvariant().Replace('ё', 'е').Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Replace("'", "", StringComparison.Ordinal);

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
