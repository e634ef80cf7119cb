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
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>The stable codes a refused negotiation call starts with (hub errors) and the HTTP status each maps to.</summary>
public static class NegotiationErrors
{
    public const string NotFound = "not_found";
    public const string Forbidden = "forbidden";
    public const string Conflict = "conflict";
    public const string Invalid = "invalid";
    public const string RateLimited = "rate_limited";
}

/// <summary>A refused call: <see cref="Code"/> is one of <see cref="NegotiationErrors"/>; nothing was changed.</summary>
public sealed class NegotiationException(string code, string detail, IDictionary<string, string[]>? errors = null)
    : Exception($"{code}: {detail}")
{
    public string Code { get; } = code;
    public string Detail { get; } = detail;
    public IDictionary<string, string[]>? Errors { get; } = errors;

    public static NegotiationException Invalid(ValidationErrors errors) =>
        new(NegotiationErrors.Invalid, Describe(errors.ToDictionary()), errors.ToDictionary());

    static string Describe(IDictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
}

/// <summary>Who is calling: the user, and whether they moderate the platform (moderators read every room and hide messages).</summary>
public sealed record Caller(Guid UserId, bool IsModerator)
{
    public static Caller From(ClaimsPrincipal principal) =>
        new(CurrentUser.IdOf(principal) ?? throw new InvalidOperationException("No authenticated user."),
            principal.IsInRole(PlatformRoles.Moderator) || principal.IsInRole(PlatformRoles.Admin));
}

/// <summary>The caller's standing in one room.</summary>
public sealed record RoomAccess(NegotiationRoom Room, Side? Side, OrganizationRole? Role, bool IsModerator)
{
    /// <summary>Owners and traders of either side act; viewers and moderators read.</summary>
    public bool CanAct => Side is not null && Role is OrganizationRole.Owner or OrganizationRole.Trader;

    public Side OtherSide => Side == Negotiations.Side.Buyer ? Negotiations.Side.Seller : Negotiations.Side.Buyer;
}

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
        var stripe = _stripes[(roomId.GetHashCode() & int.MaxValue) % _stripes.Length];
        await stripe.WaitAsync(ct);
        return new Release(stripe);
    }

    sealed class Release(SemaphoreSlim stripe) : IDisposable
    {
        public void Dispose() => stripe.Release();
    }
}

