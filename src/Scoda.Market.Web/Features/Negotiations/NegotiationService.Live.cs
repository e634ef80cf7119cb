using System.Text.Json;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>Where a room came from when a live session opened it: the session, and its title as the room's note shows it.</summary>
public sealed record LiveSessionOrigin(Guid SessionId, string Title);

/// <summary>Rooms and first offers that start in a live session ("Product Promotion by Ambassadors").</summary>
public sealed partial class NegotiationService
{
    /// <summary>
    /// Opens (or returns) the room for the listing and the buyer organization as <paramref name="buyer"/> would, and, when
    /// <paramref name="announce"/> (the first time this session leads to the room), appends a system event naming the session.
    /// </summary>
    public async Task<(Guid RoomId, bool Created)> OpenRoomFromSessionAsync(
        Caller buyer, Guid listingId, Guid buyerOrganizationId, LiveSessionOrigin origin, bool announce, CancellationToken ct)
    {
        var (room, created) = await OpenRoomAsync(buyer, new OpenRoomRequest(listingId, buyerOrganizationId, null, null), ct);
        if (announce)
        {
            await WriteAsync(room.Id, batch => batch.AppendAsync(RoomEventTypes.System, null, null, null,
                new { action = "from_live_session", sessionId = origin.SessionId, title = origin.Title }), ct);
        }
        return (room.Id, created);
    }

    /// <summary>
    /// The seller's first offer in a room, from terms a live session prefilled (an interest and the listing). Idempotent
    /// per <paramref name="clientMessageId"/> like every offer.
    /// </summary>
    public Task<RoomEventResponse> MakeOfferFromSessionAsync(Caller seller, Guid roomId, string clientMessageId, OfferTermsInput terms, CancellationToken ct) =>
        MakeOfferAsync(seller, roomId, clientMessageId, JsonSerializer.SerializeToElement(terms, _json), ct);
}
