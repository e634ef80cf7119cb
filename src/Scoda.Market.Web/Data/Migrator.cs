using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace Scoda.Market.Web.Data;

/// <summary>One versioned SQL script, embedded from <c>Data/Migrations/{Provider}/V0001__name.sql</c>.</summary>
public sealed record MigrationScript(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the script with line endings normalized, so a checkout's autocrlf does not look like an edit.</summary>
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

/// <summary>Raised when the database and the shipped scripts disagree; start-up stops with its message.</summary>
public sealed class MigrationException(string message) : Exception(message);

/// <summary>
/// Applies the provider's versioned SQL scripts in order, each in its own transaction together with its row in
/// <c>schema_history</c>. A script that was applied and has since changed stops everything: the database would no
/// longer match what the code expects, and the fix is a new script, never an edit.
/// </summary>
public sealed partial class Migrator(IServiceScopeFactory scopes, ILogger<Migrator> logger)
{
    public const string HistoryTable = "schema_history";

    // Any constant works; it only has to be the same for every replica of the host.
    const long PostgresLockKey = 0x5C0DA_3A7;

    public static IReadOnlyList<MigrationScript> ScriptsFor(DatabaseProvider provider)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"{assembly.GetName().Name}.Data.Migrations.{provider}.";
        var scripts = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var match = ScriptName().Match(resource[prefix.Length..]);
            if (!match.Success)
            {
                throw new MigrationException($"Migration resource '{resource}' is not named V<number>__<name>.sql.");
            }
            scripts.Add(new MigrationScript(
                int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                ReadResource(assembly, resource)));
        }
        var duplicate = scripts.GroupBy(s => s.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new MigrationException($"Two {provider} migrations have version {duplicate.Key}.");
        }
        return scripts.OrderBy(s => s.Version).ToList();
    }

    /// <summary>Applies what is pending; returns the versions applied now.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
        var provider = ProviderOf(db);
        var scripts = ScriptsFor(provider);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (provider == DatabaseProvider.Sqlite)
            {
                // WAL lets readers continue while one writer commits; it is a property of the file and persists.
                await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", ct);
            }
            else
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({PostgresLockKey});", ct);
            }

            await ExecuteAsync(connection, null, $"""
                CREATE TABLE IF NOT EXISTS {HistoryTable} (
                    version INTEGER NOT NULL PRIMARY KEY,
                    name VARCHAR(200) NOT NULL,
                    checksum VARCHAR(64) NOT NULL,
                    applied_at VARCHAR(40) NOT NULL
                );
                """, ct);

            var applied = await ReadHistoryAsync(connection, ct);
            Verify(provider, scripts, applied);

            var now = new List<int>();
            foreach (var script in scripts.Where(s => !applied.ContainsKey(s.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await ExecuteAsync(connection, transaction, script.Sql, ct);
                await using (var insert = connection.CreateCommand())
                {
                    insert.Transaction = transaction;
                    insert.CommandText = $"INSERT INTO {HistoryTable} (version, name, checksum, applied_at) VALUES (@v, @n, @c, @a)";
                    AddParameter(insert, "@v", script.Version);
                    AddParameter(insert, "@n", script.Name);
                    AddParameter(insert, "@c", script.Checksum);
                    AddParameter(insert, "@a", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                    await insert.ExecuteNonQueryAsync(ct);
                }
                await transaction.CommitAsync(ct);
                LogApplied(logger, provider, script.Version, script.Name);
                now.Add(script.Version);
            }
            foreach (var data in scope.ServiceProvider.GetServices<IReferenceData>())
            {
                await data.ApplyAsync(db, scope.ServiceProvider.GetRequiredService<TimeProvider>(), ct);
            }
            return now;
        }
        finally
        {
            if (provider == DatabaseProvider.Postgres)
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({PostgresLockKey});", CancellationToken.None);
            }
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Scripts shipped but not yet applied (used by the readiness check).</summary>
    public static async Task<int> CountPendingAsync(MarketDbContext db, CancellationToken ct)
    {
        var scripts = ScriptsFor(ProviderOf(db));
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var applied = await ReadHistoryAsync(connection, ct);
            return scripts.Count(s => !applied.ContainsKey(s.Version));
        }
        catch (DbException)
        {
            return scripts.Count;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public static DatabaseProvider ProviderOf(MarketDbContext db) =>
        db.Database.IsNpgsql() ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;

    static void Verify(DatabaseProvider provider, IReadOnlyList<MigrationScript> scripts, Dictionary<int, string> applied)
    {
        foreach (var (version, checksum) in applied)
        {
            var script = scripts.FirstOrDefault(s => s.Version == version)
                ?? throw new MigrationException(
                    $"The database has {provider} migration V{version} applied, but this build does not ship it. " +
                    "It was made by a newer build, or the script was deleted; run the build that created it.");
            if (!string.Equals(script.Checksum, checksum, StringComparison.OrdinalIgnoreCase))
            {
                throw new MigrationException(
                    $"{provider} migration V{version} '{script.Name}' was changed after it was applied " +
                    $"(applied checksum {checksum}, shipped {script.Checksum}). Restore the original script and put the change in a new one.");
            }
        }
    }

    static async Task<Dictionary<int, string>> ReadHistoryAsync(DbConnection connection, CancellationToken ct)
    {
        var applied = new Dictionary<int, string>();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT version, checksum FROM {HistoryTable}";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            applied[Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture)] = reader.GetString(1);
        }
        return applied;
    }

    static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Provider} migration V{Version} {Name}")]
    private static partial void LogApplied(ILogger logger, DatabaseProvider provider, int version, string name);

    [GeneratedRegex(@"^V(?<version>\d+)__(?<name>[A-Za-z0-9_]+)\.sql$")]
    private static partial Regex ScriptName();
}
