using System.Globalization;
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
/// <item>price and newest sorts are exact over all matches: they walk an index in sort order with search_after.</item>
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
        _file = File.Exists(pointer) ? Path.Combine(folder, File.ReadAllText(pointer).Trim()) : Path.Combine(folder, NewFileName());
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
        await _writer.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            foreach (var document in documents)
            {
                await RemoveAsync(connection, transaction, document.Id, ct);
                await InsertAsync(connection, transaction, document, ct);
            }
            await transaction.CommitAsync(ct);
            _vocabulary = null;
            return [];
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task DeleteAsync(IReadOnlyList<Guid> ids, CancellationToken ct = default)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            foreach (var id in ids)
            {
                await RemoveAsync(connection, transaction, id, ct);
            }
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

        var candidates = await CandidatesAsync(connection, query, text, except: null, ct);
        var total = Math.Min(candidates.Count, SearchLimits.TrackTotalHits);
        var lowerBound = candidates.Count > SearchLimits.TrackTotalHits;
        if (lowerBound)
        {
            candidates.RemoveAt(candidates.Count - 1);
        }

        var sort = query.Sort == ListingSort.Relevance && text.Match is null ? ListingSort.Newest : query.Sort;
        var page = sort == ListingSort.Relevance
            ? await RankAsync(connection, text, candidates, query.After, limit, ct)
            : await WalkSortedAsync(connection, query, text, sort, limit, ct);

        var facets = query.WithFacets ? await FacetsAsync(connection, query, text, candidates, ct) : new Dictionary<string, IReadOnlyList<FacetCount>>();
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

    public async Task<IndexStats> StatsAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var documents = await ScalarAsync(connection, "SELECT count(*) FROM docs", ct);
        var queries = await ScalarAsync(connection, "SELECT count(*) FROM stored_queries", ct);
        return new IndexStats(Backend, Path.GetFileName(_file), documents, queries);
    }

    public void Dispose() => _writer.Dispose();

    // ---- writing ----

    static async Task InsertAsync(SqliteConnection connection, SqliteTransaction transaction, ListingDocument d, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO docs (id, seller_verified, hs_code, origin, incoterm, price_usd, available, published, payload)
            VALUES ($id, $v, $hs, $origin, $incoterm, $price, $available, $published, $payload) RETURNING rowid
            """;
        command.Parameters.AddWithValue("$id", d.Id.ToString());
        command.Parameters.AddWithValue("$v", d.SellerVerified ? 1 : 0);
        command.Parameters.AddWithValue("$hs", d.HsCode);
        command.Parameters.AddWithValue("$origin", d.OriginCountry);
        command.Parameters.AddWithValue("$incoterm", d.Incoterm);
        command.Parameters.AddWithValue("$price", d.PriceUsd is { } p ? Scale(p, PriceScale) : DBNull.Value);
        command.Parameters.AddWithValue("$available", Scale(d.Available, QuantityScale));
        command.Parameters.AddWithValue("$published", d.PublishedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$payload", JsonSerializer.Serialize(d, Json));
        var rowid = (long)(await command.ExecuteScalarAsync(ct))!;

        await using var fts = connection.CreateCommand();
        fts.Transaction = transaction;
        fts.CommandText = "INSERT INTO fts (rowid, title, category, description, other) VALUES ($r, $t, $c, $d, $o)";
        fts.Parameters.AddWithValue("$r", rowid);
        fts.Parameters.AddWithValue("$t", TextAnalysis.IndexText(string.Join(" \n ", d.Title.Values)));
        fts.Parameters.AddWithValue("$c", TextAnalysis.IndexText(string.Join(" \n ", d.CategoryNames.Concat(d.CategoryPath.Select(k => k.Replace('-', ' '))))));
        fts.Parameters.AddWithValue("$d", TextAnalysis.IndexText(string.Join(" \n ", d.Description.Values)));
        fts.Parameters.AddWithValue("$o", TextAnalysis.IndexText(string.Join(" \n ",
            new[] { d.NamedPlace, d.OriginRegion ?? "", d.SellerName, d.Incoterm, d.HsCode }.Concat(d.TextSpecs.Values).Concat(d.Certificates))));
        await fts.ExecuteNonQueryAsync(ct);

        foreach (var (facet, value) in TermsOf(d))
        {
            await using var term = connection.CreateCommand();
            term.Transaction = transaction;
            term.CommandText = "INSERT OR IGNORE INTO doc_terms (facet, value, doc) VALUES ($f, $v, $d)";
            term.Parameters.AddWithValue("$f", facet);
            term.Parameters.AddWithValue("$v", value);
            term.Parameters.AddWithValue("$d", rowid);
            await term.ExecuteNonQueryAsync(ct);
        }
        await AdjustSuggestionsAsync(connection, transaction, d, +1, ct);
    }

    static async Task RemoveAsync(SqliteConnection connection, SqliteTransaction transaction, Guid id, CancellationToken ct)
    {
        await using var find = connection.CreateCommand();
        find.Transaction = transaction;
        find.CommandText = "SELECT rowid, payload FROM docs WHERE id = $id";
        find.Parameters.AddWithValue("$id", id.ToString());
        long rowid;
        ListingDocument old;
        await using (var reader = await find.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return;
            }
            rowid = reader.GetInt64(0);
            old = JsonSerializer.Deserialize<ListingDocument>(reader.GetString(1), Json)!;
        }
        await using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM fts WHERE rowid = $r; DELETE FROM doc_terms WHERE doc = $r; DELETE FROM docs WHERE rowid = $r;";
        delete.Parameters.AddWithValue("$r", rowid);
        await delete.ExecuteNonQueryAsync(ct);
        await AdjustSuggestionsAsync(connection, transaction, old, -1, ct);
    }

    static async Task AdjustSuggestionsAsync(SqliteConnection connection, SqliteTransaction transaction, ListingDocument d, int delta, CancellationToken ct)
    {
        var phrases = d.CategoryNames.Append(d.NamedPlace).Where(p => !string.IsNullOrWhiteSpace(p)).Distinct(StringComparer.Ordinal);
        foreach (var phrase in phrases)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO suggestions (norm, display, docs) VALUES ($n, $d, $delta) ON CONFLICT(norm, display) DO UPDATE SET docs = docs + $delta";
            command.Parameters.AddWithValue("$n", Normalize(phrase));
            command.Parameters.AddWithValue("$d", phrase);
            command.Parameters.AddWithValue("$delta", delta);
            await command.ExecuteNonQueryAsync(ct);
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

    /// <summary>Row ids of the newest matches (text and filters), at most TrackTotalHits + 1 of them.</summary>
    static async Task<List<long>> CandidatesAsync(SqliteConnection connection, ListingQuery q, EmbeddedQuery text, string? except, CancellationToken ct)
    {
        var (filters, parameters) = Filters(q, except);
        await using var command = connection.CreateCommand();
        command.Parameters.AddRange(parameters);
        command.Parameters.AddWithValue("$k", SearchLimits.TrackTotalHits + 1);
        if (text.Match is null)
        {
            command.CommandText = $"SELECT d.rowid FROM docs d WHERE {filters} ORDER BY d.rowid DESC LIMIT $k";
        }
        else
        {
            // CROSS JOIN keeps FTS5 as the outer loop, walking matches newest first so LIMIT stops it early.
            command.CommandText = $"SELECT f.rowid FROM fts f CROSS JOIN docs d ON d.rowid = f.rowid WHERE fts MATCH $q AND {filters} ORDER BY f.rowid DESC LIMIT $k";
            command.Parameters.AddWithValue("$q", text.Match);
        }
        var rows = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(reader.GetInt64(0));
        }
        return rows;
    }

    /// <summary>BM25 over the newest <see cref="RankWindow"/> candidates; the rest follow by recency.</summary>
    static async Task<ResultRows> RankAsync(SqliteConnection connection, EmbeddedQuery text, List<long> candidates, SearchCursor? after, int limit, CancellationToken ct)
    {
        if (candidates.Count == 0)
        {
            return new ResultRows([]);
        }
        var window = candidates.Take(RankWindow).ToHashSet();
        var floor = candidates[Math.Min(RankWindow, candidates.Count) - 1];
        var scores = new Dictionary<long, double>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT rowid, bm25(fts, 10.0, 4.0, 1.0, 2.0) FROM fts WHERE fts MATCH $q AND rowid >= $floor";
            command.Parameters.AddWithValue("$q", text.Match);
            command.Parameters.AddWithValue("$floor", floor);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var rowid = reader.GetInt64(0);
                if (window.Contains(rowid))
                {
                    // bm25() is negative, better is lower; the API reports higher-is-better scores.
                    scores[rowid] = Math.Round(-reader.GetDouble(1), 6);
                }
            }
        }
        var ids = await IdsAsync(connection, candidates, ct);
        var ordered = candidates
            .Select(r => (RowId: r, Id: ids[r], Score: scores.GetValueOrDefault(r, 0d)))
            .OrderByDescending(r => r.Score).ThenBy(r => r.Id)
            .ToList();
        if (after is { Sort: ListingSort.Relevance })
        {
            var score = (double)after.Value;
            ordered = ordered.Where(r => r.Score < score || (r.Score == score && r.Id.CompareTo(after.Id) > 0)).ToList();
        }
        var page = ordered.Take(limit + 1).ToList();
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
                    where.Add("(d.price_usd > $cv OR (d.price_usd = $cv AND d.id > $cid))");
                    command.Parameters.AddWithValue("$cv", Scale(a.Value, PriceScale));
                    command.Parameters.AddWithValue("$cid", a.Id.ToString());
                }
                break;
            case ListingSort.PriceDesc:
                where.Add("d.price_usd IS NOT NULL");
                order = "d.price_usd DESC, d.id DESC";
                if (q.After is { Sort: ListingSort.PriceDesc } b)
                {
                    where.Add("(d.price_usd < $cv OR (d.price_usd = $cv AND d.id < $cid))");
                    command.Parameters.AddWithValue("$cv", Scale(b.Value, PriceScale));
                    command.Parameters.AddWithValue("$cid", b.Id.ToString());
                }
                break;
            default:
                order = "d.published DESC, d.id DESC";
                if (q.After is { Sort: ListingSort.Newest } c)
                {
                    where.Add("(d.published < $cv OR (d.published = $cv AND d.id < $cid))");
                    command.Parameters.AddWithValue("$cv", (long)c.Value);
                    command.Parameters.AddWithValue("$cid", c.Id.ToString());
                }
                break;
        }
        command.CommandText = $"SELECT d.rowid, d.id, d.price_usd, d.published, d.payload FROM docs d WHERE {string.Join(" AND ", where)} ORDER BY {order} LIMIT $n";
        command.Parameters.AddWithValue("$n", limit + 1);
        var rows = new List<Row>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(ReadRow(reader));
        }
        return new ResultRows(rows);
    }

    static async Task<IReadOnlyDictionary<string, IReadOnlyList<FacetCount>>> FacetsAsync(
        SqliteConnection connection, ListingQuery q, EmbeddedQuery text, List<long> candidates, CancellationToken ct)
    {
        var facets = new Dictionary<string, IReadOnlyList<FacetCount>>();
        foreach (var facet in Facets.All)
        {
            // Multi-select facets: a facet's own filter does not narrow its own counts, every other filter does.
            var filtered = facet switch
            {
                Facets.Origin => q.Origins.Count > 0,
                Facets.Incoterm => q.Incoterms.Count > 0,
                Facets.Category => q.Categories.Count > 0,
                Facets.WarehouseCountry => q.WarehouseCountries.Count > 0,
                _ => q.Certificates.Count > 0,
            };
            var set = filtered ? await CandidatesAsync(connection, q, text, facet, ct) : candidates;
            if (set.Count > SearchLimits.TrackTotalHits)
            {
                set = set.Take(SearchLimits.TrackTotalHits).ToList();
            }
            facets[facet] = await CountAsync(connection, facet, set, ct);
        }
        return facets;
    }

    static async Task<IReadOnlyList<FacetCount>> CountAsync(SqliteConnection connection, string facet, List<long> rowids, CancellationToken ct)
    {
        if (rowids.Count == 0)
        {
            return [];
        }
        var sql = facet switch
        {
            Facets.Origin => "SELECT origin, count(*) FROM docs WHERE rowid IN (SELECT value FROM json_each($ids)) GROUP BY origin",
            Facets.Incoterm => "SELECT incoterm, count(*) FROM docs WHERE rowid IN (SELECT value FROM json_each($ids)) GROUP BY incoterm",
            _ => $"SELECT value, count(*) FROM doc_terms WHERE facet = '{facet switch { Facets.Category => "c", Facets.WarehouseCountry => "w", _ => "x" }}' " +
                 "AND doc IN (SELECT value FROM json_each($ids)) GROUP BY value",
        };
        await using var command = connection.CreateCommand();
        command.CommandText = $"{sql} ORDER BY count(*) DESC, 1 ASC LIMIT {FacetSize}";
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(rowids));
        var counts = new List<FacetCount>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            counts.Add(new FacetCount(reader.GetString(0), reader.GetInt64(1)));
        }
        return counts;
    }

    static async Task<Dictionary<long, Guid>> IdsAsync(SqliteConnection connection, List<long> rowids, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT rowid, id FROM docs WHERE rowid IN (SELECT value FROM json_each($ids))";
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(rowids));
        var ids = new Dictionary<long, Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids[reader.GetInt64(0)] = Guid.Parse(reader.GetString(1));
        }
        return ids;
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

    static string NewFileName() => $"listings-{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}.db";

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
