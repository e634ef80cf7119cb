using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>One listing of a result page as read from the index: its keys, its score and its stored payload.</summary>
internal sealed record ResultRow(long RowId, Guid Id, decimal? PriceUsd, long Published, double Score, byte[] Payload)
{
    /// <summary>The hit a client sees: the stored document, its score and its highlighted title and description.</summary>
    public SearchHit ToHit(EmbeddedQuery text)
    {
        var document = JsonSerializer.Deserialize<ListingDocument>(Payload, IndexSchema.Json)!;
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
        return new SearchHit(document, Score, highlights);
    }

    /// <summary>The cursor that resumes after this row in <paramref name="sort"/> order.</summary>
    public SearchCursor CursorOf(ListingSort sort) => sort switch
    {
        ListingSort.Relevance => new SearchCursor(sort, (decimal)Score, Id),
        ListingSort.PriceAsc or ListingSort.PriceDesc => new SearchCursor(sort, PriceUsd ?? 0, Id),
        _ => new SearchCursor(sort, Published, Id),
    };
}

/// <summary>Owns a result page's rows in page order (one more than the limit when another page follows) and reading their payloads.</summary>
internal sealed record ResultRows(IReadOnlyList<ResultRow> Rows)
{
    /// <summary>The rows of <paramref name="rowids"/> with their payloads, by row id (score 0: the ranking sets it).</summary>
    public static async Task<Dictionary<long, ResultRow>> ReadAsync(SqliteConnection connection, IEnumerable<long> rowids, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT d.rowid, d.id, d.price_usd, d.published, p.payload FROM docs d JOIN payloads p ON p.rowid = d.rowid " +
            "WHERE d.rowid IN (SELECT value FROM json_each($ids))";
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(rowids));
        var rows = new Dictionary<long, ResultRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var row = new ResultRow(reader.GetInt64(0), Guid.Parse(reader.GetString(1)),
                reader.IsDBNull(2) ? null : reader.GetInt64(2) / (decimal)IndexSchema.PriceScale, reader.GetInt64(3), 0, reader.GetFieldValue<byte[]>(4));
            rows[row.RowId] = row;
        }
        return rows;
    }
}