/// <summary>
/// Everything that happens in negotiation rooms. Each change is stored with the room's next sequence number in one
/// transaction, then announced through the realtime bus; a refused call throws <see cref="NegotiationException"/>
/// and leaves the database as it was.
/// </summary>
public sealed partial class NegotiationService(
    MarketDbContext db, OrganizationAccess organizations, IRealtimeBus bus, RoomLocks locks, StockLedger ledger, Notifier notifier, TimeProvider clock,
    IOptions<JsonOptions> json)
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
        var listing = await db.Listings.AsNoTracking().SingleOrDefaultAsync(l => l.Id == request.ListingId && l.Status == ListingStatus.Published, ct)
            ?? throw new NegotiationException(NegotiationErrors.NotFound, "Listing not found (or not published).");
        if (listing.OrganizationId == buyerId)
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
            Id = Guid.CreateVersion7(now), ListingId = listing.Id, SellerOrganizationId = listing.OrganizationId, BuyerOrganizationId = buyerId,
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
                await batch.AppendAsync(RoomEventTypes.System, null, null, null, new { action = "room_opened", listingId = listing.Id, request.BuyRequestId });
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
        await notifier.NotifyOrganizationsAsync([listing.OrganizationId], "negotiation", "New negotiation",
            $"{buyerName} wants to negotiate {TitleOf(listing)}.", $"/negotiations/{room.Id}", ct);
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
            // Someone in both organizations (a group's shared trader) acts with their stronger role.
            if (found.BuyerRole is { } buyerRole && (found.SellerRole is not { } sellerRole || buyerRole <= sellerRole))
            {
                return new RoomAccess(found.Room, Side.Buyer, buyerRole, caller.IsModerator);
            }
            if (found.SellerRole is { } role)
            {
                return new RoomAccess(found.Room, Side.Seller, role, caller.IsModerator);
            }
            if (caller.IsModerator)
            {
                return new RoomAccess(found.Room, null, null, true);
            }
        }
        throw new NegotiationException(NegotiationErrors.NotFound, "Negotiation room not found.");
    }

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
        var access = await ActorAccessAsync(caller, roomId, ct);
        return await AppendOnceAsync(access, caller, clientMessageId!, async batch =>
            await batch.AppendAsync(RoomEventTypes.Message, caller.UserId, access.Side, clientMessageId, new { text = text!.Trim() }), ct);
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
            return await batch.AppendAsync(RoomEventTypes.System, caller.UserId, null, null, new { action = "message_hidden", sequence });
        }, ct);
    }

    // ---- Offers ----

    public async Task<RoomEventResponse> MakeOfferAsync(Caller caller, Guid roomId, string? clientMessageId, JsonElement terms, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        CheckClientMessageId(clientMessageId, errors);
        var input = ReadTerms(terms, errors);
        if (!errors.IsValid)
        {
            throw NegotiationException.Invalid(errors);
        }
        var access = await ActorAccessAsync(caller, roomId, ct);
        if (await ExistingEventAsync(roomId, caller, clientMessageId!, ct) is { } retried)
        {
            return retried;
        }
        var room = access.Room;
        RequireOpen(room);
        var listing = await db.Listings.AsNoTracking().Include(l => l.Category).SingleAsync(l => l.Id == room.ListingId, ct);
        var side = access.Side!.Value;
        var sheet = OfferRules.Read(input!, listing, listing.Category!, side, clock.GetUtcNow(), errors);
        if (sheet?.SourceWarehouseId is { } warehouseId
            && !await db.Warehouses.AnyAsync(w => w.Id == warehouseId && w.OrganizationId == room.SellerOrganizationId, ct))
        {
            errors.Add("sourceWarehouseId", "Not a warehouse of the seller.");
        }
        if (!errors.IsValid)
        {
            throw NegotiationException.Invalid(errors);
        }

        var open = await db.Offers.AsNoTracking().Where(o => o.RoomId == roomId && o.Status == OfferStatus.Open).ToListAsync(ct);
        Offer? answered = null;
        if (input!.CounterToOfferId is { } counterTo)
        {
            answered = await db.Offers.AsNoTracking().SingleOrDefaultAsync(o => o.Id == counterTo && o.RoomId == roomId, ct)
                ?? throw new NegotiationException(NegotiationErrors.NotFound, "The offer to counter is not in this room.");
            if (answered.Side == side)
            {
                throw NegotiationException.Invalid(new ValidationErrors().Add("counterToOfferId",
                    "A counter answers the other side's offer; to change your own, withdraw it and make a new one."));
            }
            RequireOpenOffer(answered, "countered");
        }
        else if (open.FirstOrDefault() is { } pending)
        {
            throw new NegotiationException(NegotiationErrors.Conflict, pending.Side == side
                ? "Your side already has an open offer: withdraw it before making another."
                : "The other side's offer is open: counter it (terms.counterToOfferId), accept it or decline it.");
        }

        var stored = await AppendOnceAsync(access, caller, clientMessageId!, async batch =>
        {
            var now = clock.GetUtcNow();
            if (answered is not null && !await CloseOfferAsync(answered.Id, OfferStatus.Countered, now, ct))
            {
                throw new NegotiationException(NegotiationErrors.Conflict, "The offer was answered meanwhile; it can no longer be countered.");
            }
            var sequence = await batch.NextSequenceAsync();
            var offer = new Offer
            {
                Id = Guid.CreateVersion7(now), RoomId = roomId, Side = side, MadeBy = caller.UserId, CounterToOfferId = answered?.Id,
                Status = OfferStatus.Open, Terms = sheet!, ValidUntil = input.ValidUntil!.Value.ToUniversalTime(), CreatedAt = now, Sequence = sequence,
            };
            db.Offers.Add(offer);
            return answered is null
                ? batch.Add(sequence, RoomEventTypes.Offer, caller.UserId, side, clientMessageId, new { offer = ToResponse(offer) })
                : batch.Add(sequence, RoomEventTypes.Counter, caller.UserId, side, clientMessageId,
                    new { offer = ToResponse(offer), counterToOfferId = answered.Id, changes = sheet!.ChangesFrom(answered.Terms) });
        }, ct);
        await notifier.NotifyOrganizationsAsync([room.OrganizationOf(access.OtherSide)], "offer", answered is null ? "New offer" : "Counter-offer",
            $"{TitleOf(listing)}: {Decimals.Normalize(sheet!.Price.Amount)} {sheet.Price.Currency}/{sheet.Price.Unit}, {Decimals.Normalize(sheet.Quantity.Value)} {sheet.Quantity.Unit}.",
            $"/negotiations/{roomId}", ct);
        return stored;
    }

    /// <summary>
    /// Accepts the other side's open offer: the offer closes, a deal with its terms frozen is created, and, when the
    /// offer names a warehouse, that quantity is reserved there, all in one transaction. Short stock fails the whole.
    /// </summary>
    public async Task<RoomEventResponse> AcceptOfferAsync(Caller caller, Guid roomId, Guid offerId, CancellationToken ct)
    {
        var access = await ActorAccessAsync(caller, roomId, ct);
        var offer = await OfferToAnswerAsync(access, offerId, "accept", ct);
        RequireOpen(access.Room);
        RequireOpenOffer(offer, "accepted");
        var room = access.Room;
        Deal? deal = null;
        var accepted = await WriteAsync(roomId, async batch =>
        {
            var now = clock.GetUtcNow();
            if (!await CloseOfferAsync(offerId, OfferStatus.Accepted, now, ct))
            {
                throw new NegotiationException(NegotiationErrors.Conflict, "The offer is no longer open (answered, withdrawn or expired meanwhile).");
            }
            var closed = await db.NegotiationRooms.Where(r => r.Id == roomId && r.Status == RoomStatus.Open)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RoomStatus.Agreed), ct);
            if (closed == 0)
            {
                throw new NegotiationException(NegotiationErrors.Conflict, "This room has already agreed a deal.");
            }
            var terms = offer.Terms;
            var reservation = terms.SourceWarehouseId is { } warehouseId
                ? await ReserveAsync(room, warehouseId, terms, caller, ct)
                : null;
            Units.TryConvert(terms.Quantity.Value, terms.Quantity.Unit, terms.Price.Unit, out var priced);
            deal = new Deal
            {
                Id = Guid.CreateVersion7(now), RoomId = roomId, OfferId = offerId, ListingId = room.ListingId,
                SellerOrganizationId = room.SellerOrganizationId, BuyerOrganizationId = room.BuyerOrganizationId, Status = DealStatus.Agreed,
                Terms = terms, TotalAmount = Math.Round(priced * terms.Price.Amount, 2, MidpointRounding.ToEven), Currency = terms.Price.Currency,
                ReservationId = reservation?.Id, AcceptedBy = caller.UserId, CreatedAt = now,
            };
            db.Deals.Add(deal);
            var acceptedEvent = await batch.AppendAsync(RoomEventTypes.OfferAccepted, caller.UserId, access.Side, null, new { offerId });
            await batch.AppendAsync(RoomEventTypes.DealCreated, null, null, null, new
            {
                dealId = deal.Id, offerId, terms, totalAmount = new { amount = deal.TotalAmount, currency = deal.Currency }, reservationId = reservation?.Id,
            });
            return acceptedEvent;
        }, ct);
        var listing = await db.Listings.AsNoTracking().SingleAsync(l => l.Id == room.ListingId, ct);
        await notifier.NotifyOrganizationsAsync([room.BuyerOrganizationId, room.SellerOrganizationId], "deal", "Deal agreed",
            $"{TitleOf(listing)}: {Decimals.Normalize(deal!.TotalAmount)} {deal.Currency}.", $"/deals/{deal.Id}", ct);
        return accepted;
    }

    async Task<Reservation> ReserveAsync(NegotiationRoom room, Guid warehouseId, TermSheet terms, Caller caller, CancellationToken ct)
    {
        var lotUnit = await db.StockLots.Where(l => l.ListingId == room.ListingId && l.WarehouseId == warehouseId).Select(l => l.Unit).FirstOrDefaultAsync(ct);
        if (lotUnit is null || !Units.TryConvert(terms.Quantity.Value, terms.Quantity.Unit, lotUnit, out var quantity))
        {
            throw new NegotiationException(NegotiationErrors.Conflict, "The named warehouse holds no stock of this listing.");
        }
        // Held until the day after the delivery window closes; shipping or cancelling the deal releases it earlier.
        var holdUntil = new DateTimeOffset(terms.DeliveryWindow.To.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return await ledger.ReserveAsync(room.ListingId, warehouseId, null, quantity, room.BuyerOrganizationId, holdUntil,
                new StockLedger.Actor(caller.UserId, $"deal in negotiation {room.Id}"), ct)
            ?? throw new NegotiationException(NegotiationErrors.Conflict,
                $"Not enough stock available in the named warehouse for {Decimals.Normalize(terms.Quantity.Value)} {terms.Quantity.Unit}.");
    }

    public async Task<RoomEventResponse> DeclineOfferAsync(Caller caller, Guid roomId, Guid offerId, string? reason, CancellationToken ct)
    {
        if (reason is { Length: > MaxReasonLength })
        {
            throw NegotiationException.Invalid(new ValidationErrors().Add("reason", $"At most {MaxReasonLength} characters."));
        }
        var access = await ActorAccessAsync(caller, roomId, ct);
        var offer = await OfferToAnswerAsync(access, offerId, "decline", ct);
        RequireOpenOffer(offer, "declined");
        return await CloseAndRecordAsync(access, caller, offerId, OfferStatus.Declined, RoomEventTypes.OfferDeclined,
            new { offerId, reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim() }, ct);
    }

    public async Task<RoomEventResponse> WithdrawOfferAsync(Caller caller, Guid roomId, Guid offerId, CancellationToken ct)
    {
        var access = await ActorAccessAsync(caller, roomId, ct);
        var offer = await OfferInRoomAsync(roomId, offerId, ct);
        if (offer.Side != access.Side)
        {
            throw new NegotiationException(NegotiationErrors.Forbidden, "Only the side that made an offer can withdraw it.");
        }
        RequireOpenOffer(offer, "withdrawn");
        return await CloseAndRecordAsync(access, caller, offerId, OfferStatus.Withdrawn, RoomEventTypes.OfferWithdrawn, new { offerId }, ct);
    }

    async Task<RoomEventResponse> CloseAndRecordAsync(RoomAccess access, Caller caller, Guid offerId, OfferStatus status, string type, object payload, CancellationToken ct) =>
        await WriteAsync(access.Room.Id, async batch =>
        {
            if (!await CloseOfferAsync(offerId, status, clock.GetUtcNow(), ct))
            {
                throw new NegotiationException(NegotiationErrors.Conflict, "The offer is no longer open (answered, withdrawn or expired meanwhile).");
            }
            return await batch.AppendAsync(type, caller.UserId, access.Side, null, payload);
        }, ct);

    /// <summary>Expires open offers whose validity has passed, each with an <c>offer_expired</c> event; returns how many.</summary>
    public async Task<int> ExpireDueOffersAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.Offers.AsNoTracking().Where(o => o.Status == OfferStatus.Open && o.ValidUntil <= now)
            .OrderBy(o => o.ValidUntil).Select(o => new { o.Id, o.RoomId }).Take(200).ToListAsync(ct);
        var expired = 0;
        foreach (var offer in due)
        {
            // Accepted or withdrawn a moment ago: the conditional update finds it closed and nothing is recorded.
            expired += await WriteAsync(offer.RoomId, async batch =>
            {
                if (!await CloseOfferAsync(offer.Id, OfferStatus.Expired, now, ct, requireValid: false))
                {
                    return 0;
                }
                await batch.AppendAsync(RoomEventTypes.OfferExpired, null, null, null, new { offerId = offer.Id });
                return 1;
            }, ct);
        }
        return expired;
    }

    async Task<Offer> OfferInRoomAsync(Guid roomId, Guid offerId, CancellationToken ct) =>
        await db.Offers.AsNoTracking().SingleOrDefaultAsync(o => o.Id == offerId && o.RoomId == roomId, ct)
        ?? throw new NegotiationException(NegotiationErrors.NotFound, "Offer not found in this room.");

    async Task<Offer> OfferToAnswerAsync(RoomAccess access, Guid offerId, string verb, CancellationToken ct)
    {
        var offer = await OfferInRoomAsync(access.Room.Id, offerId, ct);
        if (offer.Side == access.Side)
        {
            throw new NegotiationException(NegotiationErrors.Forbidden, $"Only the side that received an offer can {verb} it; this one is your side's.");
        }
        return offer;
    }

    void RequireOpenOffer(Offer offer, string verb)
    {
        if (offer.Status != OfferStatus.Open)
        {
            throw new NegotiationException(NegotiationErrors.Conflict, $"The offer is {offer.Status.ToString().ToLowerInvariant()} and cannot be {verb}.");
        }
        if (offer.ValidUntil <= clock.GetUtcNow())
        {
            throw new NegotiationException(NegotiationErrors.Conflict, $"The offer expired at {offer.ValidUntil:u} and cannot be {verb}.");
        }
    }

    static void RequireOpen(NegotiationRoom room)
    {
        if (room.Status != RoomStatus.Open)
        {
            throw new NegotiationException(NegotiationErrors.Conflict, "This room has agreed a deal and takes no more offers; open a new room to negotiate again.");
        }
    }

    /// <summary>Open → <paramref name="status"/> if the offer is still open (and, unless expiring it, still valid).</summary>
    async Task<bool> CloseOfferAsync(Guid offerId, OfferStatus status, DateTimeOffset now, CancellationToken ct, bool requireValid = true) =>
        await db.Offers.Where(o => o.Id == offerId && o.Status == OfferStatus.Open && (!requireValid || o.ValidUntil > now))
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, status).SetProperty(o => o.ClosedAt, now), ct) == 1;

    OfferTermsInput? ReadTerms(JsonElement terms, ValidationErrors errors)
    {
        if (terms.ValueKind != JsonValueKind.Object)
        {
            errors.Add("terms", "A term sheet object.");
            return null;
        }
        try
        {
            return terms.Deserialize<OfferTermsInput>(_json);
        }
        catch (JsonException ex)
        {
            // The serializer's own message names our types; the path is what the client needs.
            errors.Add($"terms{ex.Path?.TrimStart('$')}", "Unknown field, or a value of the wrong type.");
            return null;
        }
    }

    // ---- Reading rooms ----

    public async Task<RoomResponse> RoomAsync(Caller caller, Guid roomId, CancellationToken ct)
    {
        var access = await AccessAsync(caller, roomId, ct);
        return (await ViewsAsync(caller, db.NegotiationRooms.Where(r => r.Id == roomId), access, ct)).Single();
    }

    /// <summary>Rooms of the caller's organizations, newest activity first.</summary>
    public async Task<IReadOnlyList<RoomResponse>> RoomsAsync(Caller caller, Side? role, (DateTimeOffset UpdatedAt, Guid Id)? after, int limit, CancellationToken ct)
    {
        var mine = organizations.OrganizationsOf(caller.UserId);
        var query = db.NegotiationRooms.Where(r =>
            (role != Side.Seller && mine.Contains(r.BuyerOrganizationId)) || (role != Side.Buyer && mine.Contains(r.SellerOrganizationId)));
        if (after is { } position)
        {
            query = query.Where(r => r.UpdatedAt < position.UpdatedAt || (r.UpdatedAt == position.UpdatedAt && r.Id < position.Id));
        }
        query = query.OrderByDescending(r => r.UpdatedAt).ThenByDescending(r => r.Id).Take(limit);
        return await ViewsAsync(caller, query, null, ct);
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
            DealId = db.Deals.Where(d => d.RoomId == r.Id).Select(d => (Guid?)d.Id).FirstOrDefault(),
        }).ToListAsync(ct);
        var ids = rows.Select(r => r.Room.Id).ToList();
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
                r.LastRead, r.Unread, openOffers.TryGetValue(r.Room.Id, out var open) ? ToResponse(open) : null, r.DealId, r.Room.CreatedAt, r.Room.UpdatedAt);
        }).ToList();
    }

    static RoomAccess AccessFromMemberships(NegotiationRoom room, Dictionary<Guid, OrganizationRole> memberships, bool moderator)
    {
        var best = memberships.Where(m => room.SideOf(m.Key) is not null).OrderBy(m => m.Value).Select(m => (KeyValuePair<Guid, OrganizationRole>?)m).FirstOrDefault();
        return best is { } b ? new RoomAccess(room, room.SideOf(b.Key), b.Value, moderator) : new RoomAccess(room, null, null, moderator);
    }

    // ---- The log ----

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction under the room's lock; the events it appends are published after
    /// the commit, in sequence order. A throw rolls everything back and publishes nothing.
    /// </summary>
    async Task<T> WriteAsync<T>(Guid roomId, Func<EventBatch, Task<T>> work, CancellationToken ct)
    {
        using var _ = await locks.EnterAsync(roomId, ct);
        var batch = new EventBatch(db, clock, roomId, _json, e => ToResponse(e, moderator: false));
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var result = await work(batch);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            // Still under the room's lock: the room's events leave this host in sequence order.
            await bus.PublishAsync(batch.Events.Select(e => ToMessage(ToResponse(e, moderator: false))).ToList(), ct);
            return result;
        }
        catch
        {
            db.ChangeTracker.Clear();
            throw;
        }
    }

    /// <summary>
    /// Stores an event once per client message id: a retry returns the stored event and stores nothing. The unique
    /// (room, client message id) index decides, so the first try costs no extra lookup.
    /// </summary>
    async Task<RoomEventResponse> AppendOnceAsync(RoomAccess access, Caller caller, string clientMessageId, Func<EventBatch, Task<RoomEventResponse>> append, CancellationToken ct)
    {
        try
        {
            return await WriteAsync(access.Room.Id, append, ct);
        }
        catch (DbUpdateException)
        {
            // A retry (or the same retry on another host at the same moment): the stored event is the answer.
            return await ExistingEventAsync(access.Room.Id, caller, clientMessageId, ct) ?? throw new NegotiationException(
                NegotiationErrors.Conflict, "The event could not be stored; try again with the same clientMessageId.");
        }
    }

    async Task<RoomEventResponse?> ExistingEventAsync(Guid roomId, Caller caller, string clientMessageId, CancellationToken ct)
    {
        var stored = await db.RoomEvents.AsNoTracking().SingleOrDefaultAsync(e => e.RoomId == roomId && e.ClientMessageId == clientMessageId, ct);
        if (stored is null)
        {
            return null;
        }
        if (stored.ActorUserId != caller.UserId)
        {
            throw new NegotiationException(NegotiationErrors.Conflict, "That clientMessageId is already used in this room by someone else.");
        }
        return ToResponse(stored, caller.IsModerator);
    }

    /// <summary>The events one write appends, each with the room's next sequence number.</summary>
    sealed class EventBatch(MarketDbContext db, TimeProvider clock, Guid roomId, JsonSerializerOptions json, Func<RoomEvent, RoomEventResponse> toResponse)
    {
        public List<RoomEvent> Events { get; } = [];

        /// <summary>Takes the room's next number; on PostgreSQL the update also locks the room row until commit.</summary>
        public async Task<long> NextSequenceAsync()
        {
            var now = clock.GetUtcNow();
            if (db.Database.IsNpgsql())
            {
                // One round trip instead of two; the row lock it takes orders concurrent writers until commit.
                return (await db.Database.SqlQuery<long>($"""
                    UPDATE "NegotiationRooms" SET "LastSequence" = "LastSequence" + 1, "UpdatedAt" = {now}
                    WHERE "Id" = {roomId} RETURNING "LastSequence" AS "Value"
                    """).ToListAsync()).Single();
            }
            await db.NegotiationRooms.Where(r => r.Id == roomId)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LastSequence, r => r.LastSequence + 1).SetProperty(r => r.UpdatedAt, now));
            return await db.NegotiationRooms.Where(r => r.Id == roomId).Select(r => r.LastSequence).SingleAsync();
        }

        public RoomEventResponse Add(long sequence, string type, Guid? actor, Side? side, string? clientMessageId, object payload)
        {
            var now = clock.GetUtcNow();
            var stored = new RoomEvent
            {
                Id = Guid.CreateVersion7(now), RoomId = roomId, Sequence = sequence, Type = type, ActorUserId = actor, ActorSide = side,
                ClientMessageId = clientMessageId, Payload = JsonSerializer.Serialize(payload, json), At = now,
            };
            db.RoomEvents.Add(stored);
            Events.Add(stored);
            return toResponse(stored);
        }

        public async Task<RoomEventResponse> AppendAsync(string type, Guid? actor, Side? side, string? clientMessageId, object payload) =>
            Add(await NextSequenceAsync(), type, actor, side, clientMessageId, payload);
    }

    static readonly JsonElement HiddenPayload = JsonDocument.Parse("""{"hidden":true}""").RootElement.Clone();

    public RoomEventResponse ToResponse(RoomEvent e, bool moderator)
    {
        var hidden = e.HiddenAt is not null;
        var payload = hidden && !moderator ? HiddenPayload : JsonDocument.Parse(e.Payload).RootElement.Clone();
        return new RoomEventResponse(e.RoomId, e.Sequence, e.Type, e.ActorUserId is { } user ? new EventActor(user, e.ActorSide) : null, e.At, payload, hidden);
    }

    RealtimeMessage ToMessage(RoomEventResponse e) =>
        new(RealtimeTopic, e.RoomId, RoomMessages.Event, JsonSerializer.Serialize(e, _json), e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>One stored event as every participant sees it (null when the room has no such event).</summary>
    public async Task<RoomEventResponse?> StoredEventAsync(Guid roomId, long sequence, CancellationToken ct) =>
        await db.RoomEvents.AsNoTracking().SingleOrDefaultAsync(e => e.RoomId == roomId && e.Sequence == sequence, ct) is { } e
            ? ToResponse(e, moderator: false)
            : null;

    public static OfferResponse ToResponse(Offer o) =>
        new(o.Id, o.Side, o.MadeBy, o.Status, o.Terms, o.ValidUntil, o.CounterToOfferId, o.Sequence, o.CreatedAt);

    static void CheckClientMessageId(string? id, ValidationErrors errors) =>
        errors.Check(id is not null && ClientMessageIdPattern().IsMatch(id), "clientMessageId",
            "1 to 64 letters, digits, '-', '_', ':' or '.', unique per message (a UUID serves well).");

    static string TitleOf(Listing listing) =>
        listing.Title.GetValueOrDefault("en") ?? listing.Title.GetValueOrDefault("ru") ?? listing.Title.Values.FirstOrDefault() ?? "a listing";

    [GeneratedRegex(@"^[A-Za-z0-9_\-:.]{1,64}$")]
    private static partial Regex ClientMessageIdPattern();
}
