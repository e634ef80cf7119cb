using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns matching: the newest matches of a query (at most TrackTotalHits + 1) and its multi-select facet counts.</summary>
/// <remarks>
/// One bounded walk newest first, FTS5 driving when there is text; a query without text counts in bounded SQL scans.
/// </remarks>
internal static class Matching
{
    /// <summary>
    /// The newest matches of a query (text and every filter), at most TrackTotalHits + 1, and the facet counts.
    /// With facets asked for and facet filters set, one walk over the matches of the text and the plain filters
    /// evaluates the facet filters per row: a row failing none is a match, a row failing only facet F's filter still
    /// counts for F (multi-select). Once every facet has its newest TrackTotalHits rows, the matches alone continue
    /// from there with every filter in SQL.
    /// </summary>
    public static async Task<Matches> MatchAsync(SqliteConnection connection, ListingQuery q, EmbeddedQuery text, bool withFacets, CancellationToken ct)
    {
        var (plain, facetFilters, parameters) = QueryFilters.Of(q);
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
            var where = QueryFilters.All(plain, facetFilters);
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
            Sql.Bind(fill, parameters);
            fill.Parameters.AddWithValue("$k", SearchLimits.TrackTotalHits + 1);
            var columns = withFacets ? Matches.Columns : "";
            fill.CommandText = $"""
                DELETE FROM {IndexSchema.Matched};
                INSERT INTO {IndexSchema.Matched} (rowid{columns.Replace("d.", "", StringComparison.Ordinal)})
                SELECT d.rowid{columns} FROM docs d NOT INDEXED WHERE {Sql.Conjunction(QueryFilters.All(plain, facetFilters))}
                ORDER BY d.rowid DESC LIMIT $k;
                SELECT count(*) FROM {IndexSchema.Matched};
                """;
            matches.Count = Convert.ToInt32(await fill.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }
        if (matches.LowerBound)
        {
            await Sql.ExecuteAsync(connection, $"DELETE FROM {IndexSchema.Matched} WHERE rowid = (SELECT min(rowid) FROM {IndexSchema.Matched})", ct);
        }
        if (!withFacets)
        {
            return matches;
        }
        await using var count = connection.CreateCommand();
        Sql.Bind(count, parameters);
        count.Parameters.AddWithValue("$n", SearchLimits.TrackTotalHits);
        var statements = new List<string>();
        for (var f = 0; f < Matches.Layout.Length; f++)
        {
            var column = Matches.Layout[f].Column;
            var own = facetFilters.Find(x => x.Facet == Matches.Layout[f].Facet);
            statements.Add(own is null
                ? $"SELECT {f}, {column}, count(*) FROM {IndexSchema.Matched} GROUP BY {column}"
                : $"SELECT {f}, v, count(*) FROM (SELECT d.{column} AS v FROM docs d NOT INDEXED WHERE " +
                  $"{Sql.Conjunction(QueryFilters.All(plain, facetFilters.Where(x => x != own).ToList()))} ORDER BY d.rowid DESC LIMIT $n) GROUP BY v");
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
        Sql.Bind(command, parameters);
        if (below is { } position)
        {
            where = [.. where, text.Match is null ? "d.rowid < $below" : "f.rowid < $below"];
            command.Parameters.AddWithValue("$below", position);
        }
        var conditions = Sql.Conjunction(where);
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
}
