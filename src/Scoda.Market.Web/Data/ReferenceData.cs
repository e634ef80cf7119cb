namespace Scoda.Market.Web.Data;

/// <summary>
/// Reference data shipped with the build (taxonomy, seed FX rates), applied by the migrator right after the schema
/// scripts. Each implementation must be idempotent: it runs at every start and changes nothing when up to date.
/// </summary>
public interface IReferenceData
{
    string Name { get; }

    Task ApplyAsync(MarketDbContext db, TimeProvider clock, CancellationToken ct);
}

public static class ReferenceDataRegistration
{
    public static IServiceCollection AddReferenceData<T>(this IServiceCollection services) where T : class, IReferenceData =>
        services.AddSingleton<IReferenceData, T>();
}
