using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Scoda.Market.IntegrationTests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster made for one run: initdb + pg_ctl on a free loopback port, in a temporary folder removed at the
/// end. Debian keeps the binaries where <c>pg_config --bindir</c> points, not on PATH; initdb refuses root, so as root
/// it runs as the postgres user. Shared by the test fixture and the benchmarks (no test framework in here).
/// </summary>
public sealed class ThrowAwayPostgres : IAsyncDisposable
{
    readonly string _folder;
    readonly string _binDir;
    readonly bool _asPostgresUser;

    ThrowAwayPostgres(string folder, string binDir, bool asPostgresUser, string adminConnectionString)
    {
        _folder = folder;
        _binDir = binDir;
        _asPostgresUser = asPostgresUser;
        AdminConnectionString = adminConnectionString;
    }

    /// <summary>Connection string of the maintenance database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>Where initdb and pg_ctl are, or null when PostgreSQL is not installed.</summary>
    public static string? FindBinDir()
    {
        var candidates = new List<string>();
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is not null)
            {
                candidates.Add(process.StandardOutput.ReadToEnd().Trim());
                process.WaitForExit();
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no pg_config on PATH
        }
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")));
        }
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    /// <summary>
    /// Starts a cluster. <paramref name="durable"/> keeps PostgreSQL's default fsync and synchronous commit (benchmarks
    /// measure what production pays); tests turn both off for speed.
    /// </summary>
    public static async Task<ThrowAwayPostgres> StartAsync(string binDir, bool durable)
    {
        var asPostgresUser = Environment.UserName == "root";
        var folder = Path.Combine(Path.GetTempPath(), $"scoda-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        if (asPostgresUser)
        {
            await RunAsync("chown", ["postgres:postgres", folder], asPostgres: false);
        }
        var data = Path.Combine(folder, "data");
        await RunAsync(Path.Combine(binDir, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"], asPostgresUser);
        var port = FreePort();
        var options = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=1000"
            + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        await RunAsync(Path.Combine(binDir, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(folder, "log"), "-w", "-t", "60", "start"], asPostgresUser);
        return new ThrowAwayPostgres(folder, binDir, asPostgresUser, $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false");
    }

    /// <summary>Creates an empty database on the server of <paramref name="adminConnectionString"/> and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string adminConnectionString, string prefix = "scoda_test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        // A bounded pool whose idle connections close soon: many hosts share one server, and a host's idle
        // connections would otherwise hold server slots for five minutes after it stopped.
        return new NpgsqlConnectionStringBuilder(adminConnectionString)
        {
            Database = name, Pooling = true, MaxPoolSize = 30, ConnectionIdleLifetime = 10,
        }.ToString();
    }

    /// <summary>
    /// Drops the database of <paramref name="connectionString"/>, closing whatever connections still use it, so a
    /// finished host gives its server slots back at once.
    /// </summary>
    public static async Task DropDatabaseAsync(string adminConnectionString, string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using (var pooled = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(_binDir, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"], _asPostgresUser);
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static async Task RunAsync(string file, string[] args, bool asPostgres)
    {
        var info = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. args]) : new ProcessStartInfo(file, args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
