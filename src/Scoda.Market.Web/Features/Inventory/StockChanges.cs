using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Scoda.Market.Web.Features.Inventory;

/// <summary>
/// Told after a listing's stock changed and the change is committed: every reservation, release, shipment, receipt,
/// adjustment and transfer writes a <see cref="StockMovement"/>, the ledger's one change point. Runs in a scope of its
/// own after the commit; a listener that fails is logged and does not undo the change. Read the new figures through
/// <see cref="StockLedger.TotalOfAsync"/>.
/// </summary>
public interface IStockChangeListener
{
    Task OnStockChangedAsync(IReadOnlyCollection<Guid> listingIds, CancellationToken ct);
}

/// <summary>
/// Collects the listings of stock movements a SaveChanges adds and tells the <see cref="IStockChangeListener"/>s once
/// they are committed: at once without a transaction, else when the transaction commits (a rollback forgets them).
/// </summary>
sealed partial class StockChangeInterceptor(IServiceScopeFactory scopes, ILogger<StockChangeInterceptor> logger) : DbTransactionInterceptor, ISaveChangesInterceptor
{
    // Per context (SaveChanges' own transaction commits before SavedChanges; a transaction disposed without commit or
    // rollback leaves its listings to the context's next commit: told once more, a listener finds nothing changed).
    readonly ConditionalWeakTable<DbContext, HashSet<Guid>> _pending = new();

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && db.Database.CurrentTransaction is null)
        {
            await TellAsync(db, cancellationToken);
        }
        return result;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public override async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db)
        {
            await TellAsync(db, cancellationToken);
        }
    }

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    void Collect(DbContext? db)
    {
        if (db is null)
        {
            return;
        }
        var listings = db.ChangeTracker.Entries<StockMovement>().Where(e => e.State == EntityState.Added).Select(e => e.Entity.ListingId).ToList();
        if (listings.Count > 0)
        {
            _pending.GetOrCreateValue(db).UnionWith(listings);
        }
    }

    void Forget(DbContext? db)
    {
        if (db is not null)
        {
            _pending.Remove(db);
        }
    }

    async Task TellAsync(DbContext db, CancellationToken ct)
    {
        if (!_pending.TryGetValue(db, out var listings) || listings.Count == 0)
        {
            return;
        }
        _pending.Remove(db);
        await using var scope = scopes.CreateAsyncScope();
        foreach (var listener in scope.ServiceProvider.GetServices<IStockChangeListener>())
        {
            try
            {
                await listener.OnStockChangedAsync(listings, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogListenerFailed(logger, ex, listener.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A stock change listener ({Listener}) failed; the stock change stands")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string listener);
}
