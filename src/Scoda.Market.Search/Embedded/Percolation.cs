using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns stored buy-request queries and percolation (which stored queries a new listing matches).</summary>
/// <remarks>
/// The queries are kept in the index file and carried over to a rebuilt one; each is evaluated with the same query
/// engine as search, against a private in-memory index holding the one document.
/// </remarks>
internal static class Percolation
{
    /// <summary>
    /// Names of in-memory scratch databases, reused: the SQLite driver keeps state for every distinct connection string
    /// it has seen, so a new name per percolation grew the process by a few kilobytes each time.
    /// </summary>
    static readonly ConcurrentBag<string> ScratchNames = [];

    public static async Task StoreAsync(SqliteConnection connection, StoredQuery query, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO stored_queries (id, query) VALUES ($id, $q) ON CONFLICT(id) DO UPDATE SET query = excluded.query";
        command.Parameters.AddWithValue("$id", query.Id.ToString());
        command.Parameters.AddWithValue("$q", JsonSerializer.Serialize(query.Query with { After = null }, IndexSchema.Json));
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task DeleteAsync(SqliteConnection connection, Guid id, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM stored_queries WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.ToString());
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<List<(Guid Id, ListingQuery Query)>> StoredAsync(SqliteConnection connection, CancellationToken ct)
    {
        var stored = new List<(Guid Id, ListingQuery Query)>();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, query FROM stored_queries";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            stored.Add((Guid.Parse(reader.GetString(0)), JsonSerializer.Deserialize<ListingQuery>(reader.GetString(1), IndexSchema.Json)!));
        }
        return stored;
    }

    /// <summary>Stored buy-request queries belong to the marketplace, not to one index generation: a rebuilt file takes those of the live one.</summary>
    public static async Task CarryOverAsync(string rebuilt, string live, CancellationToken ct)
    {
        await using var connection = await IndexFiles.OpenAsync(rebuilt, pooling: true, ct);
        await Sql.ExecuteAsync(connection, $"ATTACH DATABASE '{live.Replace("'", "''", StringComparison.Ordinal)}' AS old; " +
            "INSERT OR REPLACE INTO stored_queries SELECT id, query FROM old.stored_queries; DETACH DATABASE old;", ct);
    }

    /// <summary>
    /// The stored queries that match <paramref name="document"/>: the document goes into a private in-memory index and
    /// each stored query runs there.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> MatchingAsync(ListingDocument document, List<(Guid Id, ListingQuery Query)> stored, Synonyms synonyms,
        CancellationToken ct)
    {
        var scratchName = ScratchNames.TryTake(out var free) ? free : $"file:percolate-{Guid.NewGuid():N}?mode=memory&cache=shared";
        try
        {
            return await InScratchAsync(scratchName, document, stored, synonyms, ct);
        }
        finally
        {
            // Every connection to it is closed, so that database is gone: the name serves the next percolation.
            ScratchNames.Add(scratchName);
        }
    }

    static async Task<IReadOnlyList<Guid>> InScratchAsync(string scratchName, ListingDocument document, List<(Guid Id, ListingQuery Query)> stored,
        Synonyms synonyms, CancellationToken ct)
    {
        // Holds the shared in-memory database open while the scratch index opens and closes its own connections.
        await using var keepAlive = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = scratchName, Pooling = false }.ToString());
        await keepAlive.OpenAsync(ct);
        await using var scratch = EmbeddedListingIndex.BulkLoading(scratchName, synonyms);
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
}
