using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Inventory;

/// <summary>
/// Every change to stock: a conditional update of the lot's balance and the ledger row that explains it, in one
/// transaction. "Conditional" means the database checks availability in the same statement that takes the stock
/// (<c>UPDATE … WHERE on_hand − reserved ≥ q</c>), so concurrent buyers can never oversell, on SQLite or PostgreSQL.
/// Other features read and hold stock only through here.
/// </summary>
[FeatureContract]
public sealed partial class StockLedger(MarketDbContext db, TimeProvider clock)
{
    public sealed record Actor(Guid? UserId, string? Note);

    /// <summary>What <see cref="HoldAsync"/> did: the reservation, or why there is none.</summary>
    public sealed record Hold(Guid? ReservationId, bool WarehouseHoldsListing);

    /// <summary>Whether the warehouse belongs to the organization.</summary>
    public Task<bool> IsWarehouseOfAsync(Guid warehouseId, Guid organizationId, CancellationToken ct) =>
        db.Warehouses.AnyAsync(w => w.Id == warehouseId && w.OrganizationId == organizationId, ct);

    /// <summary>
    /// Reserves <paramref name="quantity"/> (in any unit that converts to the unit the warehouse counts the listing in),
    /// joining the caller's transaction. No reservation when the warehouse holds no stock of the listing in such a unit
    /// (<see cref="Hold.WarehouseHoldsListing"/> false) or not enough is available.
    /// </summary>
    public async Task<Hold> HoldAsync(Guid listingId, Guid warehouseId, Quantity quantity, Guid organizationId, DateTimeOffset expiresAt,
        Actor actor, CancellationToken ct)
    {
        var lotUnit = await db.StockLots.Where(l => l.ListingId == listingId && l.WarehouseId == warehouseId).Select(l => l.Unit).FirstOrDefaultAsync(ct);
        if (lotUnit is null || !Units.TryConvert(quantity.Value, quantity.Unit, lotUnit, out var inLotUnit))
        {
            return new Hold(null, WarehouseHoldsListing: false);
        }
        var reservation = await ReserveAsync(listingId, warehouseId, null, inLotUnit, organizationId, expiresAt, actor, ct);
        return new Hold(reservation?.Id, WarehouseHoldsListing: true);
    }

