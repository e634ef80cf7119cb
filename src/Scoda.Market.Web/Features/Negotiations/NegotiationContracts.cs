using Scoda.Market.Web.Infrastructure.Domain;
using System.Text.Json;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Taxonomy;

namespace Scoda.Market.Web.Features.Negotiations;

public sealed record OpenRoomRequest(Guid? ListingId, Guid? BuyerOrganizationId, Guid? BuyRequestId, string? Message);

public sealed record DeliveryWindowInput(DateOnly? From, DateOnly? To);

/// <summary>A term sheet as a client sends it to <c>MakeOffer</c>; <see cref="CounterToOfferId"/> makes it a counter.</summary>
public sealed record OfferTermsInput(
    PriceInput? Price,
    QuantityInput? Quantity,
    decimal? TolerancePercent,
    string? Incoterm,
    string? NamedPlace,
    string? DeliveryMode,
    DeliveryWindowInput? DeliveryWindow,
    string? PaymentTerms,
    string? InspectionBody,
    Dictionary<string, JsonElement>? Specs,
    Guid? SourceWarehouseId,
    DateTimeOffset? ValidUntil,
    Guid? CounterToOfferId);

public sealed record RoomOrganization(Guid Id, string Name, string CountryCode, bool Verified);

public sealed record RoomListing(Guid Id, LocalizedText Title, string CategoryKey, string? Unit);

/// <summary>A room as one caller sees it: their side, whether they may act, and how much they have not read.</summary>
public sealed record RoomResponse(
    Guid Id,
    RoomListing Listing,
    RoomOrganization Buyer,
    RoomOrganization Seller,
    Guid? BuyRequestId,
    RoomStatus Status,
    Side? MySide,
    bool CanAct,
    long LastSequence,
    long LastReadSequence,
    int Unread,
    OfferResponse? OpenOffer,
    Guid? DealId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record OfferResponse(
    Guid Id, Side Side, Guid MadeBy, OfferStatus Status, TermSheet Terms, DateTimeOffset ValidUntil, Guid? CounterToOfferId, long Sequence,
    DateTimeOffset CreatedAt)
{
    /// <summary>Price × quantity (the deal's total): what a client shows and echoes to accept the offer.</summary>
    public Money Total => Deals.DealService.TotalOf(Terms);
}

public sealed record EventActor(Guid UserId, Side? Side);

/// <summary>One entry of a room's log, as sent to clients (the hub's <c>RoomEvent</c> and <c>GET …/events</c>).</summary>
public sealed record RoomEventResponse(Guid RoomId, long Sequence, string Type, EventActor? Actor, DateTimeOffset At, JsonElement Payload, bool Hidden);

public sealed record TypingResponse(Guid RoomId, Guid UserId);

public sealed record ReadResponse(Guid RoomId, Guid UserId, long Sequence);

public sealed record RoomEventsPage(IReadOnlyList<RoomEventResponse> Items, string? NextCursor);

/// <summary>The event types of docs/CONTRACT.md.</summary>
public static class RoomEventTypes
{
    public const string Message = "message";
    public const string Offer = "offer";
    public const string Counter = "counter";
    public const string OfferAccepted = "offer_accepted";
    public const string AcceptancePending = "acceptance_pending";
    public const string OfferDeclined = "offer_declined";
    public const string OfferWithdrawn = "offer_withdrawn";
    public const string OfferExpired = "offer_expired";
    public const string DealCreated = "deal_created";
    public const string ParticipantJoined = "participant_joined";
    public const string System = "system";
}

/// <summary>The total a client showed when its user accepted; must equal the offer's (binding acceptance).</summary>
public sealed record ConfirmedTotal(decimal? Amount, string? Currency);

/// <summary>What accepting an offer sends besides the ids: <c>{ total: { amount, currency } }</c>.</summary>
public sealed record AcceptConfirmation(ConfirmedTotal? Total)
{
    public static AcceptConfirmation Of(Money total) => new(new ConfirmedTotal(total.Amount, total.Currency));
}

/// <summary>An acceptance that waits for a second Owner (HTTP 202).</summary>
public sealed record PendingApprovalResponse(Guid ApprovalId, string Status, RoomEventResponse Event);
