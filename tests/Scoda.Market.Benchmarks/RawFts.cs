using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Scoda.Market.Search;

namespace Scoda.Market.Benchmarks;

/// <summary>
/// The floor: plain SQLite FTS5 over the same analyzed text, with the filter columns in a plain table, queried the
/// simplest way (MATCH + bm25 ORDER BY rank, and a GROUP BY per facet over every match). No synonyms, no typo
/// tolerance, no bounded work: what the embedded back end adds is measured against this.
/// </summary>
public sealed class RawFts(string file) : IDisposable
{
    readonly SqliteConnection _connection = new($"Data Source={file};Pooling=false");

    /// <summary>
    /// Loads the floor and measures its rates: inserting the rows (text analysis included), the floor's FTS5 'rebuild',
    /// and for comparison a 'rebuild' of a table shaped like the embedded index's (four columns including the commodity
    /// names and the other searchable fields, its ascii tokenizer over the analysed terms, its prefix indexes): the
    /// full-text work the embedded index cannot avoid, without its analysis, payloads and filter table.
    /// </summary>
    public async Task<(double InsertPerSecond, double RebuildPerSecond, double ShapedRebuildPerSecond)> BuildAsync(IReadOnlyList<ListingDocument> documents)
    {
        await _connection.OpenAsync();
        await ExecuteAsync("""
            PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
            CREATE TABLE docs_text (rowid INTEGER PRIMARY KEY, title TEXT, description TEXT, category TEXT, other TEXT);
            CREATE TABLE docs_raw (rowid INTEGER PRIMARY KEY, origin TEXT, incoterm TEXT, verified INTEGER, price INTEGER);
            CREATE INDEX docs_raw_price ON docs_raw(price);
            CREATE TABLE raw_terms (facet TEXT, value TEXT, doc INTEGER, PRIMARY KEY (facet, value, doc)) WITHOUT ROWID;
            CREATE INDEX raw_terms_doc ON raw_terms(doc);
            CREATE VIRTUAL TABLE raw USING fts5(title, description, content='docs_text', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
            CREATE VIRTUAL TABLE shaped USING fts5(title, category, description, other, content='docs_text', content_rowid='rowid', tokenize='ascii', prefix='2 3');
            """);
        var insert = Stopwatch.StartNew();
        foreach (var batch in documents.Chunk(5000))
        {
            await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync();
            foreach (var d in batch)
            {
                var rowid = d.PublishedAt.ToUnixTimeSeconds();
                await ExecuteAsync("INSERT INTO docs_text (rowid, title, description, category, other) VALUES ($r, $t, $d, $c, $o)", transaction,
                    ("$r", rowid), ("$t", TextAnalysis.IndexText(string.Join(' ', d.Title.Values) + " " + string.Join(' ', d.CategoryNames))),
                    ("$d", TextAnalysis.IndexText(string.Join(' ', d.Description.Values))),
                    ("$c", TextAnalysis.IndexText(string.Join(' ', d.CategoryNames))),
                    ("$o", TextAnalysis.IndexText($"{d.NamedPlace} {d.OriginRegion} {d.SellerName} {d.Incoterm} {d.HsCode} {string.Join(' ', d.Certificates)}")));
                await ExecuteAsync("INSERT INTO docs_raw (rowid, origin, incoterm, verified, price) VALUES ($r, $o, $i, $v, $p)", transaction,
                    ("$r", rowid), ("$o", d.OriginCountry), ("$i", d.Incoterm), ("$v", d.SellerVerified ? 1 : 0), ("$p", (long)(d.PriceUsd!.Value * 10000)));
                foreach (var (facet, value) in d.CategoryPath.Select(c => ("c", c)).Concat(d.WarehouseCountries.Select(w => ("w", w))).Concat(d.Certificates.Select(c => ("x", c))))
                {
                    await ExecuteAsync("INSERT OR IGNORE INTO raw_terms VALUES ($f, $v, $r)", transaction, ("$f", facet), ("$v", value), ("$r", rowid));
                }
            }
            await transaction.CommitAsync();
        }
        insert.Stop();
        var rebuild = Stopwatch.StartNew();
        await ExecuteAsync("INSERT INTO raw(raw) VALUES('rebuild')");
        rebuild.Stop();
        var shaped = Stopwatch.StartNew();
        await ExecuteAsync("INSERT INTO shaped(shaped) VALUES('rebuild')");
        shaped.Stop();
        await ExecuteAsync("DROP TABLE shaped");
        return (documents.Count / insert.Elapsed.TotalSeconds, documents.Count / rebuild.Elapsed.TotalSeconds, documents.Count / shaped.Elapsed.TotalSeconds);
    }

    /// <summary>Top 20 by bm25 among text matches passing the filters, plus the five facet GROUP BYs over all of them.</summary>
    public async Task SearchAsync(string? match, string filters, string order = "rank", int offset = 0)
    {
        var from = match is null ? "docs_raw d" : "raw JOIN docs_raw d ON d.rowid = raw.rowid";
        var where = match is null ? filters : $"raw MATCH $q AND {filters}";
        var orderBy = match is null && order == "rank" ? "d.rowid DESC" : order == "rank" ? "rank" : order;
        var select = match is null ? "d.rowid" : "raw.rowid, bm25(raw, 10.0, 1.0)";
        await ReadAllAsync($"SELECT {select} FROM {from} WHERE {where} ORDER BY {orderBy} LIMIT 20 OFFSET {offset}", match);
        var matches = $"SELECT d.rowid FROM {from} WHERE {where}";
        await ReadAllAsync($"SELECT origin, count(*) FROM docs_raw WHERE rowid IN ({matches}) GROUP BY origin", match);
        await ReadAllAsync($"SELECT incoterm, count(*) FROM docs_raw WHERE rowid IN ({matches}) GROUP BY incoterm", match);
        foreach (var facet in new[] { "c", "w", "x" })
        {
            await ReadAllAsync($"SELECT value, count(*) FROM raw_terms WHERE facet = '{facet}' AND doc IN ({matches}) GROUP BY value", match);
        }
    }

    async Task ReadAllAsync(string sql, string? match)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        if (match is not null)
        {
            command.Parameters.AddWithValue("$q", match);
        }
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
        }
    }

    async Task ExecuteAsync(string sql, SqliteTransaction? transaction = null, params (string Name, object Value)[] parameters)
    {
        await using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose() => _connection.Dispose();
}
