using System.Data.Common;
using FluentAssertions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Data;

namespace Scoda.Market.IntegrationTests.Operations;

public abstract class MigrationTests(DatabaseKind kind) : IAsyncLifetime
{
    MarketApp _app = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _app = await MarketApp.CreateAsync(kind);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task The_migrated_schema_equals_the_schema_of_the_EF_model()
    {
        _ = _app.Server; // migrates on start
        var migrated = await _app.WithScopeAsync(s => SchemaAsync(s.GetRequiredService<MarketDbContext>().Database.GetDbConnection()));

        using var model = SchemaScriptCommand.CreateModelOnly(kind == DatabaseKind.Sqlite ? DatabaseProvider.Sqlite : DatabaseProvider.Postgres);
        var script = model.Database.GenerateCreateScript();
        await using var fresh = await FreshDatabaseAsync();
        await ExecuteAsync(fresh, script);
        var expected = await SchemaAsync(fresh);

        migrated.Should().Equal(expected);
        migrated.Should().Contain(line => line.StartsWith("table Organizations", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_changed_applied_script_stops_start_up_with_a_clear_message()
    {
        _ = _app.Server;
        await _app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync($"UPDATE {Migrator.HistoryTable} SET checksum = 'edited' WHERE version = 1", Ct));

        var migrate = () => _app.Services.GetRequiredService<Migrator>().MigrateAsync(Ct);

        (await migrate.Should().ThrowAsync<MigrationException>()).Which.Message
            .Should().Contain("V1").And.Contain("was changed after it was applied").And.Contain("new one");
    }

    [Fact]
    public async Task Migrating_again_applies_nothing()
    {
        _ = _app.Server;
        (await _app.Services.GetRequiredService<Migrator>().MigrateAsync(Ct)).Should().BeEmpty();
    }

    async Task<DbConnection> FreshDatabaseAsync()
    {
        DbConnection connection = kind == DatabaseKind.Sqlite
            ? new SqliteConnection($"Data Source={Path.Combine(_app.DataPath, "model.db")}")
            : new NpgsqlConnection(await PostgresCluster.Instance!.CreateDatabaseAsync());
        await connection.OpenAsync(Ct);
        return connection;
    }

    static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>Tables, columns, keys, indexes and foreign keys as sorted lines, without the migrator's own table.</summary>
    async Task<List<string>> SchemaAsync(DbConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync(Ct);
        }
        var queries = kind == DatabaseKind.Sqlite
            ? new[]
            {
                """
                SELECT 'table ' || m.name || ' column ' || c.name || ' ' || c.type || ' notnull=' || c."notnull" || ' pk=' || c.pk || ' default=' || IFNULL(c.dflt_value, '')
                FROM sqlite_master m JOIN pragma_table_info(m.name) c
                WHERE m.type = 'table' AND m.name NOT IN ('schema_history', 'sqlite_sequence')
                """,
                """
                SELECT 'index ' || m.name || ' ' || i.name || ' unique=' || i."unique" || ' origin=' || i.origin || ' cols=' || (SELECT group_concat(name, ',') FROM pragma_index_info(i.name))
                FROM sqlite_master m JOIN pragma_index_list(m.name) i
                WHERE m.type = 'table' AND m.name NOT IN ('schema_history', 'sqlite_sequence')
                """,
                """
                SELECT 'fk ' || m.name || ' ' || f."from" || ' -> ' || f."table" || '.' || f."to" || ' delete=' || f.on_delete
                FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
                WHERE m.type = 'table'
                """,
            }
            : new[]
            {
                """
                SELECT 'table ' || table_name || ' column ' || column_name || ' ' || data_type || ' len=' || COALESCE(character_maximum_length::text, '')
                    || ' nullable=' || is_nullable || ' identity=' || is_identity || ' default=' || COALESCE(column_default, '')
                FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_history'
                """,
                """
                SELECT 'index ' || tablename || ' ' || indexname || ' ' || indexdef
                FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'schema_history'
                """,
                """
                SELECT 'constraint ' || cl.relname || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
                FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE n.nspname = 'public' AND cl.relname <> 'schema_history'
                """,
            };
        var lines = new List<string>();
        foreach (var query in queries)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = query;
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                lines.Add(reader.GetString(0));
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}

public sealed class MigrationTests_Sqlite() : MigrationTests(DatabaseKind.Sqlite);

public sealed class MigrationTests_Postgres() : MigrationTests(DatabaseKind.Postgres);
