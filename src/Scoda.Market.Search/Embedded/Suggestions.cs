using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns type-ahead suggestions: the phrases a document contributes, their normalization and the prefix lookup.</summary>
/// <remarks>
/// The writer keeps the <c>suggestions</c> table's document counts.
/// </remarks>
internal static class Suggestions
{
    /// <summary>The suggestions a document contributes: its commodity names and its named place.</summary>
    public static List<(string Norm, string Display)> Of(ListingDocument d) =>
        d.CategoryNames.Append(d.NamedPlace).Where(p => !string.IsNullOrWhiteSpace(p)).Distinct(StringComparer.Ordinal).Select(p => (Normalize(p), p)).ToList();

    public static string Normalize(string text) => string.Join(' ', text.Trim().ToLowerInvariant().Replace('ё', 'е').Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Replace("'", "", StringComparison.Ordinal);

    /// <summary>Suggestions starting with the normalized <paramref name="norm"/>, the most used first.</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(SqliteConnection connection, string norm, int limit, CancellationToken ct)
    {
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
}
