using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AutoMapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Workers;

namespace Scoda.Market.Web.Features.Inventory;

/// <summary>What every reservation handler needs, resolved from services as one parameter.</summary>
public sealed record InventoryContext(MarketDbContext Db, CurrentUser User, OrganizationAccess Organizations, ListingFacts Listings, TimeProvider Clock, IMapper Mapper)
{
    public DateTimeOffset Now => Clock.GetUtcNow();
}

/// <summary>
/// What one buyer organization may hold of a seller's stock outside a deal (<c>Inventory:Reservations</c>): a share of
/// the listing's stock on hand and a duration. A seller's own holds are not limited by these.
/// </summary>
public sealed class ReservationOptions
{
    public const string Section = "Inventory:Reservations";

    /// <summary>The largest part of the listing's stock on hand that one organization's active reservations may hold.</summary>
    public decimal MaxShare { get; set; } = 0.2m;

    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(72);

    public ReservationOptions Validated() =>
        MaxShare is > 0 and <= 1 && MaxDuration >= ReservationsEndpoints.MinHold && MaxDuration <= ReservationsEndpoints.MaxHold
            ? this
            : throw new InvalidOperationException(
                $"{Section}: MaxShare must be in (0, 1] and MaxDuration between {ReservationsEndpoints.MinHold} and {ReservationsEndpoints.MaxHold}.");
}

/// <summary>Availability of a listing per warehouse, and reservations that hold stock for a buyer.</summary>
public static class ReservationsEndpoints
{
    public static readonly TimeSpan MinHold = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxHold = TimeSpan.FromDays(30);
    public const string IdempotencyHeader = "Idempotency-Key";
    public const int MaxIdempotencyKeyLength = 100;

    public static IEndpointRouteBuilder MapReservationsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/listings/{id:guid}/availability", GetAvailability).WithTags("Inventory").WithName("GetListingAvailability").AllowAnonymous();
        app.MapPost("/api/listings/{id:guid}/reservations", Reserve).WithTags("Inventory").WithName("ReserveStock").RequireAuthorization();
        app.MapGet("/api/listings/{id:guid}/reservations", ListReservations).WithTags("Inventory").WithName("ListListingReservations").RequireAuthorization();
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

