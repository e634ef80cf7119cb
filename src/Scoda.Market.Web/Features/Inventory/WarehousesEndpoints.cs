using AutoMapper;
using AutoMapper.QueryableExtensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Outbox;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Inventory;

public static class WarehousesEndpoints
{
    public static IHostApplicationBuilder AddInventory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<StockLedger>();
        builder.Services.AddScoped<StockSummaries>();
        builder.Services.AddScoped<InventoryContext>();
        // Every stock movement changes a listing's availability and warehouse countries in search.
        builder.Services.AddOutboxRule<StockMovement>((movement, entry) =>
            entry.State == EntityState.Added ? new OutboxChange(OutboxTopics.Listing, movement.ListingId) : null);
        // Features that show live stock (a live session's pinned card) hear of every committed movement.
        builder.Services.AddSingleton<StockChangeDispatcher>();
        builder.Services.AddHostedService(s => s.GetRequiredService<StockChangeDispatcher>());
        builder.Services.AddSingleton<IInterceptor, StockChangeInterceptor>();
        builder.Services.AddSingleton((builder.Configuration.GetSection(ReservationOptions.Section).Get<ReservationOptions>() ?? new ReservationOptions()).Validated());
        builder.Services.AddSingleton<ReservationExpiryWorker>();
        builder.Services.AddHostedService(s => s.GetRequiredService<ReservationExpiryWorker>());
        return builder;
    }

    public static IEndpointRouteBuilder MapInventoryEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/warehouses").WithTags("Inventory").RequireAuthorization();
        api.MapPost("/", CreateWarehouse).WithName("CreateWarehouse");
        api.MapGet("/", ListWarehouses).WithName("ListWarehouses");
        api.MapGet("/{id:guid}", GetWarehouse).WithName("GetWarehouse");
        api.MapPost("/{id:guid}/movements", RecordMovement).WithName("RecordStockMovement");
        api.MapGet("/{id:guid}/movements", ListMovements).WithName("ListStockMovements");
        api.MapGet("/{id:guid}/stock", GetStock).WithName("GetWarehouseStock");
        app.MapReservationsEndpoints();
        return app;
    }

    static async Task<Results<Created<WarehouseResponse>, ValidationProblem, ProblemHttpResult>> CreateWarehouse(
        WarehouseRequest request, MarketDbContext db, OrganizationAccess organizations, TimeProvider clock, IMapper mapper, CancellationToken ct)
    {
        if (request.OrganizationId is not { } organizationId)
        {
            return ValidationErrors.For("organizationId", "Required.");
        }
        var access = await organizations.CheckAsync(organizationId, OrganizationAction.Trade, hideFromOutsiders: false, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only an owner or trader can add warehouses.");
        }
        var errors = new ValidationErrors().RequireText(request.Name, "name", 120).RequireText(request.City, "city", 80);
        var kindOk = EnumText.TryParse<WarehouseKind>(request.Kind, out var kind);
        errors.Check(kindOk, "kind", "One of overseas, bonded, port.");
        if (!CountryCode.TryParse(request.CountryCode, out var country))
        {
            errors.Add("countryCode", "An ISO 3166-1 alpha-2 country code.");
        }
        errors.Check(request.Location?.Lat is >= -90 and <= 90 && Decimals.Fits(request.Location.Lat.Value, 6), "location.lat", "Latitude between -90 and 90.");
        errors.Check(request.Location?.Lon is >= -180 and <= 180 && Decimals.Fits(request.Location.Lon.Value, 6), "location.lon", "Longitude between -180 and 180.");
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        var now = clock.GetUtcNow();
        var warehouse = new Warehouse
        {
            Id = Guid.CreateVersion7(now), OrganizationId = organizationId, Name = request.Name!.Trim(), Kind = kind, CountryCode = country.Value,
            City = request.City!.Trim(), Latitude = request.Location!.Lat!.Value, Longitude = request.Location.Lon!.Value, CreatedAt = now,
        };
        db.Warehouses.Add(warehouse);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/warehouses/{warehouse.Id}", mapper.Map<WarehouseResponse>(warehouse));
    }

    static async Task<Results<Ok<IReadOnlyList<WarehouseResponse>>, ValidationProblem, ProblemHttpResult>> ListWarehouses(
        Guid? organizationId, MarketDbContext db, OrganizationAccess organizations, IMapper mapper, CancellationToken ct)
    {
        if (organizationId is not { } id)
        {
            return ValidationErrors.For("organizationId", "Required.");
        }
        var access = await organizations.CheckAsync(id, OrganizationAction.Read, hideFromOutsiders: true, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only members see the warehouses.");
        }
        IReadOnlyList<WarehouseResponse> warehouses = await db.Warehouses.AsNoTracking().Where(w => w.OrganizationId == id).OrderBy(w => w.Name)
            .ProjectTo<WarehouseResponse>(mapper.ConfigurationProvider).ToListAsync(ct);
        return TypedResults.Ok(warehouses);
    }

    static async Task<Results<Ok<WarehouseResponse>, ProblemHttpResult>> GetWarehouse(
        Guid id, MarketDbContext db, OrganizationAccess organizations, IMapper mapper, CancellationToken ct)
    {
        var (warehouse, denied) = await FindAsync(id, OrganizationAction.Read, db, organizations, ct);
        return denied ?? (Results<Ok<WarehouseResponse>, ProblemHttpResult>)TypedResults.Ok(mapper.Map<WarehouseResponse>(warehouse));
    }

    static async Task<Results<Created<MovementResponse>, Ok<MovementResponse[]>, ValidationProblem, ProblemHttpResult>> RecordMovement(
        Guid id, MovementRequest request, MarketDbContext db, CurrentUser user, OrganizationAccess organizations, StockLedger ledger, CancellationToken ct)
    {
        var (warehouse, denied) = await FindAsync(id, OrganizationAction.Trade, db, organizations, ct);
        if (denied is not null)
        {
            return denied;
        }
        var errors = new ValidationErrors();
        var kindOk = EnumText.TryParse<MovementKind>(request.Kind, out var kind) && kind is MovementKind.Receipt or MovementKind.Shipment or MovementKind.Adjustment;
        var transfer = string.Equals(request.Kind, "transfer", StringComparison.OrdinalIgnoreCase);
        errors.Check(kindOk || transfer, "kind", "One of receipt, shipment, adjustment, transfer (reserve and release go through reservations).");
        errors.RequireText(request.Lot, "lot", 64);
        errors.Check(request.Note is null || request.Note.Length <= 500, "note", "At most 500 characters.");
        errors.Check(request.QualityCertificate is null || request.QualityCertificate.Length <= 120, "qualityCertificate", "At most 120 characters.");
        var listing = request.ListingId is { } listingId ? await db.Listings.AsNoTracking().SingleOrDefaultAsync(l => l.Id == listingId, ct) : null;
        if (listing is null || listing.OrganizationId != warehouse!.OrganizationId)
        {
            errors.Add("listingId", "A listing of the organization that runs this warehouse.");
        }
        var signed = kind == MovementKind.Adjustment && !transfer;
        decimal quantity = 0;
        if (request.Quantity?.Value is not { } value || !Decimals.Fits(value, Units.QuantityDecimals) || (signed ? value == 0 : value <= 0))
        {
            errors.Add("quantity.value", signed ? "A non-zero change with at most 3 decimals (negative to write off)." : "A positive quantity with at most 3 decimals.");
        }
        else if (listing is not null && !Units.TryConvert(value, request.Quantity.Unit ?? "", listing.QuantityUnit, out quantity))
        {
            errors.Add("quantity.unit", $"This listing counts stock in {listing.QuantityUnit}; use a unit that converts to it.");
        }
        else if (listing is not null && !Decimals.Fits(quantity, Decimals.StoredScale))
        {
            errors.Add("quantity.value", "Too precise for the listing's unit.");
        }
        errors.Check(!signed || !string.IsNullOrWhiteSpace(request.Reason), "reason", "Say why stock is adjusted (count difference, moisture loss, damage ...).");
        errors.Check(request.Reason is null || request.Reason.Length <= 200, "reason", "At most 200 characters.");
        Warehouse? target = null;
        if (transfer)
        {
            target = request.ToWarehouseId is { } to ? await db.Warehouses.AsNoTracking().SingleOrDefaultAsync(w => w.Id == to, ct) : null;
            errors.Check(target is not null && target.OrganizationId == warehouse!.OrganizationId && target.Id != warehouse.Id, "toWarehouseId",
                "Another warehouse of the same organization.");
        }
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }

        var actor = new StockLedger.Actor(user.Id, string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim());
        var lotNumber = request.Lot!.Trim();
        if (kind == MovementKind.Receipt && !transfer)
        {
            var received = await ledger.ReceiveAsync(warehouse!, listing!.Id, listing.QuantityUnit, lotNumber, request.QualityCertificate?.Trim(), quantity, actor, ct);
            return TypedResults.Created($"/api/warehouses/{id}/movements", await ToResponseAsync(db, received, ct));
        }
        var lot = await db.StockLots.AsNoTracking().SingleOrDefaultAsync(l => l.WarehouseId == id && l.ListingId == listing!.Id && l.LotNumber == lotNumber, ct);
        if (lot is null)
        {
            return ValidationErrors.For("lot", "No such lot of this listing in this warehouse.");
        }
        if (transfer)
        {
            var moved = await ledger.TransferAsync(lot, target!, quantity, actor, ct);
            return moved is { } pair
                ? TypedResults.Ok(new[] { await ToResponseAsync(db, pair.Out, ct), await ToResponseAsync(db, pair.In, ct) })
                : ShortOfStock();
        }
        var movement = kind == MovementKind.Adjustment && quantity > 0
            ? await ledger.AddAsync(lot, quantity, request.Reason!.Trim(), actor, ct)
            : await ledger.TakeAsync(lot, kind, Math.Abs(quantity), request.Reason?.Trim(), actor, ct);
        return movement is null ? ShortOfStock() : TypedResults.Created($"/api/warehouses/{id}/movements", await ToResponseAsync(db, movement, ct));
    }

    static async Task<Results<Ok<Page<MovementResponse>>, ValidationProblem, ProblemHttpResult>> ListMovements(
        Guid id, Guid? listingId, string? cursor, int? limit, MarketDbContext db, OrganizationAccess organizations, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (!PageRequest.TryParse(cursor, limit, errors, out var page))
        {
            return errors.ToProblem();
        }
        var (_, denied) = await FindAsync(id, OrganizationAction.Read, db, organizations, ct);
        if (denied is not null)
        {
            return denied;
        }
        var query = db.StockMovements.AsNoTracking().Where(m => m.WarehouseId == id);
        if (listingId is { } l)
        {
            query = query.Where(m => m.ListingId == l);
        }
        var rows = await query.PageNewestFirst(page, m => m.At, m => m.Id)
            .Join(db.StockLots, m => m.LotId, lot => lot.Id, (m, lot) => new MovementResponse(
                m.Id, m.WarehouseId, m.ListingId, m.LotId, lot.LotNumber, m.Kind, m.OnHandDelta, m.ReservedDelta, m.Unit, m.Reason, m.Note,
                m.ReservationId, m.CounterpartWarehouseId, m.At))
            .ToListAsync(ct);
        rows = rows.OrderByDescending(r => r.At).ThenByDescending(r => r.Id).ToList();
        return TypedResults.Ok(page.ToPage(rows, r => new Cursor(r.At, r.Id)));
    }

    static async Task<Results<Ok<IReadOnlyList<StockLotResponse>>, ProblemHttpResult>> GetStock(
        Guid id, MarketDbContext db, OrganizationAccess organizations, CancellationToken ct)
    {
        var (_, denied) = await FindAsync(id, OrganizationAction.Read, db, organizations, ct);
        if (denied is not null)
        {
            return denied;
        }
        var lots = await db.StockLots.AsNoTracking().Include(l => l.Listing).Where(l => l.WarehouseId == id).ToListAsync(ct);
        IReadOnlyList<StockLotResponse> stock = lots.OrderBy(l => l.CreatedAt).ThenBy(l => l.LotNumber, StringComparer.Ordinal)
            .Select(l => new StockLotResponse(l.Id, l.LotNumber, l.QualityCertificate, l.ListingId, new LocalizedTitle(l.Listing!.Title),
                l.OnHand, l.Reserved, l.OnHand - l.Reserved, l.Unit))
            .ToList();
        return TypedResults.Ok(stock);
    }

    /// <summary>A warehouse for a caller with <paramref name="action"/> on its organization; its ledger is private (404 to outsiders).</summary>
    static async Task<(Warehouse? Warehouse, ProblemHttpResult? Denied)> FindAsync(
        Guid id, OrganizationAction action, MarketDbContext db, OrganizationAccess organizations, CancellationToken ct)
    {
        var warehouse = await db.Warehouses.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, ct);
        if (warehouse is null)
        {
            return (null, Problems.NotFound("Warehouse"));
        }
        var access = await organizations.CheckAsync(warehouse.OrganizationId, action, hideFromOutsiders: true, ct);
        return access == Access.Allowed
            ? (warehouse, null)
            : (null, access == Access.Forbidden ? Problems.Forbidden("Only an owner or trader records stock movements.") : Problems.NotFound("Warehouse"));
    }

    static async Task<MovementResponse> ToResponseAsync(MarketDbContext db, StockMovement m, CancellationToken ct)
    {
        var lotNumber = await db.StockLots.Where(l => l.Id == m.LotId).Select(l => l.LotNumber).SingleAsync(ct);
        return new MovementResponse(m.Id, m.WarehouseId, m.ListingId, m.LotId, lotNumber, m.Kind, m.OnHandDelta, m.ReservedDelta, m.Unit, m.Reason, m.Note,
            m.ReservationId, m.CounterpartWarehouseId, m.At);
    }

    internal static ProblemHttpResult ShortOfStock() =>
        Problems.Conflict("Not enough stock is available (on hand minus reserved) for this quantity; nothing was changed.");
}
