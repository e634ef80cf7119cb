using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Notifications;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Realtime;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>
/// Everything that happens in negotiation rooms. Each change is stored with the room's next sequence number in one
/// transaction, then announced through the realtime bus; a refused call throws <see cref="NegotiationException"/>
/// and leaves the database as it was.
/// </summary>
[FeatureContract]
public sealed partial class NegotiationService(
    MarketDbContext db, OrganizationAccess organizations, ListingFacts listings, DealService deals, StockLedger ledger, IRealtimeBus bus, RoomLocks locks,
    Notifier notifier, TimeProvider clock, IOptions<JsonOptions> json, NegotiationOptions options, GroupCommit groupCommit)
{
    public const string RealtimeTopic = "room";
    public const int MaxMessageLength = 4_000;
    public const int MaxReasonLength = 500;
    public const int MaxEventsPerRead = 500;

    readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    // ---- Rooms ----

    /// <summary>Opens the room for (listing, buyer organization), or returns the open one (<c>Created</c> false).</summary>
    public async Task<(RoomResponse Room, bool Created)> OpenRoomAsync(Caller caller, OpenRoomRequest request, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Check(request.ListingId is not null, "listingId", "Required.");
        errors.Check(request.BuyerOrganizationId is not null, "buyerOrganizationId", "Required.");
        errors.Check(request.Message is null || request.Message.Length <= MaxMessageLength, "message", $"At most {MaxMessageLength} characters.");
        if (!errors.IsValid)
        {
            throw NegotiationException.Invalid(errors);
        }
        var buyerId = request.BuyerOrganizationId!.Value;
        if (!await organizations.MayAsync(caller.UserId, buyerId, OrganizationAction.Trade, ct))
        {
            throw new NegotiationException(NegotiationErrors.Forbidden, "Only an owner or trader of the buyer organization can open a negotiation for it.");
        }
        var listing = await listings.TermsAsync(request.ListingId!.Value, ct) is { Status: ListingStatus.Published } published
            ? published
            : throw new NegotiationException(NegotiationErrors.NotFound, "Listing not found (or not published).");
        if (listing.SellerId == buyerId)
        {
            throw NegotiationException.Invalid(new ValidationErrors().Add("buyerOrganizationId", "A seller cannot negotiate its own listing."));
        }
        if (request.BuyRequestId is { } buyRequestId && !await db.BuyRequests.AnyAsync(b => b.Id == buyRequestId && b.OrganizationId == buyerId, ct))
        {
            throw NegotiationException.Invalid(new ValidationErrors().Add("buyRequestId", "Not a buy request of the buyer organization."));
        }

        if (await OpenRoomIdAsync(listing.Id, buyerId, ct) is { } existing)
        {
            return (await RoomAsync(caller, existing, ct), false);
        }
        var now = clock.GetUtcNow();
        var room = new NegotiationRoom
        {
            Id = Guid.CreateVersion7(now), ListingId = listing.Id, SellerOrganizationId = listing.SellerId, BuyerOrganizationId = buyerId,
            BuyRequestId = request.BuyRequestId, Status = RoomStatus.Open, CreatedAt = now, UpdatedAt = now, CreatedBy = caller.UserId,
            Round = await db.NegotiationRooms.CountAsync(r => r.ListingId == listing.Id && r.BuyerOrganizationId == buyerId, ct),
        };
        try
        {
            await WriteAsync(room.Id, async batch =>
            {
                db.NegotiationRooms.Add(room);
                await db.SaveChangesAsync(ct);
                db.Entry(room).State = EntityState.Detached; // the sequence moves by conditional updates only
                await batch.AppendAsync(RoomEventTypes.System, null, null, null, new { action = "room_opened", code = "room_opened", text = "The negotiation was opened.", listingId = listing.Id, request.BuyRequestId });
                db.RoomParticipants.Add(new RoomParticipant { RoomId = room.Id, UserId = caller.UserId, JoinedAt = now });
                await batch.AppendAsync(RoomEventTypes.ParticipantJoined, caller.UserId, Side.Buyer, null, new { userId = caller.UserId, side = Side.Buyer });
                if (!string.IsNullOrWhiteSpace(request.Message))
                {
                    await batch.AppendAsync(RoomEventTypes.Message, caller.UserId, Side.Buyer, null, new { text = request.Message.Trim() });
                }
                return true;
            }, ct);
        }
        catch (DbUpdateException)
        {
            // Two clicks raced to open the same room: the unique (listing, buyer, round) index let one in.
            var raced = await OpenRoomIdAsync(listing.Id, buyerId, ct) ?? throw new NegotiationException(NegotiationErrors.Conflict, "The room could not be opened; try again.");
            return (await RoomAsync(caller, raced, ct), false);
        }
        var buyerName = await db.Organizations.Where(o => o.Id == buyerId).Select(o => o.Name).SingleAsync(ct);
        await notifier.NotifyOrganizationsAsync([listing.SellerId], "negotiation", new NotificationText("negotiation_opened",
                new Dictionary<string, string> { ["buyer"] = buyerName, ["listing"] = listing.DisplayTitle },
                $"{buyerName} wants to negotiate {listing.DisplayTitle}"),
            $"/negotiations/{room.Id}", ct);
        return (await RoomAsync(caller, room.Id, ct), true);
    }

    async Task<Guid?> OpenRoomIdAsync(Guid listingId, Guid buyerId, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await db.NegotiationRooms.Where(r => r.ListingId == listingId && r.BuyerOrganizationId == buyerId && r.Status == RoomStatus.Open)
            .Select(r => (Guid?)r.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>The caller's standing in the room; outsiders get <c>not_found</c>, as the room is private to its two sides.</summary>
    public async Task<RoomAccess> AccessAsync(Caller caller, Guid roomId, CancellationToken ct)
    {
        // One round trip: every hub call authorizes, so this runs for every message.
        var memberships = organizations.RolesOf(caller.UserId);
        var found = await db.NegotiationRooms.AsNoTracking().Where(r => r.Id == roomId).Select(r => new
        {
            Room = r,
            BuyerRole = memberships.Where(m => m.OrganizationId == r.BuyerOrganizationId).Select(m => (OrganizationRole?)m.Role).FirstOrDefault(),
            SellerRole = memberships.Where(m => m.OrganizationId == r.SellerOrganizationId).Select(m => (OrganizationRole?)m.Role).FirstOrDefault(),
        }).SingleOrDefaultAsync(ct);
        if (found is not null)
        {
            if (SideOf(found.BuyerRole, found.SellerRole) is (var side, var role))
            {
                return new RoomAccess(found.Room, side, role, caller.IsModerator);
            }
            if (caller.IsModerator)
            {
                return new RoomAccess(found.Room, null, null, true);
            }
        }
        throw new NegotiationException(NegotiationErrors.NotFound, "Negotiation room not found.");
    }

    /// <summary>
    /// The side a member of the room's organizations takes, with their role there (null for someone in neither).
    /// Someone in both organizations (a group's shared trader) acts with their stronger role.
    /// </summary>
    static (Side Side, OrganizationRole Role)? SideOf(OrganizationRole? buyerRole, OrganizationRole? sellerRole) =>
        buyerRole is { } buyer && (sellerRole is not { } seller || buyer <= seller) ? (Side.Buyer, buyer)
        : sellerRole is { } onlySeller ? (Side.Seller, onlySeller)
        : null;

    async Task<RoomAccess> ActorAccessAsync(Caller caller, Guid roomId, CancellationToken ct)
    {
        var access = await AccessAsync(caller, roomId, ct);
        if (!access.CanAct)
        {
            throw new NegotiationException(NegotiationErrors.Forbidden, "Viewers and moderators can read this room but not act in it.");
        }
        return access;
    }

    /// <summary>Marks the caller as a participant (once, with a <c>participant_joined</c> event) so they can be told apart in unread counts.</summary>
    public async Task<RoomAccess> JoinAsync(Caller caller, Guid roomId, CancellationToken ct)
    {
        var access = await AccessAsync(caller, roomId, ct);
        await EnsureParticipantAsync(access, caller, ct);
        return access;
    }

    async Task EnsureParticipantAsync(RoomAccess access, Caller caller, CancellationToken ct)
    {
        var roomId = access.Room.Id;
        if (await db.RoomParticipants.AnyAsync(p => p.RoomId == roomId && p.UserId == caller.UserId, ct))
        {
            return;
        }
        try
        {
            await WriteAsync(roomId, async batch =>
            {
                db.RoomParticipants.Add(new RoomParticipant { RoomId = roomId, UserId = caller.UserId, JoinedAt = clock.GetUtcNow() });
                if (access.Side is { } side)
                {
                    await batch.AppendAsync(RoomEventTypes.ParticipantJoined, caller.UserId, side, null, new { userId = caller.UserId, side });
                }
                return true;
            }, ct);
        }
        catch (DbUpdateException)
        {
            // The same user joined from two connections at once; one row is enough.
            if (!await db.RoomParticipants.AnyAsync(p => p.RoomId == roomId && p.UserId == caller.UserId, ct))
            {
                throw;
            }
        }
    }

    /// <summary>
    /// The room's events after <paramref name="afterSequence"/>, oldest first, at most <paramref name="limit"/> (one more
    /// than a page may hold, so a caller can tell whether another page follows).
    /// </summary>
    public async Task<IReadOnlyList<RoomEventResponse>> EventsAsync(RoomAccess access, long afterSequence, int limit, CancellationToken ct)
    {
        if (afterSequence < 0)
        {
            throw NegotiationException.Invalid(new ValidationErrors().Add("afterSequence", "Zero or a sequence number the room has handed out."));
        }
        var rows = await db.RoomEvents.AsNoTracking().Where(e => e.RoomId == access.Room.Id && e.Sequence > afterSequence)
            .OrderBy(e => e.Sequence).Take(Math.Clamp(limit, 1, MaxEventsPerRead + 1)).ToListAsync(ct);
        return rows.Select(e => ToResponse(e, access.IsModerator)).ToList();
    }

    // ---- Messages, typing, reading ----

    public async Task<RoomEventResponse> SendMessageAsync(Caller caller, Guid roomId, string? clientMessageId, string? text, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        CheckClientMessageId(clientMessageId, errors);
        errors.Check(!string.IsNullOrWhiteSpace(text), "text", "Write something.");
        errors.Check(text is null || text.Length <= MaxMessageLength, "text", $"At most {MaxMessageLength} characters.");
        if (!errors.IsValid)
        {
            throw NegotiationException.Invalid(errors);
        }
        var started = Stopwatch.GetTimestamp();
        RoomEventResponse stored;
        if (options.GroupCommit)
        {
            // Authorized in the group commit, with every other sender of its batch in one query (StoreMessagesAsync).
            stored = await groupCommit.SubmitAsync(new PendingMessage(roomId, caller, clientMessageId!, text!.Trim(), ct));
        }
        else
        {
            var access = await ActorAccessAsync(caller, roomId, ct);
            Record("authorize", started);
            stored = await AppendOnceAsync(access, caller, clientMessageId!, async batch =>
                await batch.AppendAsync(RoomEventTypes.Message, caller.UserId, access.Side, clientMessageId, new { text = text!.Trim() }), ct);
        }
        Record("send", started);
        return stored;
    }

    public async Task<TypingResponse> TypingAsync(Caller caller, Guid roomId, CancellationToken ct)
    {
        await ActorAccessAsync(caller, roomId, ct);
        var typing = new TypingResponse(roomId, caller.UserId);
        await bus.PublishAsync([new RealtimeMessage(RealtimeTopic, roomId, RoomMessages.Typing, JsonSerializer.Serialize(typing, _json))], ct);
        return typing;
    }

    /// <summary>Records how far the caller has read (never backwards) and tells the room.</summary>
    public async Task<ReadResponse> MarkReadAsync(Caller caller, Guid roomId, long sequence, CancellationToken ct)
    {
        var access = await AccessAsync(caller, roomId, ct);
        if (sequence < 0 || sequence > access.Room.LastSequence)
        {
            throw NegotiationException.Invalid(new ValidationErrors().Add("sequence", $"Between 0 and {access.Room.LastSequence}."));
        }
        await EnsureParticipantAsync(access, caller, ct);
        await db.RoomParticipants.Where(p => p.RoomId == roomId && p.UserId == caller.UserId && p.LastReadSequence < sequence)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.LastReadSequence, sequence), ct);
        var read = new ReadResponse(roomId, caller.UserId, sequence);
        await bus.PublishAsync([new RealtimeMessage(RealtimeTopic, roomId, RoomMessages.Read, JsonSerializer.Serialize(read, _json))], ct);
        return read;
    }

    /// <summary>A moderator hides a message: it stays in the log, flagged, and participants no longer see its text.</summary>
    public async Task<RoomEventResponse> HideMessageAsync(Caller caller, Guid roomId, long sequence, CancellationToken ct)
    {
        if (!caller.IsModerator)
        {
            throw new NegotiationException(NegotiationErrors.Forbidden, "Only moderators hide messages.");
        }
        await AccessAsync(caller, roomId, ct);
        var target = await db.RoomEvents.AsNoTracking().SingleOrDefaultAsync(e => e.RoomId == roomId && e.Sequence == sequence, ct)
            ?? throw new NegotiationException(NegotiationErrors.NotFound, $"The room has no event {sequence}.");
        if (target.Type != RoomEventTypes.Message)
        {
            throw NegotiationException.Invalid(new ValidationErrors().Add("sequence", "Only messages can be hidden; offers are part of the contract history."));
        }
        return await WriteAsync(roomId, async batch =>
        {
            var now = clock.GetUtcNow();
            var hidden = await db.RoomEvents.Where(e => e.Id == target.Id && e.HiddenAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.HiddenAt, now).SetProperty(e => e.HiddenBy, caller.UserId), ct);
            if (hidden == 0)
            {
                throw new NegotiationException(NegotiationErrors.Conflict, "That message is already hidden.");
            }
            return await batch.AppendAsync(RoomEventTypes.System, caller.UserId, null, null, new { action = "message_hidden", code = "message_hidden", text = "A moderator hid a message.", sequence });
        }, ct);
    }

    // ---- Reading rooms ----

    public async Task<RoomResponse> RoomAsync(Caller caller, Guid roomId, CancellationToken ct)
    {
        var access = await AccessAsync(caller, roomId, ct);
        return (await ViewsAsync(caller, db.NegotiationRooms.Where(r => r.Id == roomId), access, ct)).Single();
    }

    /// <summary>Rooms of the caller's organizations, newest activity first: a page and one more room (the cursor is on UpdatedAt).</summary>
    public async Task<IReadOnlyList<RoomResponse>> RoomsAsync(Caller caller, Side? role, PageRequest page, CancellationToken ct)
    {
        var mine = organizations.OrganizationsOf(caller.UserId);
        var query = db.NegotiationRooms.Where(r =>
            (role != Side.Seller && mine.Contains(r.BuyerOrganizationId)) || (role != Side.Buyer && mine.Contains(r.SellerOrganizationId)));
        return await ViewsAsync(caller, query.PageNewestFirst(page, r => r.UpdatedAt, r => r.Id), null, ct);
    }

    async Task<List<RoomResponse>> ViewsAsync(Caller caller, IQueryable<NegotiationRoom> rooms, RoomAccess? knownAccess, CancellationToken ct)
    {
        var me = caller.UserId;
        var rows = await rooms.AsNoTracking().Select(r => new
        {
            Room = r,
            Listing = new RoomListing(r.ListingId, r.Listing!.Title, r.Listing.Category!.Key, r.Listing.Category.Unit),
            Buyer = new RoomOrganization(r.BuyerOrganizationId, r.BuyerOrganization!.Name, r.BuyerOrganization.CountryCode,
                r.BuyerOrganization.VerificationStatus == VerificationStatus.Verified),
            Seller = new RoomOrganization(r.SellerOrganizationId, r.SellerOrganization!.Name, r.SellerOrganization.CountryCode,
                r.SellerOrganization.VerificationStatus == VerificationStatus.Verified),
            LastRead = db.RoomParticipants.Where(p => p.RoomId == r.Id && p.UserId == me).Select(p => p.LastReadSequence).FirstOrDefault(),
            Unread = db.RoomEvents.Count(e => e.RoomId == r.Id && e.ActorUserId != me
                && e.Sequence > db.RoomParticipants.Where(p => p.RoomId == r.Id && p.UserId == me).Select(p => p.LastReadSequence).FirstOrDefault()),
        }).ToListAsync(ct);
        var ids = rows.Select(r => r.Room.Id).ToList();
        var dealsOfRooms = await deals.DealsOfRoomsAsync(ids, ct);
        var openOffers = (await db.Offers.AsNoTracking().Where(o => ids.Contains(o.RoomId) && o.Status == OfferStatus.Open).ToListAsync(ct))
            .GroupBy(o => o.RoomId).ToDictionary(g => g.Key, g => g.OrderByDescending(o => o.Sequence).First());
        // The caller's standing is known for a single room; a list works it out from their memberships.
        var myOrganizations = knownAccess is null
            ? await organizations.RolesByOrganizationAsync(me, ct)
            : [];
        return rows.Select(r =>
        {
            var access = knownAccess ?? AccessFromMemberships(r.Room, myOrganizations, caller.IsModerator);
            return new RoomResponse(
                r.Room.Id, r.Listing, r.Buyer, r.Seller, r.Room.BuyRequestId, r.Room.Status, access.Side, access.CanAct, r.Room.LastSequence,
                r.LastRead, r.Unread, openOffers.TryGetValue(r.Room.Id, out var open) ? ToResponse(open) : null,
                dealsOfRooms.TryGetValue(r.Room.Id, out var dealId) ? dealId : null, r.Room.CreatedAt, r.Room.UpdatedAt);
        }).ToList();
    }

    static RoomAccess AccessFromMemberships(NegotiationRoom room, Dictionary<Guid, OrganizationRole> memberships, bool moderator)
    {
        var best = memberships.Where(m => room.SideOf(m.Key) is not null).OrderBy(m => m.Value).Select(m => (KeyValuePair<Guid, OrganizationRole>?)m).FirstOrDefault();
        return best is { } b ? new RoomAccess(room, room.SideOf(b.Key), b.Value, moderator) : new RoomAccess(room, null, null, moderator);
    }
}
