using AutoMapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Workers;

namespace Scoda.Market.Web.Features.Inventory;

/// <summary>What every reservation handler needs, resolved from services as one parameter.</summary>
public sealed record InventoryContext(MarketDbContext Db, CurrentUser User, OrganizationAccess Organizations, ListingFacts Listings, TimeProvider Clock, IMapper Mapper)
{
    public DateTimeOffset Now => Clock.GetUtcNow();
}

/// <summary>Availability of a listing per warehouse, and reservations that hold stock for a buyer.</summary>
public static class ReservationsEndpoints
{
    public static readonly TimeSpan MinHold = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxHold = TimeSpan.FromDays(30);

    public static IEndpointRouteBuilder MapReservationsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/listings/{id:guid}/availability", GetAvailability).WithTags("Inventory").WithName("GetListingAvailability").AllowAnonymous();
        app.MapPost("/api/listings/{id:guid}/reservations", Reserve).WithTags("Inventory").WithName("ReserveStock").RequireAuthorization();
        app.MapGet("/api/reservations/{id:guid}", GetReservation).WithTags("Inventory").WithName("GetReservation").RequireAuthorization();
        app.MapDelete("/api/reservations/{id:guid}", Release).WithTags("Inventory").WithName("ReleaseReservation").RequireAuthorization();
        return app;
    }

    static async Task<Results<Ok<IReadOnlyList<AvailabilityResponse>>, ProblemHttpResult>> GetAvailability(Guid id, InventoryContext c, CancellationToken ct)
    {
        if (!await c.Listings.IsReadableAsync(id, ct))
        {
            return Problems.NotFound("Listing");
        }
        var lots = await c.Db.StockLots.AsNoTracking().Include(l => l.Warehouse).Where(l => l.ListingId == id).ToListAsync(ct);
        IReadOnlyList<AvailabilityResponse> availability = lots
            .GroupBy(l => l.WarehouseId)
            .Select(g => new AvailabilityResponse(
                c.Mapper.Map<WarehouseRef>(g.First().Warehouse), g.Sum(l => l.OnHand), g.Sum(l => l.Reserved), g.Sum(l => l.OnHand - l.Reserved), g.First().Unit))
            .OrderBy(a => a.Warehouse.Name, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok(availability);
    }

    static async Task<Results<Created<ReservationResponse>, ValidationProblem, ProblemHttpResult>> Reserve(
        Guid id, ReservationRequest request, InventoryContext c, StockLedger ledger, CancellationToken ct)
    {
        var listing = await c.Db.Listings.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, ct);
        if (listing is null || !await c.Listings.CanReadAsync(listing.Status, listing.OrganizationId, ct))
        {
            return Problems.NotFound("Listing");
        }
        if (request.OrganizationId is not { } organizationId)
        {
            return ValidationErrors.For("organizationId", "Required: the organization the stock is held for.");
        }
        // The reserving organization must be the caller's own: a forged organizationId is refused before anything else.
        var access = await c.Organizations.CheckAsync(organizationId, OrganizationAction.Trade, hideFromOutsiders: false, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "You can reserve only for an organization where you are an owner or trader.");
        }
        if (listing.Status != ListingStatus.Published && organizationId != listing.OrganizationId)
        {
            return Problems.Conflict("Only a published listing takes reservations from buyers.");
        }
        var errors = new ValidationErrors();
        var warehouseOk = request.WarehouseId is { } warehouseId
            && await c.Db.StockLots.AnyAsync(l => l.ListingId == id && l.WarehouseId == warehouseId, ct);
        errors.Check(warehouseOk, "warehouseId", "A warehouse that holds stock of this listing; see its availability.");
        errors.Check(request.Lot is null || request.Lot.Length <= 64, "lot", "At most 64 characters.");
        decimal quantity = 0;
        if (request.Quantity?.Value is not { } value || value <= 0 || !Decimals.Fits(value, Units.QuantityDecimals))
        {
            errors.Add("quantity.value", "A positive quantity with at most 3 decimals.");
        }
        else if (!Units.TryConvert(value, request.Quantity.Unit ?? "", listing.QuantityUnit, out quantity))
        {
            errors.Add("quantity.unit", $"This listing counts stock in {listing.QuantityUnit}; use a unit that converts to it.");
        }
        errors.Check(request.ExpiresAt is { } expires && expires >= c.Now + MinHold && expires <= c.Now + MaxHold, "expiresAt",
            $"Between {MinHold.TotalMinutes:0} minutes and {MaxHold.TotalDays:0} days from now.");
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        var reservation = await ledger.ReserveAsync(id, request.WarehouseId!.Value, request.Lot?.Trim(), quantity, organizationId,
            request.ExpiresAt!.Value.ToUniversalTime(), new StockLedger.Actor(c.User.Id, null), ct);
        return reservation is null
            ? WarehousesEndpoints.ShortOfStock()
            : TypedResults.Created($"/api/reservations/{reservation.Id}", c.Mapper.Map<ReservationResponse>(reservation));
    }

    static async Task<Results<Ok<ReservationResponse>, ProblemHttpResult>> GetReservation(Guid id, InventoryContext c, CancellationToken ct)
    {
        var (reservation, denied) = await FindAsync(id, OrganizationAction.Read, c, ct);
        return denied ?? (Results<Ok<ReservationResponse>, ProblemHttpResult>)TypedResults.Ok(c.Mapper.Map<ReservationResponse>(reservation));
    }

    static async Task<Results<Ok<ReservationResponse>, ProblemHttpResult>> Release(Guid id, InventoryContext c, StockLedger ledger, CancellationToken ct)
    {
        var (reservation, denied) = await FindAsync(id, OrganizationAction.Trade, c, ct);
        if (denied is not null)
        {
            return denied;
        }
        if (!await ledger.ReleaseAsync(reservation!, ReservationStatus.Released, new StockLedger.Actor(c.User.Id, null), ct))
        {
            return Problems.Conflict("The reservation has already ended.");
        }
        var ended = await c.Db.Reservations.AsNoTracking().SingleAsync(r => r.Id == id, ct);
        return TypedResults.Ok(c.Mapper.Map<ReservationResponse>(ended));
    }

    /// <summary>A reservation concerns the buyer that holds it and the seller whose stock it holds; nobody else sees it.</summary>
    static async Task<(Reservation? Reservation, ProblemHttpResult? Denied)> FindAsync(Guid id, OrganizationAction action, InventoryContext c, CancellationToken ct)
    {
        var reservation = await c.Db.Reservations.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (reservation is null)
        {
            return (null, Problems.NotFound("Reservation"));
        }
        var seller = await c.Db.Listings.Where(l => l.Id == reservation.ListingId).Select(l => l.OrganizationId).SingleAsync(ct);
        var buyerAccess = await c.Organizations.CheckAsync(reservation.OrganizationId, action, hideFromOutsiders: true, ct);
        var sellerAccess = await c.Organizations.CheckAsync(seller, action, hideFromOutsiders: true, ct);
        if (buyerAccess == Access.Allowed || sellerAccess == Access.Allowed)
        {
            return (reservation, null);
        }
        return buyerAccess == Access.Forbidden || sellerAccess == Access.Forbidden
            ? (null, Problems.Forbidden("Only an owner or trader of the buyer or the seller can release it."))
            : (null, Problems.NotFound("Reservation"));
    }
}

/// <summary>Releases reservations whose time is up, giving the stock back to the market.</summary>
public sealed class ReservationExpiryWorker(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ReservationExpiryWorker> logger)
    : PeriodicWorker(clock, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(30);

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.MarketDbContext>();
        var ledger = scope.ServiceProvider.GetRequiredService<StockLedger>();
        var now = Clock.GetUtcNow();
        var due = await db.Reservations.AsNoTracking().Where(r => r.Status == ReservationStatus.Active && r.ExpiresAt <= now)
            .OrderBy(r => r.ExpiresAt).Take(500).ToListAsync(ct);
        var expired = 0;
        foreach (var reservation in due)
        {
            if (await ledger.ReleaseAsync(reservation, ReservationStatus.Expired, new StockLedger.Actor(null, null), ct))
            {
                expired++;
            }
        }
        return expired;
    }
}
