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
        var stripe = _stripes[StripeOf(roomId)];
        await stripe.WaitAsync(ct);
        return new Release([stripe]);
    }

    /// <summary>
    /// The locks of several rooms at once (a group commit), taken in stripe order: every writer holding more than one
    /// takes them in the same order, and single-room writers hold only one, so no two writers wait on each other in a circle.
    /// </summary>
    public async Task<IDisposable> EnterAllAsync(IEnumerable<Guid> roomIds, CancellationToken ct)
    {
        var taken = new List<SemaphoreSlim>();
        try
        {
            foreach (var stripe in roomIds.Select(StripeOf).Distinct().Order())
            {
                await _stripes[stripe].WaitAsync(ct);
                taken.Add(_stripes[stripe]);
            }
            return new Release(taken);
        }
        catch
        {
            new Release(taken).Dispose();
            throw;
        }
    }

    int StripeOf(Guid roomId) => (roomId.GetHashCode() & int.MaxValue) % _stripes.Length;

    sealed class Release(IReadOnlyList<SemaphoreSlim> stripes) : IDisposable
    {
        public void Dispose()
        {
            for (var i = stripes.Count - 1; i >= 0; i--)
            {
                stripes[i].Release();
            }
        }
    }
}
