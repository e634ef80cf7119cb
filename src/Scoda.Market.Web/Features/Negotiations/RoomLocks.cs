using Scoda.Market.Web.Data;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>
/// Serializes the writers of one room inside this host, so a room's events are committed and handed to the bus in
/// sequence order. Striped: a fixed set of locks shared by hash, so memory does not grow with the number of rooms.
/// On SQLite, which has a single writer anyway, every room shares one lock: waiting here costs nothing, while two
/// writers meeting inside SQLite make the loser sleep in the driver's busy retry (150 ms steps).
/// </summary>
public sealed class RoomLocks(DatabaseOptions database)
{
    readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, database.Provider == DatabaseProvider.Sqlite ? 1 : 256).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<IDisposable> EnterAsync(Guid roomId, CancellationToken ct)
    {
        var stripe = _stripes[(roomId.GetHashCode() & int.MaxValue) % _stripes.Length];
        await stripe.WaitAsync(ct);
        return new Release(stripe);
    }

    sealed class Release(SemaphoreSlim stripe) : IDisposable
    {
        public void Dispose() => stripe.Release();
    }
}
