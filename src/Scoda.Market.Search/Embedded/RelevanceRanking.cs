using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns relevance: scoring and ordering a text query's newest candidates, the older ones following unscored.</summary>
/// <remarks>
/// Scores the newest <see cref="Window"/> candidates by the fields their words are found in; a (score, id) cursor resumes.
/// </remarks>
internal static class RelevanceRanking
{
    /// <summary>How many of the newest candidates are scored (commodity offers age quickly: the newest are the ones buyers want ranked).</summary>
    public const int Window = 2_000;

    /// <summary>
    /// What a query word found in a field adds to a listing's relevance score: the title counts most, then the commodity
    /// names, then places, sellers, specs and certificates, then the description.
    /// </summary>
    public static readonly (string Column, int Weight)[] FieldWeights = [("title", 10), ("category", 4), ("other", 2), ("description", 1)];

    /// <summary>
    /// Relevance over the newest <see cref="Window"/> candidates; older candidates follow, by id descending. A listing's
    /// score is, for every word of the query, the weight of the best field it was found in (see <see cref="FieldWeights"/>):
    /// it depends on the listing alone, never on the rest of the index (as BM25's IDF and average length do), so a page
    /// read by cursor resumes exactly where the last one ended even while listings are being indexed. The Elasticsearch
    /// back end scores the same way, with its boolean similarity.
    /// </summary>
    public static async Task<ResultRows> RankAsync(SqliteConnection connection, EmbeddedQuery text, List<long> candidates, SearchCursor? after, int limit, CancellationToken ct)
    {
        var count = candidates.Count;
        if (count == 0)
        {
            return new ResultRows([]);
        }
        // The candidates go into a temporary table of this connection, where the ranking query joins them.
        await using (var fill = connection.CreateCommand())
        {
            fill.CommandText = $"DELETE FROM {IndexSchema.Candidates}; INSERT INTO {IndexSchema.Candidates} SELECT value FROM json_each($ids);";
            fill.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(candidates));
            await fill.ExecuteNonQueryAsync(ct);
        }
        var floor = candidates[Math.Min(Window, count) - 1];
        var best = await FieldsFoundAsync(connection, text, floor, ct);
        var ranked = await CandidatesAsync(connection, ">=", floor, rowid => best.TryGetValue(rowid, out var found) ? found.Sum() : 0, ct);
        IEnumerable<(long RowId, Guid Id, double Score)> ordered = ranked.OrderByDescending(r => r.Score).ThenBy(r => r.Id);
        if (after is { Sort: ListingSort.Relevance })
        {
            var score = (double)after.Value;
            ordered = ordered.Where(r => r.Score < score || (r.Score == score && r.Id.CompareTo(after.Id) > 0));
        }
        var page = ordered.Take(limit + 1).ToList();
        if (page.Count <= limit && count > Window)
        {
            // Past the ranked window: the older candidates, unscored (score 0), by id descending: listing ids are
            // time-ordered (version 7), so the newest come first, and a (0, id) cursor resumes among them.
            var tail = await CandidatesAsync(connection, "<", floor, _ => 0d, ct);
            var afterId = after is { Sort: ListingSort.Relevance, Value: 0 } ? after.Id : (Guid?)null;
            page.AddRange(tail.Where(t => afterId is null || t.Id.CompareTo(afterId.Value) < 0).OrderByDescending(t => t.Id).Take(limit + 1 - page.Count));
        }
        var payloads = await ResultRows.ReadAsync(connection, page.Select(p => p.RowId), ct);
        return new ResultRows(page.Select(p => payloads[p.RowId] with { Score = p.Score }).ToList());
    }

    /// <summary>
    /// Which word was found in which field, for the candidates above the floor: one FTS5 walk per word and field, each
    /// restricted to its column, all in one statement. Per candidate, per word, the weight of the best field.
    /// </summary>
    static async Task<Dictionary<long, int[]>> FieldsFoundAsync(SqliteConnection connection, EmbeddedQuery text, long floor, CancellationToken ct)
    {
        var best = new Dictionary<long, int[]>();
        await using var command = connection.CreateCommand();
        var walks = new List<string>();
        for (var unit = 0; unit < text.Units.Count; unit++)
        {
            foreach (var (column, weight) in FieldWeights)
            {
                walks.Add($"SELECT f.rowid, {unit}, {weight} FROM fts f CROSS JOIN {IndexSchema.Candidates} c ON c.rowid = f.rowid WHERE fts MATCH $m{walks.Count} AND f.rowid >= $floor");
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
        return best;
    }

    /// <summary>The candidates on one side of the floor (<paramref name="comparison"/> is "&gt;=" or "&lt;"), each with its listing id and score.</summary>
    static async Task<List<(long RowId, Guid Id, double Score)>> CandidatesAsync(SqliteConnection connection, string comparison, long floor,
        Func<long, double> score, CancellationToken ct)
    {
        var candidates = new List<(long RowId, Guid Id, double Score)>();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT c.rowid, d.id FROM {IndexSchema.Candidates} c CROSS JOIN docs d ON d.rowid = c.rowid WHERE c.rowid {comparison} $floor";
        command.Parameters.AddWithValue("$floor", floor);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var rowid = reader.GetInt64(0);
            candidates.Add((rowid, Guid.Parse(reader.GetString(1)), score(rowid)));
        }
        return candidates;
    }
}
