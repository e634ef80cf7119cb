[assembly: AssemblyFixture(typeof(Scoda.Market.IntegrationTests.Infrastructure.PostgresCluster))]

namespace Scoda.Market.IntegrationTests.Infrastructure;

/// <summary>
/// The PostgreSQL server of the test run: a <see cref="ThrowAwayPostgres"/> cluster (fsync off), or the server named by
/// SCODA_TEST_POSTGRES. Every test host gets its own database in it. When neither exists, PostgreSQL tests skip and say why.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    public static PostgresCluster? Instance { get; private set; }

    ThrowAwayPostgres? _cluster;

    public PostgresCluster() => Instance = this;

    /// <summary>Connection string of the server's maintenance database; null when unavailable.</summary>
    public string? AdminConnectionString { get; private set; }

    public string? UnavailableReason { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("SCODA_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external))
        {
            AdminConnectionString = external;
            return;
        }
        if (ThrowAwayPostgres.FindBinDir() is not { } binDir)
        {
            UnavailableReason = "PostgreSQL tests skipped: no initdb/pg_ctl found (install Debian's 'postgresql' package, or set SCODA_TEST_POSTGRES to a server's connection string).";
            TestContext.Current.SendDiagnosticMessage(UnavailableReason);
            return;
        }
        _cluster = await ThrowAwayPostgres.StartAsync(binDir, durable: false);
        AdminConnectionString = _cluster.AdminConnectionString;
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync() => ThrowAwayPostgres.CreateDatabaseAsync(AdminConnectionString!);

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/> and closes its connections.</summary>
    public Task DropDatabaseAsync(string connectionString) => ThrowAwayPostgres.DropDatabaseAsync(AdminConnectionString!, connectionString);

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
