using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Scoda.Market.Web.Features.Inventory;

/// <summary>
/// Told after a listing's stock changed and the change is committed: every reservation, release, shipment, receipt,
/// adjustment and transfer writes a <see cref="StockMovement"/>, the ledger's one change point. Runs in the background
/// in a scope of its own after the commit (moments later, never inside the request that moved the stock); a listener
/// that fails is logged and does not undo the change. Read the new figures through
/// <see cref="StockLedger.TotalOfAsync"/>.
/// </summary>
public interface IStockChangeListener
{
    Task OnStockChangedAsync(IReadOnlyCollection<Guid> listingIds, CancellationToken ct);
}

/// <summary>
/// Collects the listings of stock movements a SaveChanges adds and hands them to the <see cref="StockChangeDispatcher"/>
/// once they are committed: at once without a transaction, else when the transaction commits (a rollback forgets them).
/// Nothing here waits for a listener: the request that moved stock goes on holding only its own connection.
/// </summary>
sealed class StockChangeInterceptor(StockChangeDispatcher dispatcher) : DbTransactionInterceptor, ISaveChangesInterceptor
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

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && db.Database.CurrentTransaction is null)
        {
            Hand(db);
        }
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is { } db && db.Database.CurrentTransaction is null)
        {
            Hand(db);
        }
        return result;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Hand(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Hand(eventData.Context);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Forget(eventData.Context);

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
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

    void Hand(DbContext? db)
    {
        if (db is not null && _pending.TryGetValue(db, out var listings))
        {
            _pending.Remove(db);
            if (listings.Count > 0)
            {
                dispatcher.Post(listings);
            }
        }
    }
}

/// <summary>
/// Tells the <see cref="IStockChangeListener"/>s of committed stock changes in the background, in the order they came,
/// changes that queued up meanwhile told together. Bounded: past 10,000 waiting the oldest are dropped (a listener
/// shows live figures; the next change, or a fresh read, corrects it).
/// </summary>
public sealed partial class StockChangeDispatcher(IServiceScopeFactory scopes, ILogger<StockChangeDispatcher> logger) : BackgroundService
{
    readonly Channel<IReadOnlyCollection<Guid>> _changes = Channel.CreateBounded<IReadOnlyCollection<Guid>>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public void Post(IReadOnlyCollection<Guid> listingIds) => _changes.Writer.TryWrite(listingIds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var first in _changes.Reader.ReadAllAsync(stoppingToken))
        {
            var listings = new HashSet<Guid>(first);
            while (_changes.Reader.TryRead(out var more))
            {
                listings.UnionWith(more);
            }
            await TellAsync(listings, stoppingToken);
        }
    }

    async Task TellAsync(IReadOnlyCollection<Guid> listings, CancellationToken ct)
    {
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
