using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Security;

namespace Scoda.Market.IntegrationTests.Infrastructure;

public enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>The real host over HTTP (TestServer) with its own data folder and database.</summary>
public sealed class MarketApp : WebApplicationFactory<Program>
{
    readonly Dictionary<string, string?> _settings;

    public MarketApp(DatabaseKind kind, string dataPath, string? connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Kind = kind;
        DataPath = dataPath;
        ConnectionString = connectionString;
        _settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = kind.ToString(),
            ["ConnectionStrings:Market"] = connectionString ?? "",
            ["Storage:DataPath"] = dataPath,
            // Tests sign up many users quickly; lockout has its own test with its own settings.
            ["Identity:MaxFailedAccessAttempts"] = "5",
            // Tests sign up, sign in and search far faster than people; the rate-limit tests set their own limits.
            ["Mail:MaxPerAddressPerHour"] = "1000",
        };
        foreach (var group in RateLimitOptions.Groups)
        {
            _settings[$"RateLimits:{group}:PerIp"] = "1000000";
            _settings[$"RateLimits:{group}:PerAccount"] = "1000000";
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public DatabaseKind Kind { get; }
    public string DataPath { get; }

    /// <summary>The PostgreSQL database of this host (null on SQLite), so a second host can share it.</summary>
    public string? ConnectionString { get; }

    /// <summary>Startup filters added by a test, e.g. an endpoint that throws.</summary>
    public List<Action<IServiceCollection>> ServiceOverrides { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services =>
        {
            foreach (var change in ServiceOverrides)
            {
                change(services);
            }
        });
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>
    /// A started connection of the official SignalR client to the hub at <paramref name="path"/>, signed in as
    /// <paramref name="user"/>, over the test server's WebSockets.
    /// </summary>
    public Task<HubClient> ConnectHubAsync(string path, TestUser user) => ConnectHubWithTokenAsync(path, user.AccessToken);

    /// <summary>
    /// As <see cref="ConnectHubAsync(string, TestUser)"/> with any token (null: none), optionally skipping negotiation (so
    /// the WebSocket request is the only one that carries the token) and reconnecting automatically with <paramref name="reconnect"/>.
    /// </summary>
    public async Task<HubClient> ConnectHubWithTokenAsync(string path, string? accessToken, bool skipNegotiation = false, IRetryPolicy? reconnect = null)
    {
        HubClient? client = null;
        var builder = new HubConnectionBuilder().WithUrl(new Uri(Server.BaseAddress, path), options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = skipNegotiation;
            options.AccessTokenProvider = () => Task.FromResult(accessToken);
            // Negotiation goes through the in-memory server; it carries the token as an Authorization header.
            options.HttpMessageHandlerFactory = _ => Server.CreateHandler();
            options.WebSocketFactory = async (context, ct) =>
            {
                var token = context.Options.AccessTokenProvider is { } provider ? await provider() : null;
                var socket = await Server.CreateWebSocketClient().ConnectAsync(WithAccessToken(context.Uri, token), ct);
                return client!.Track(socket);
            };
        });
        if (reconnect is not null)
        {
            builder.WithAutomaticReconnect(reconnect);
        }
        client = new HubClient(builder.Build());
        try
        {
            await client.Connection.StartAsync();
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
        return client;
    }

    /// <summary>A browser cannot set headers on a WebSocket request, so its SignalR client sends the token in the query; so do the tests.</summary>
    static Uri WithAccessToken(Uri uri, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return uri;
        }
        var query = uri.Query.Length > 1 ? uri.Query[1..] + "&" : "";
        return new UriBuilder(uri) { Query = $"{query}access_token={Uri.EscapeDataString(token)}" }.Uri;
    }

    /// <summary>A client whose requests come from the host's own loopback address, as container health probes do.</summary>
    public HttpClient CreateLoopbackClient() =>
        new(Server.CreateHandler(context => context.Connection.RemoteIpAddress = IPAddress.Loopback)) { BaseAddress = Server.BaseAddress };

    public Task WithDbAsync(Func<MarketDbContext, Task> action) =>
        WithScopeAsync(async services =>
        {
            await action(services.GetRequiredService<MarketDbContext>());
            return true;
        });

    /// <summary>Creates an app on <paramref name="kind"/> with a fresh database and data folder; skips when PostgreSQL is absent.</summary>
    public static async Task<MarketApp> CreateAsync(DatabaseKind kind, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "scoda-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        string? connection = null;
        if (kind == DatabaseKind.Postgres)
        {
            var cluster = PostgresCluster.Instance ?? throw new InvalidOperationException("The PostgreSQL assembly fixture did not start.");
            if (cluster.AdminConnectionString is null)
            {
                Assert.Skip(cluster.UnavailableReason ?? "PostgreSQL is unavailable.");
            }
            connection = await cluster.CreateDatabaseAsync();
        }
        return new MarketApp(kind, data, connection, settings) { OwnsDatabase = connection is not null };
    }

    /// <summary>
    /// True for the host that made its PostgreSQL database: it drops the database when disposed. Hosts that share it
    /// (a second replica) are disposed before their owner.
    /// </summary>
    bool OwnsDatabase { get; init; }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (OwnsDatabase)
        {
            await PostgresCluster.Instance!.DropDatabaseAsync(ConnectionString!);
        }
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file on a slow dispose; the temp folder is cleaned by the OS.
        }
    }
}

/// <summary>One host per test class and database, shared by its tests (each test makes its own users and organizations).</summary>
public abstract class AppFixture(DatabaseKind kind) : IAsyncLifetime
{
    MarketApp? _app;
    string? _skip;

    public DatabaseKind Kind { get; } = kind;

    /// <summary>The host; skips the calling test with the reason when its database cannot run here.</summary>
    public MarketApp App
    {
        get
        {
            if (_skip is not null)
            {
                Assert.Skip(_skip);
            }
            return _app!;
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (Kind == DatabaseKind.Postgres && PostgresCluster.Instance?.AdminConnectionString is null)
        {
            _skip = PostgresCluster.Instance?.UnavailableReason ?? "PostgreSQL is unavailable.";
            return;
        }
        _app = await MarketApp.CreateAsync(Kind);
        _ = _app.Server; // start the host now, so migration failures show up as fixture errors
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteApp() : AppFixture(DatabaseKind.Sqlite);

public sealed class PostgresApp() : AppFixture(DatabaseKind.Postgres);
