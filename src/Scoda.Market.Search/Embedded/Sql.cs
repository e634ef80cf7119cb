using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns the small SQL plumbing every part of the embedded index shares: one-off statements and WHERE clauses.</summary>
internal static class Sql
{
    /// <summary>Conditions joined by AND for a WHERE clause; none is "1" (every row), never an empty clause.</summary>
    public static string Conjunction(IEnumerable<string> conditions) => string.Join(" AND ", conditions.DefaultIfEmpty("1"));

    /// <summary>Copies of <paramref name="parameters"/> on <paramref name="command"/>: a parameter belongs to one command.</summary>
    public static void Bind(SqliteCommand command, IEnumerable<SqliteParameter> parameters) =>
        command.Parameters.AddRange(parameters.Select(p => new SqliteParameter(p.ParameterName, p.Value)));

    public static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}
