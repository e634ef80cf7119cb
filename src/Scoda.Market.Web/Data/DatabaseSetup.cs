using Scoda.Market.Web.Infrastructure.Outbox;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Scoda.Market.Web.Infrastructure.Storage;

namespace Scoda.Market.Web.Data;

public static class DatabaseSetup
{
    public static IHostApplicationBuilder AddMarketDatabase(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddOutbox();
        var connectionString = builder.Configuration.GetConnectionString("Market");

        // Pooled: hub calls create a context per message; reusing contexts saves their set-up on every one. Interceptors
        // are singletons, so one options instance serves every pooled context.
        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = SqliteConnectionString(connectionString, DataFolder.From(builder.Configuration, builder.Environment));
                builder.Services.AddDbContextPool<MarketDbContext>((services, db) => db.UseSqlite(sqlite).AddInterceptors(services.GetServices<IInterceptor>()));
                break;
            case DatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException(
                        "Database:Provider is Postgres but ConnectionStrings:Market is empty. Set ConnectionStrings__Market, e.g. " +
                        "\"Host=localhost;Database=scoda;Username=scoda;Password=...\".");
                }
                builder.Services.AddDbContextPool<MarketDbContext>((services, db) => db.UseNpgsql(connectionString).AddInterceptors(services.GetServices<IInterceptor>()));
                break;
            default:
                throw new InvalidOperationException($"Unknown Database:Provider '{options.Provider}'. Use Sqlite or Postgres.");
        }

        builder.Services.AddSingleton<Migrator>();
        return builder;
    }

    /// <summary>
    /// The embedded database lives in the data folder unless a connection string says otherwise. A busy timeout lets
    /// concurrent writers wait for SQLite's single write lock instead of failing at once.
    /// </summary>
    internal static string SqliteConnectionString(string? configured, DataFolder data)
    {
        var csb = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured)
            ? $"Data Source={Path.Combine(data.Root, "market.db")}"
            : configured);
        if (csb.DefaultTimeout == new SqliteConnectionStringBuilder().DefaultTimeout)
        {
            csb.DefaultTimeout = 30;
        }
        csb.Pooling = true;
        return csb.ToString();
    }
}
