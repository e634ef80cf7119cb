using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scoda.Market.Web.Data;

namespace Scoda.Market.Web.Infrastructure.Health;

/// <summary>Ready when the database answers and every shipped migration is applied.</summary>
sealed class DatabaseHealthCheck(MarketDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var provider = Migrator.ProviderOf(db).ToString();
        if (!await db.Database.CanConnectAsync(cancellationToken))
        {
            return HealthCheckResult.Unhealthy($"{provider} database is unreachable.");
        }
        var pending = await Migrator.CountPendingAsync(db, cancellationToken);
        var data = new Dictionary<string, object> { ["provider"] = provider, ["pendingMigrations"] = pending };
        return pending == 0
            ? HealthCheckResult.Healthy($"{provider} database is up to date.", data)
            : HealthCheckResult.Unhealthy($"{provider} database has {pending} pending migration(s).", data: data);
    }
}
