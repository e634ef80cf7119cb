using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns the statements of one write transaction: inserting and removing documents and summing suggestion counts.</summary>
/// <remarks>
/// Prepared once per transaction; suggestion counts are written at the end. A bulk load passes the ids it has written
/// (it builds the id index only at the end) to find a replaced document.
/// </remarks>
internal sealed class IndexWriter : IAsyncDisposable
{
    readonly SqliteCommand _find, _findLoaded, _delete, _lastRowId, _insert, _payload, _fts, _suggest;
    readonly Dictionary<(string Norm, string Display), int> _suggestions = [];
    long? _nextRowId;
    readonly Dictionary<Guid, long>? _loaded;

    public IndexWriter(SqliteConnection connection, SqliteTransaction transaction, Dictionary<Guid, long>? loaded)
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

    public async Task InsertAsync(PreparedDocument p, CancellationToken ct)
    {
        var d = p.Document;
        // The next row id as SQLite would choose it (max + 1), so ids keep following insertion order: newest is highest.
        var rowid = _nextRowId ??= (long)(await _lastRowId.ExecuteScalarAsync(ct))! + 1;
        _nextRowId++;
        Set(_insert, rowid, p.Id, d.SellerVerified ? 1 : 0, d.HsCode, d.OriginCountry, d.Incoterm,
            d.PriceUsd is { } price ? IndexSchema.Scale(price, IndexSchema.PriceScale) : DBNull.Value,
            IndexSchema.Scale(d.Available, IndexSchema.QuantityScale), d.PublishedAt.ToUnixTimeMilliseconds(),
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
            old = JsonSerializer.Deserialize<ListingDocument>(reader.GetFieldValue<byte[]>(1), IndexSchema.Json)!;
        }
        Set(_delete, rowid);
        await _delete.ExecuteNonQueryAsync(ct);
        CountSuggestions(Suggestions.Of(old), -1);
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