    static async Task<Results<Created<ReservationResponse>, Ok<ReservationResponse>, ValidationProblem, ProblemHttpResult>> Reserve(
        Guid id, ReservationRequest request, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey,
        InventoryContext c, StockLedger ledger, ReservationOptions limits, CancellationToken ct)
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
        var buyer = organizationId != listing.OrganizationId;
        if (listing.Status != ListingStatus.Published && buyer)
        {
            return Problems.Conflict("Only a published listing takes reservations from buyers.");
        }
        var errors = new ValidationErrors();
        errors.Check(IsIdempotencyKey(idempotencyKey), IdempotencyHeader,
            $"Required: 1 to {MaxIdempotencyKeyLength} visible ASCII characters, new for every reservation and the same when retrying it.");
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
        // Buyers hold stock only for as long as a decision takes; the seller may hold its own for longer.
        var longest = buyer ? limits.MaxDuration : MaxHold;
        errors.Check(request.ExpiresAt is { } expires && expires >= c.Now + MinHold && expires <= c.Now + longest, "expiresAt",
            $"Between {MinHold.TotalMinutes:0} minutes and {longest.TotalHours:0} hours from now.");
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        var lot = request.Lot?.Trim();
        var expiresAt = request.ExpiresAt!.Value.ToUniversalTime();
        var key = idempotencyKey!;
        var requestHash = RequestHash(id, organizationId, request.WarehouseId!.Value, lot, quantity, expiresAt);
        if (await ReplayAsync(c, organizationId, key, requestHash, ct) is { } replayed)
        {
            return replayed;
        }
        if (buyer)
        {
            if (!await c.Organizations.IsVerifiedAsync(organizationId, ct))
            {
                return Problems.Forbidden("Only a verified organization can hold a seller's stock; ask for verification of your company first.");
            }
            // Over the whole listing, not per warehouse: spreading holds over warehouses does not get round the share.
            // Summed here: SQLite stores decimals scaled and cannot add them up in SQL.
            var onHand = (await c.Db.StockLots.Where(l => l.ListingId == id).Select(l => l.OnHand).ToListAsync(ct)).Sum();
            var held = (await c.Db.Reservations.Where(r => r.ListingId == id && r.OrganizationId == organizationId && r.Status == ReservationStatus.Active)
                .Select(r => r.Quantity).ToListAsync(ct)).Sum();
            var allowed = Math.Round(onHand * limits.MaxShare, Units.QuantityDecimals, MidpointRounding.ToZero);
            if (held + quantity > allowed)
            {
                return ValidationErrors.For("quantity.value", string.Create(CultureInfo.InvariantCulture,
                    $"One organization may hold at most {limits.MaxShare:P0} of this listing's stock ({Decimals.Normalize(allowed)} {listing.QuantityUnit}); yours already holds {Decimals.Normalize(held)} {listing.QuantityUnit}."));
            }
        }
        Reservation? reservation;
        try
        {
            reservation = await ledger.ReserveAsync(id, request.WarehouseId!.Value, lot, quantity, organizationId, expiresAt,
                new StockLedger.Actor(c.User.Id, null), ct, (key, requestHash));
        }
        catch (DbUpdateException)
        {
            // The same key raced itself: the unique index let one through and rolled this one back.
            var raced = await ReplayAsync(c, organizationId, key, requestHash, ct);
            if (raced is null)
            {
                throw;
            }
            return raced;
        }
        return reservation is null
            ? WarehousesEndpoints.ShortOfStock()
            : TypedResults.Created($"/api/reservations/{reservation.Id}", c.Mapper.Map<ReservationResponse>(reservation));
    }

    /// <summary>
    /// A retry under a key this organization used before: the reservation it made (200) when the request is the same, a
    /// conflict when the key was used for something else. Null for a new key.
    /// </summary>
    static async Task<Results<Created<ReservationResponse>, Ok<ReservationResponse>, ValidationProblem, ProblemHttpResult>?> ReplayAsync(
        InventoryContext c, Guid organizationId, string key, string requestHash, CancellationToken ct)
    {
        var earlier = await c.Db.Reservations.AsNoTracking().SingleOrDefaultAsync(r => r.OrganizationId == organizationId && r.IdempotencyKey == key, ct);
        if (earlier is null)
        {
            return null;
        }
        return earlier.RequestHash == requestHash
            ? TypedResults.Ok(c.Mapper.Map<ReservationResponse>(earlier))
            : Problems.Conflict($"This {IdempotencyHeader} was already used for a different reservation; use a new key for a new request.");
    }

    static bool IsIdempotencyKey(string? key) =>
        key is { Length: > 0 and <= MaxIdempotencyKeyLength } && key.All(ch => ch is > ' ' and <= '~');

    static string RequestHash(Guid listingId, Guid organizationId, Guid warehouseId, string? lot, decimal quantity, DateTimeOffset expiresAt) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{listingId:N}|{organizationId:N}|{warehouseId:N}|{lot}|{Decimals.Normalize(quantity)}|{expiresAt.UtcTicks}"))));

    /// <summary>The seller's view: every reservation on the listing's stock, newest first (only the seller's members see them).</summary>
    static async Task<Results<Ok<Page<ReservationResponse>>, ValidationProblem, ProblemHttpResult>> ListReservations(
        Guid id, string? status, string? cursor, int? limit, InventoryContext c, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        ReservationStatus? wanted = null;
        if (status is not null)
        {
            errors.Check(Enum.TryParse<ReservationStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !char.IsDigit(status[0]), "status",
                "One of active, released, expired.");
            wanted = parsed;
        }
        if (!PageRequest.TryParse(cursor, limit, errors, out var page) || !errors.IsValid)
        {
            return errors.ToProblem();
        }
        var seller = await c.Db.Listings.Where(l => l.Id == id).Select(l => (Guid?)l.OrganizationId).SingleOrDefaultAsync(ct);
        if (seller is null
            || await c.Organizations.CheckAsync(seller.Value, OrganizationAction.Read, hideFromOutsiders: true, ct) != Access.Allowed)
        {
            return Problems.NotFound("Listing");
        }
        var query = c.Db.Reservations.AsNoTracking().Where(r => r.ListingId == id);
        if (wanted is { } only)
        {
            query = query.Where(r => r.Status == only);
        }
        var rows = await query.PageNewestFirst(page, r => r.CreatedAt, r => r.Id).ToListAsync(ct);
        var items = rows.Select(r => c.Mapper.Map<ReservationResponse>(r)).ToList();
        return TypedResults.Ok(page.ToPage(items, r => new Cursor(r.CreatedAt, r.Id)));
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