    public async Task<StockMovement> ReceiveAsync(Warehouse warehouse, Guid listingId, string unit, string lotNumber, string? certificate,
        decimal quantity, Actor actor, CancellationToken ct)
    {
        await using var transaction = await BeginAsync(ct);
        var lot = await FindOrCreateLotAsync(warehouse.Id, listingId, unit, lotNumber, certificate, ct);
        await db.StockLots.Where(l => l.Id == lot.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.OnHand, l => l.OnHand + quantity).SetProperty(l => l.UpdatedAt, clock.GetUtcNow()), ct);
        var movement = Record(lot, MovementKind.Receipt, quantity, 0, actor);
        await db.SaveChangesAsync(ct);
        await CommitAsync(transaction, ct);
        return movement;
    }

    /// <summary>Takes stock out of a lot (shipment, negative adjustment, transfer); null when less is available.</summary>
    public async Task<StockMovement?> TakeAsync(StockLot lot, MovementKind kind, decimal quantity, string? reason, Actor actor, CancellationToken ct)
    {
        await using var transaction = await BeginAsync(ct);
        var movement = await TakeInTransactionAsync(lot, kind, quantity, reason, null, actor, ct);
        if (movement is null)
        {
            return null;
        }
        await db.SaveChangesAsync(ct);
        await CommitAsync(transaction, ct);
        return movement;
    }

    public async Task<StockMovement> AddAsync(StockLot lot, decimal quantity, string reason, Actor actor, CancellationToken ct)
    {
        await using var transaction = await BeginAsync(ct);
        await db.StockLots.Where(l => l.Id == lot.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.OnHand, l => l.OnHand + quantity).SetProperty(l => l.UpdatedAt, clock.GetUtcNow()), ct);
        var movement = Record(lot, MovementKind.Adjustment, quantity, 0, actor, reason);
        await db.SaveChangesAsync(ct);
        await CommitAsync(transaction, ct);
        return movement;
    }

    /// <summary>Moves stock between two warehouses of the same organization; the lot keeps its number. Null when short.</summary>
    public async Task<(StockMovement Out, StockMovement In)?> TransferAsync(StockLot from, Warehouse to, decimal quantity, Actor actor, CancellationToken ct)
    {
        await using var transaction = await BeginAsync(ct);
        var taken = await TakeInTransactionAsync(from, MovementKind.TransferOut, quantity, null, to.Id, actor, ct);
        if (taken is null)
        {
            return null;
        }
        var target = await FindOrCreateLotAsync(to.Id, from.ListingId, from.Unit, from.LotNumber, from.QualityCertificate, ct);
        await db.StockLots.Where(l => l.Id == target.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.OnHand, l => l.OnHand + quantity).SetProperty(l => l.UpdatedAt, clock.GetUtcNow()), ct);
        var received = Record(target, MovementKind.TransferIn, quantity, 0, actor);
        received.CounterpartWarehouseId = from.WarehouseId;
        await db.SaveChangesAsync(ct);
        await CommitAsync(transaction, ct);
        return (taken, received);
    }

    /// <summary>
    /// Holds <paramref name="quantity"/> in one lot of the warehouse (the oldest that can cover it). Null when no lot
    /// has that much available. Joins the caller's transaction when there is one (a deal reserves as it is created).
    /// </summary>
    public async Task<Reservation?> ReserveAsync(Guid listingId, Guid warehouseId, string? lotNumber, decimal quantity, Guid organizationId,
        DateTimeOffset expiresAt, Actor actor, CancellationToken ct, (string Key, string RequestHash)? idempotency = null)
    {
        await using var transaction = await BeginAsync(ct);
        var candidates = await db.StockLots.AsNoTracking()
            .Where(l => l.ListingId == listingId && l.WarehouseId == warehouseId && (lotNumber == null || l.LotNumber == lotNumber))
            .Where(l => l.OnHand - l.Reserved >= quantity)
            .OrderBy(l => l.CreatedAt).ThenBy(l => l.Id)
            .ToListAsync(ct);
        foreach (var lot in candidates)
        {
            var now = clock.GetUtcNow();
            var taken = await db.StockLots.Where(l => l.Id == lot.Id && l.OnHand - l.Reserved >= quantity)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Reserved, l => l.Reserved + quantity).SetProperty(l => l.UpdatedAt, now), ct);
            if (taken == 0)
            {
                continue; // another buyer got there first; try the next lot
            }
            var reservation = new Reservation
            {
                Id = Guid.CreateVersion7(now), ListingId = listingId, WarehouseId = warehouseId, LotId = lot.Id, OrganizationId = organizationId,
                Quantity = quantity, Unit = lot.Unit, Status = ReservationStatus.Active, ExpiresAt = expiresAt, CreatedAt = now,
                CreatedBy = actor.UserId ?? Guid.Empty, IdempotencyKey = idempotency?.Key, RequestHash = idempotency?.RequestHash,
            };
            db.Reservations.Add(reservation);
            Record(lot, MovementKind.Reserve, 0, quantity, actor).ReservationId = reservation.Id;
            await db.SaveChangesAsync(ct);
            await CommitAsync(transaction, ct);
            return reservation;
        }
        return null;
    }

    /// <summary>Ends an active reservation and gives its stock back; false when it had already ended (at most once).</summary>
    public async Task<bool> ReleaseAsync(Reservation reservation, ReservationStatus end, Actor actor, CancellationToken ct)
    {
        await using var transaction = await BeginAsync(ct);
        var now = clock.GetUtcNow();
        var ended = await db.Reservations.Where(r => r.Id == reservation.Id && r.Status == ReservationStatus.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, end).SetProperty(r => r.EndedAt, now), ct);
        if (ended == 0)
        {
            return false;
        }
        var quantity = reservation.Quantity;
        await db.StockLots.Where(l => l.Id == reservation.LotId)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Reserved, l => l.Reserved - quantity).SetProperty(l => l.UpdatedAt, now), ct);
        var lot = await db.StockLots.AsNoTracking().SingleAsync(l => l.Id == reservation.LotId, ct);
        Record(lot, MovementKind.Release, 0, -quantity, actor, end == ReservationStatus.Expired ? "expired" : "released").ReservationId = reservation.Id;
        await db.SaveChangesAsync(ct);
        await CommitAsync(transaction, ct);
        return true;
    }

    /// <summary>Where a reservation holds stock: warehouse, lot and quantity, for the deal page.</summary>
    public sealed record HeldStock(Guid ReservationId, Guid WarehouseId, string WarehouseName, string LotNumber, decimal Quantity, string Unit, ReservationStatus Status);

    public async Task<HeldStock?> HeldAsync(Guid reservationId, CancellationToken ct) =>
        await (from r in db.Reservations.AsNoTracking()
               join l in db.StockLots on r.LotId equals l.Id
               join w in db.Warehouses on r.WarehouseId equals w.Id
               where r.Id == reservationId
               select new HeldStock(r.Id, w.Id, w.Name, l.LotNumber, r.Quantity, r.Unit, r.Status)).SingleOrDefaultAsync(ct);

    /// <summary>
    /// Ships what a reservation holds: the reservation ends as <see cref="ReservationStatus.Shipped"/> and a shipment
    /// movement takes the quantity off the lot's on-hand and reserved balances. A reservation that expired meanwhile is
    /// shipped from the same lot if it still has the stock available. False when the stock is not there (nothing changed);
    /// true also when it had already shipped. Joins the caller's transaction.
    /// </summary>
    public async Task<bool> ShipReservationAsync(Guid reservationId, Actor actor, CancellationToken ct)
    {
        await using var transaction = await BeginAsync(ct);
        var reservation = await db.Reservations.AsNoTracking().SingleAsync(r => r.Id == reservationId, ct);
        if (reservation.Status == ReservationStatus.Shipped)
        {
            return true;
        }
        var now = clock.GetUtcNow();
        var quantity = reservation.Quantity;
        var held = await db.Reservations.Where(r => r.Id == reservationId && r.Status == ReservationStatus.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReservationStatus.Shipped).SetProperty(r => r.EndedAt, now), ct) == 1;
        var lot = await db.StockLots.AsNoTracking().SingleAsync(l => l.Id == reservation.LotId, ct);
        if (held)
        {
            await db.StockLots.Where(l => l.Id == lot.Id).ExecuteUpdateAsync(s => s
                .SetProperty(l => l.OnHand, l => l.OnHand - quantity).SetProperty(l => l.Reserved, l => l.Reserved - quantity).SetProperty(l => l.UpdatedAt, now), ct);
            Record(lot, MovementKind.Shipment, -quantity, -quantity, actor, "shipped").ReservationId = reservationId;
        }
        else
        {
            if (await TakeInTransactionAsync(lot, MovementKind.Shipment, quantity, "shipped", null, actor, ct) is not { } taken)
            {
                return false;
            }
            taken.ReservationId = reservationId;
            await db.Reservations.Where(r => r.Id == reservationId)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReservationStatus.Shipped).SetProperty(r => r.EndedAt, now), ct);
        }
        await db.SaveChangesAsync(ct);
        await CommitAsync(transaction, ct);
        return true;
    }

    /// <summary>Releases a reservation by id (a cancelled deal); false when it had already ended.</summary>
    public async Task<bool> ReleaseReservationAsync(Guid reservationId, Actor actor, CancellationToken ct) =>
        await db.Reservations.AsNoTracking().SingleOrDefaultAsync(r => r.Id == reservationId, ct) is { } reservation
        && await ReleaseAsync(reservation, ReservationStatus.Released, actor, ct);

    async Task<StockMovement?> TakeInTransactionAsync(StockLot lot, MovementKind kind, decimal quantity, string? reason, Guid? counterpart, Actor actor, CancellationToken ct)
    {
        var taken = await db.StockLots.Where(l => l.Id == lot.Id && l.OnHand - l.Reserved >= quantity)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.OnHand, l => l.OnHand - quantity).SetProperty(l => l.UpdatedAt, clock.GetUtcNow()), ct);
        if (taken == 0)
        {
            return null;
        }
        var movement = Record(lot, kind, -quantity, 0, actor, reason);
        movement.CounterpartWarehouseId = counterpart;
        return movement;
    }

    async Task<StockLot> FindOrCreateLotAsync(Guid warehouseId, Guid listingId, string unit, string lotNumber, string? certificate, CancellationToken ct)
    {
        var lot = await db.StockLots.AsNoTracking().SingleOrDefaultAsync(l => l.WarehouseId == warehouseId && l.ListingId == listingId && l.LotNumber == lotNumber, ct);
        if (lot is not null)
        {
            return lot;
        }
        var now = clock.GetUtcNow();
        lot = new StockLot
        {
            Id = Guid.CreateVersion7(now), WarehouseId = warehouseId, ListingId = listingId, LotNumber = lotNumber, QualityCertificate = certificate,
            Unit = unit, CreatedAt = now, UpdatedAt = now,
        };
        db.StockLots.Add(lot);
        await db.SaveChangesAsync(ct);
        db.Entry(lot).State = EntityState.Detached; // balances change only through conditional updates
        return lot;
    }

    StockMovement Record(StockLot lot, MovementKind kind, decimal onHandDelta, decimal reservedDelta, Actor actor, string? reason = null)
    {
        var now = clock.GetUtcNow();
        var movement = new StockMovement
        {
            Id = Guid.CreateVersion7(now), WarehouseId = lot.WarehouseId, ListingId = lot.ListingId, LotId = lot.Id, Kind = kind,
            OnHandDelta = onHandDelta, ReservedDelta = reservedDelta, Unit = lot.Unit, Reason = reason, Note = actor.Note,
            ActorUserId = actor.UserId, At = now,
        };
        db.StockMovements.Add(movement);
        return movement;
    }

    /// <summary>Starts a transaction, or joins the caller's (returns null then, and the caller commits).</summary>
    async Task<IDbContextTransaction?> BeginAsync(CancellationToken ct) =>
        db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;

    static async Task CommitAsync(IDbContextTransaction? transaction, CancellationToken ct)
    {
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }
    }
}
