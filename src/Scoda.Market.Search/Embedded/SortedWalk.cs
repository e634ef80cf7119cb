using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns the price and newest sorts, exact over every match.</summary>
/// <remarks>
/// When matching saw every match they are sorted directly; otherwise the sort index is walked from the cursor
/// (search_after) under every filter.
/// </remarks>
internal static class SortedWalk
{
    public static async Task<ResultRows> WalkAsync(SqliteConnection connection, ListingQuery q, EmbeddedQuery text, ListingSort sort, Matches matches, int limit,
        CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        string source;
        if (matches.LowerBound)
        {
            var (plain, facetFilters, parameters) = QueryFilters.Of(q);
            command.Parameters.AddRange(parameters);
            where.AddRange(QueryFilters.All(plain, facetFilters));
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
        var order = sort switch
        {
            ListingSort.PriceAsc => Price(command, where, "ASC", ">", q.After is { Sort: ListingSort.PriceAsc } a ? a : null),
            ListingSort.PriceDesc => Price(command, where, "DESC", "<", q.After is { Sort: ListingSort.PriceDesc } b ? b : null),
            _ => Newest(command, where, q.After is { Sort: ListingSort.Newest } c ? c : null),
        };
        // Only the keys while walking the sort order; the page's payloads are read afterwards.
        command.CommandText = $"SELECT d.rowid FROM {source} WHERE {Sql.Conjunction(where)} ORDER BY {order} LIMIT $n";
        command.Parameters.AddWithValue("$n", limit + 1);
        var rowids = new List<long>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                rowids.Add(reader.GetInt64(0));
            }
        }
        var payloads = await ResultRows.ReadAsync(connection, rowids, ct);
        return new ResultRows(rowids.Select(r => payloads[r]).ToList());
    }

    /// <summary>A price sort in <paramref name="direction"/>, over priced listings, resuming after <paramref name="after"/>; returns the ORDER BY.</summary>
    static string Price(SqliteCommand command, List<string> where, string direction, string beyond, SearchCursor? after)
    {
        where.Add("d.price_usd IS NOT NULL");
        if (after is not null)
        {
            where.Add($"(d.price_usd, d.id) {beyond} ($cv, $cid)");
            command.Parameters.AddWithValue("$cv", IndexSchema.Scale(after.Value, IndexSchema.PriceScale));
            command.Parameters.AddWithValue("$cid", after.Id.ToString());
        }
        return $"d.price_usd {direction}, d.id {direction}";
    }

    /// <summary>Newest first, resuming after <paramref name="after"/>; returns the ORDER BY.</summary>
    static string Newest(SqliteCommand command, List<string> where, SearchCursor? after)
    {
        if (after is not null)
        {
            where.Add("(d.published, d.id) < ($cv, $cid)");
            command.Parameters.AddWithValue("$cv", (long)after.Value);
            command.Parameters.AddWithValue("$cid", after.Id.ToString());
        }
        return "d.published DESC, d.id DESC";
    }
}
