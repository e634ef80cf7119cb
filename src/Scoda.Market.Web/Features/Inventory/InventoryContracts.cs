using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Inventory;

public sealed record LocationInput(decimal? Lat, decimal? Lon);

public sealed record WarehouseRequest(Guid? OrganizationId, string? Name, string? Kind, string? CountryCode, string? City, LocationInput? Location);

public sealed record Location(decimal Lat, decimal Lon);

public sealed record WarehouseResponse(Guid Id, Guid OrganizationId, string Name, WarehouseKind Kind, string CountryCode, string City, Location Location, DateTimeOffset CreatedAt);

public sealed record MovementRequest(
    string? Kind, Guid? ListingId, string? Lot, QuantityInput? Quantity, Guid? ToWarehouseId, string? Note, string? Reason, string? QualityCertificate);

public sealed record MovementResponse(
    Guid Id, Guid WarehouseId, Guid ListingId, Guid LotId, string LotNumber, MovementKind Kind, decimal OnHandDelta, decimal ReservedDelta, string Unit,
    string? Reason, string? Note, Guid? ReservationId, Guid? CounterpartWarehouseId, DateTimeOffset At);

public sealed record StockLotResponse(
    Guid LotId, string LotNumber, string? QualityCertificate, Guid ListingId, LocalizedTitle Listing, decimal OnHand, decimal Reserved, decimal Available, string Unit);

/// <summary>A listing's title in its languages, for stock and ledger views.</summary>
public sealed record LocalizedTitle(IReadOnlyDictionary<string, string> Title);

public sealed record WarehouseRef(Guid Id, string Name, WarehouseKind Kind, string CountryCode, string City);

public sealed record AvailabilityResponse(WarehouseRef Warehouse, decimal OnHand, decimal Reserved, decimal Available, string Unit);

public sealed record ReservationRequest(Guid? OrganizationId, Guid? WarehouseId, string? Lot, QuantityInput? Quantity, DateTimeOffset? ExpiresAt);

public sealed record ReservationResponse(
    Guid Id, Guid ListingId, Guid WarehouseId, Guid LotId, Guid OrganizationId, Quantity Quantity, ReservationStatus Status, DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt, DateTimeOffset? EndedAt);
