using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>An open offer in one of the organization's rooms; <see cref="AwaitingUs"/> when the other side made it.</summary>
public sealed record OpenOfferSummary(
    Guid RoomId, Guid OfferId, Guid ListingId, Guid CounterpartyId, bool AwaitingUs, bool Counter, UnitPrice Price, Quantity Quantity,
    DateTimeOffset ValidUntil, DateTimeOffset CreatedAt);

/// <summary>A room with events the user has not read.</summary>
public sealed record UnreadRoomSummary(Guid RoomId, Guid ListingId, Guid CounterpartyId, long Unread, DateTimeOffset UpdatedAt);

/// <summary>Read-only views of negotiations for dashboards and public profiles (the log itself stays in <see cref="NegotiationService"/>).</summary>
[FeatureContract]
public sealed class NegotiationSummaries(MarketDbContext db)
{
    public const int MaxRows = 100;

    /// <summary>Open offers in the organization's rooms, soonest to expire first.</summary>
    public async Task<IReadOnlyList<OpenOfferSummary>> OpenOffersAsync(Guid organizationId, DateTimeOffset now, CancellationToken ct)
    {
        var rows = await db.Offers.AsNoTracking()
            .Join(db.NegotiationRooms.Where(r => r.BuyerOrganizationId == organizationId || r.SellerOrganizationId == organizationId),
                o => o.RoomId, r => r.Id, (o, r) => new { Offer = o, Room = r })
            .Where(x => x.Offer.Status == OfferStatus.Open && x.Offer.ValidUntil > now)
            .OrderBy(x => x.Offer.ValidUntil).Take(MaxRows).ToListAsync(ct);
        return rows.Select(x =>
        {
            var ourSide = x.Room.SideOf(organizationId);
            return new OpenOfferSummary(x.Room.Id, x.Offer.Id, x.Room.ListingId,
                ourSide == Side.Buyer ? x.Room.SellerOrganizationId : x.Room.BuyerOrganizationId, x.Offer.Side != ourSide, x.Offer.CounterToOfferId is not null,
                x.Offer.Terms.Price, x.Offer.Terms.Quantity, x.Offer.ValidUntil, x.Offer.CreatedAt);
        }).ToList();
    }

    /// <summary>The organization's rooms whose log has events past what <paramref name="userId"/> has read, not counting their own.</summary>
    public async Task<IReadOnlyList<UnreadRoomSummary>> UnreadRoomsAsync(Guid userId, Guid organizationId, CancellationToken ct)
    {
        var rooms = await db.NegotiationRooms.AsNoTracking()
            .Where(r => r.BuyerOrganizationId == organizationId || r.SellerOrganizationId == organizationId)
            .Select(r => new
            {
                Room = r,
                Read = db.RoomParticipants.Where(p => p.RoomId == r.Id && p.UserId == userId).Select(p => (long?)p.LastReadSequence).FirstOrDefault() ?? 0,
            })
            .Where(x => x.Room.LastSequence > x.Read)
            .Select(x => new
            {
                x.Room,
                x.Read,
                Others = db.RoomEvents.Count(e => e.RoomId == x.Room.Id && e.Sequence > x.Read && e.ActorUserId != userId),
            })
            .Where(x => x.Others > 0)
            .OrderByDescending(x => x.Room.UpdatedAt).Take(MaxRows).ToListAsync(ct);
        return rooms.Select(x => new UnreadRoomSummary(x.Room.Id, x.Room.ListingId,
            x.Room.BuyerOrganizationId == organizationId ? x.Room.SellerOrganizationId : x.Room.BuyerOrganizationId, x.Others, x.Room.UpdatedAt)).ToList();
    }

    /// <summary>
    /// The median time from a room's opening to the seller's first event in it, over the organization's last
    /// <see cref="MaxRows"/> rooms as seller that got an answer; null when none did.
    /// </summary>
    public async Task<TimeSpan?> MedianFirstResponseAsync(Guid organizationId, CancellationToken ct)
    {
        var rows = await db.NegotiationRooms.AsNoTracking().Where(r => r.SellerOrganizationId == organizationId)
            .OrderByDescending(r => r.CreatedAt).Take(MaxRows)
            .Select(r => new
            {
                r.CreatedAt,
                First = db.RoomEvents.Where(e => e.RoomId == r.Id && e.ActorSide == Side.Seller).OrderBy(e => e.Sequence).Select(e => (DateTimeOffset?)e.At).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var waits = rows.Where(r => r.First is not null).Select(r => r.First!.Value - r.CreatedAt).Order().ToList();
        if (waits.Count == 0)
        {
            return null;
        }
        return waits.Count % 2 == 1 ? waits[waits.Count / 2] : (waits[(waits.Count / 2) - 1] + waits[waits.Count / 2]) / 2;
    }
}
