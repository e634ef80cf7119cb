using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.FxRates;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Notifications;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Json;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>Offers, counters and their answers; accepting one makes the deal.</summary>
public sealed partial class NegotiationService
{
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
        var listing = await listings.TermsAsync(room.ListingId, ct) ?? throw new NegotiationException(NegotiationErrors.NotFound, "The listing is gone.");
        var side = access.Side!.Value;
        var sheet = OfferRules.Read(input!, listing, side, clock.GetUtcNow(), errors);
        if (sheet?.SourceWarehouseId is { } warehouseId && !await ledger.IsWarehouseOfAsync(warehouseId, room.SellerOrganizationId, ct))
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
        var amount = Decimals.Normalize(sheet!.Price.Amount).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var quantity = Decimals.Normalize(sheet.Quantity.Value).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await notifier.NotifyOrganizationsAsync([room.OrganizationOf(access.OtherSide)], "offer", new NotificationText(
                answered is null ? "offer_new" : "offer_counter",
                new Dictionary<string, string>
                {
                    ["listing"] = listing.DisplayTitle, ["amount"] = amount, ["currency"] = sheet.Price.Currency, ["unit"] = sheet.Price.Unit,
                    ["quantity"] = quantity, ["quantityUnit"] = sheet.Quantity.Unit,
                },
                $"{(answered is null ? "New offer" : "Counter-offer")} on {listing.DisplayTitle}: {amount} {sheet.Price.Currency}/{sheet.Price.Unit}, {quantity} {sheet.Quantity.Unit}"),
            $"/negotiations/{roomId}", ct);
        return stored;
    }

    /// <summary>
    /// Accepts the other side's open offer, bindingly: <paramref name="confirmation"/> must echo the offer's total (what
    /// the client showed), else nothing happens. When the total is above the accepting organization's approval threshold
    /// (compared in USD at the stored FX rates), the acceptance waits for a second Owner (an <c>acceptance_pending</c>
    /// event; the offer stays open and can still expire). Otherwise the offer closes, a deal with its terms frozen is
    /// created, and, when the offer names a warehouse, that quantity is reserved there, all in one transaction.
    /// </summary>
    public async Task<RoomEventResponse> AcceptOfferAsync(Caller caller, Guid roomId, Guid offerId, AcceptConfirmation? confirmation, CancellationToken ct)
    {
        var access = await ActorAccessAsync(caller, roomId, ct);
        var offer = await OfferToAnswerAsync(access, offerId, "accept", ct);
        RequireOpen(access.Room);
        RequireOpenOffer(offer, "accepted");
        var total = DealService.TotalOf(offer.Terms);
        RequireConfirmation(confirmation, total);
        var organizationId = access.Room.OrganizationOf(access.Side!.Value);
        if (await db.OfferApprovals.AsNoTracking().SingleOrDefaultAsync(a => a.OfferId == offerId, ct) is { } pending)
        {
            throw new NegotiationException(NegotiationErrors.Conflict, $"The acceptance of this offer already waits for a second Owner (approval {pending.Id}).");
        }
        if (await NeedsApprovalAsync(organizationId, total, ct) is { } threshold)
        {
            return await RequestApprovalAsync(access, caller, offer, organizationId, total, threshold, ct);
        }
        return await AgreeAsync(access, caller, offer, caller.UserId, null, ct);
    }

    /// <summary>
    /// A second Owner of the accepting organization approves a pending acceptance: the deal is made as if accepted now.
    /// The one who asked cannot approve; an offer that expired or was withdrawn meanwhile is a conflict.
    /// </summary>
    public async Task<RoomEventResponse> ApproveAcceptanceAsync(Caller caller, Guid roomId, Guid approvalId, CancellationToken ct)
    {
        var access = await ActorAccessAsync(caller, roomId, ct);
        var approval = await db.OfferApprovals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == approvalId && a.RoomId == roomId, ct);
        if (approval is null || access.Room.OrganizationOf(access.Side!.Value) != approval.OrganizationId)
        {
            throw new NegotiationException(NegotiationErrors.NotFound, "No such approval for your organization in this room.");
        }
        if (access.Role != Organizations.OrganizationRole.Owner)
        {
            throw new NegotiationException(NegotiationErrors.Forbidden, "Only an Owner approves an acceptance above the approval threshold.");
        }
        if (approval.RequestedBy == caller.UserId)
        {
            throw new NegotiationException(NegotiationErrors.Forbidden, "A second Owner must approve: not the one who accepted.");
        }
        if (approval.Status != OfferApprovalStatus.Pending)
        {
            throw new NegotiationException(NegotiationErrors.Conflict, "This acceptance was already approved.");
        }
        var offer = await OfferInRoomAsync(roomId, approval.OfferId, ct);
        RequireOpen(access.Room);
        RequireOpenOffer(offer, "accepted");
        return await AgreeAsync(access, caller, offer, approval.RequestedBy, approval, ct);
    }

    static void RequireConfirmation(AcceptConfirmation? confirmation, Money total)
    {
        if (confirmation?.Total is not { Amount: { } amount, Currency: { } currency })
        {
            throw NegotiationException.Invalid(new ValidationErrors().Add("confirmation.total",
                $"Accepting is binding: echo the offer's total ({Decimals.Normalize(total.Amount)} {total.Currency}) as {{ amount, currency }} to confirm."));
        }
        if (amount != total.Amount || !string.Equals(currency, total.Currency, StringComparison.Ordinal))
        {
            throw NegotiationException.Invalid(new ValidationErrors().Add("confirmation.total",
                $"The offer's total is {Decimals.Normalize(total.Amount)} {total.Currency}, not {Decimals.Normalize(amount)} {currency}: reload the offer and confirm what it says."));
        }
    }

    /// <summary>The organization's threshold when <paramref name="total"/> is above it; a currency without a rate counts as above.</summary>
    async Task<Money?> NeedsApprovalAsync(Guid organizationId, Money total, CancellationToken ct)
    {
        if (await organizations.ApprovalThresholdAsync(organizationId, ct) is not { } threshold)
        {
            return null;
        }
        if (threshold.Currency == total.Currency)
        {
            return total.Amount > threshold.Amount ? threshold : null;
        }
        var fx = await FxTable.LoadAsync(db, ct);
        return fx.ToUsd(total) is { } totalUsd && fx.ToUsd(threshold) is { } thresholdUsd && totalUsd <= thresholdUsd ? null : threshold;
    }

    async Task<RoomEventResponse> RequestApprovalAsync(
        RoomAccess access, Caller caller, Offer offer, Guid organizationId, Money total, Money threshold, CancellationToken ct)
    {
        var room = access.Room;
        var approvalId = Guid.Empty;
        var requested = await WriteAsync(room.Id, async batch =>
        {
            var now = clock.GetUtcNow();
            var approval = new OfferApproval
            {
                Id = Guid.CreateVersion7(now), RoomId = room.Id, OfferId = offer.Id, OrganizationId = organizationId, RequestedBy = caller.UserId,
                RequestedAt = now, TotalAmount = total.Amount, Currency = total.Currency, Status = OfferApprovalStatus.Pending,
            };
            approvalId = approval.Id;
            db.OfferApprovals.Add(approval);
            return await batch.AppendAsync(RoomEventTypes.AcceptancePending, caller.UserId, access.Side, null, new
            {
                offerId = offer.Id, approvalId, totalAmount = new { amount = total.Amount, currency = total.Currency },
                threshold = new { amount = threshold.Amount, currency = threshold.Currency }, validUntil = offer.ValidUntil,
            });
        }, ct);
        var amount = Decimals.Normalize(total.Amount).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var limit = Decimals.Normalize(threshold.Amount).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await notifier.NotifyOrganizationsAsync([organizationId], "approval", new NotificationText("approval_needed",
                new Dictionary<string, string> { ["amount"] = amount, ["currency"] = total.Currency, ["threshold"] = limit, ["thresholdCurrency"] = threshold.Currency },
                $"Acceptance needs a second Owner: {amount} {total.Currency} is above the approval threshold of {limit} {threshold.Currency}"),
            $"/negotiations/{room.Id}", ct);
        return requested;
    }

    /// <summary>Closes the offer, agrees the room, reserves the stock and creates the deal, in one transaction.</summary>
    async Task<RoomEventResponse> AgreeAsync(RoomAccess access, Caller caller, Offer offer, Guid acceptedBy, OfferApproval? approval, CancellationToken ct)
    {
        var room = access.Room;
        var roomId = room.Id;
        var offerId = offer.Id;
        AgreedDeal? deal = null;
        var accepted = await WriteAsync(roomId, async batch =>
        {
            var now = clock.GetUtcNow();
            if (approval is not null && await db.OfferApprovals.Where(a => a.Id == approval.Id && a.Status == OfferApprovalStatus.Pending)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, OfferApprovalStatus.Approved).SetProperty(a => a.ApprovedBy, caller.UserId)
                        .SetProperty(a => a.ApprovedAt, now), ct) == 0)
            {
                throw new NegotiationException(NegotiationErrors.Conflict, "This acceptance was approved meanwhile.");
            }
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
            Guid? reservationId = terms.SourceWarehouseId is { } warehouseId
                ? await ReserveAsync(room, warehouseId, terms, caller, ct)
                : null;
            deal = deals.CreateFromAcceptedOffer(new AcceptedOffer(
                roomId, offerId, room.ListingId, room.SellerOrganizationId, room.BuyerOrganizationId, terms, reservationId, acceptedBy, access.Side));
            var acceptedEvent = await batch.AppendAsync(RoomEventTypes.OfferAccepted, caller.UserId, access.Side, null,
                approval is null ? new { offerId } : new { offerId, approvalId = (Guid?)approval.Id, acceptedBy });
            await batch.AppendAsync(RoomEventTypes.DealCreated, null, null, null, new
            {
                dealId = deal.Id, offerId, terms, totalAmount = new { amount = deal.Total.Amount, currency = deal.Total.Currency }, reservationId,
            });
            return acceptedEvent;
        }, ct);
        var listing = await listings.TermsAsync(room.ListingId, ct);
        var title = listing?.DisplayTitle ?? "a listing";
        var total = Decimals.Normalize(deal!.Total.Amount).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await notifier.NotifyOrganizationsAsync([room.BuyerOrganizationId, room.SellerOrganizationId], "deal", new NotificationText("deal_agreed",
                new Dictionary<string, string> { ["listing"] = title, ["amount"] = total, ["currency"] = deal.Total.Currency },
                $"Deal agreed on {title}: {total} {deal.Total.Currency}"),
            $"/deals/{deal.Id}", ct);
        return accepted;
    }

    async Task<Guid> ReserveAsync(NegotiationRoom room, Guid warehouseId, TermSheet terms, Caller caller, CancellationToken ct)
    {
        // Held until the day after the delivery window closes; shipping or cancelling the deal releases it earlier.
        var holdUntil = new DateTimeOffset(terms.DeliveryWindow.To.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var hold = await ledger.HoldAsync(room.ListingId, warehouseId, terms.Quantity, room.BuyerOrganizationId, holdUntil,
            new StockLedger.Actor(caller.UserId, $"deal in negotiation {room.Id}"), ct);
        return hold switch
        {
            { ReservationId: { } id } => id,
            { WarehouseHoldsListing: false } => throw new NegotiationException(NegotiationErrors.Conflict, "The named warehouse holds no stock of this listing."),
            _ => throw new NegotiationException(NegotiationErrors.Conflict,
                $"Not enough stock available in the named warehouse for {Decimals.Normalize(terms.Quantity.Value)} {terms.Quantity.Unit}."),
        };
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
            var field = MarketJson.FieldOf(ex);
            errors.Add(field.Length == 0 ? "terms" : field.StartsWith('[') ? $"terms{field}" : $"terms.{field}", MarketJson.MessageOf(ex));
            return null;
        }
    }
}
