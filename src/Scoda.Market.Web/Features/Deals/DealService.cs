using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Deals;

/// <summary>An offer one side (<paramref name="AcceptedAs"/>) accepted in a room, with the stock held for it (if any): what a deal is made from.</summary>
public sealed record AcceptedOffer(
    Guid RoomId, Guid OfferId, Guid ListingId, Guid SellerOrganizationId, Guid BuyerOrganizationId, TermSheet Terms, Guid? ReservationId, Guid AcceptedBy,
    Side? AcceptedAs = null);

/// <summary>A deal just agreed, as the room's <c>deal_created</c> event and notifications tell it.</summary>
public sealed record AgreedDeal(Guid Id, Money Total, Guid? ReservationId);

/// <summary>
/// Creates and changes deals; nobody else writes the Deals tables. Every change of state goes through
/// <see cref="DealTransitions"/>, is recorded in the deal's own event log and reaches the realtime bus after commit.
/// </summary>
[FeatureContract]
public sealed class DealService(
    MarketDbContext db, TimeProvider clock, StockLedger ledger, DealEventPublisher publisher, IEnumerable<IDealTransitionListener> listeners,
    IOptions<DealOptions> options, OrganizationAccess organizations)
{
    public const int MaxReasonLength = 500;

    /// <summary>
    /// Adds the deal for an accepted offer to the caller's transaction, which must be open: the room event, the deal and
    /// the reservation commit together or not at all. The caller's SaveChanges stores it; the unique index on the offer
    /// makes a second deal for the same offer fail the whole transaction.
    /// </summary>
    public AgreedDeal CreateFromAcceptedOffer(AcceptedOffer offer)
    {
        RequireTransaction();
        var now = clock.GetUtcNow();
        var total = TotalOf(offer.Terms);
        var deal = new Deal
        {
            Id = Guid.CreateVersion7(now), RoomId = offer.RoomId, OfferId = offer.OfferId, ListingId = offer.ListingId,
            SellerOrganizationId = offer.SellerOrganizationId, BuyerOrganizationId = offer.BuyerOrganizationId, Status = DealStatus.Agreed,
            Terms = offer.Terms, TotalAmount = total.Amount, Currency = total.Currency, ReservationId = offer.ReservationId,
            AcceptedBy = offer.AcceptedBy, CreatedAt = now, LastSequence = 1,
        };
        db.Deals.Add(deal);
        Stage(new DealEvent
        {
            Id = Guid.CreateVersion7(now), DealId = deal.Id, Sequence = 1, Kind = DealEventKinds.Created, ToStatus = DealStatus.Agreed,
            ActorUserId = offer.AcceptedBy, ActorSide = offer.AcceptedAs == Side.Seller ? DealActorSide.Seller : DealActorSide.Buyer, At = now,
        });
        return new AgreedDeal(deal.Id, total, deal.ReservationId);
    }

    /// <summary>Price × quantity in the price's unit and currency, rounded to cents (the contract value before tolerance).</summary>
    public static Money TotalOf(TermSheet terms)
    {
        Units.TryConvert(terms.Quantity.Value, terms.Quantity.Unit, terms.Price.Unit, out var priced);
        return new Money(Math.Round(priced * terms.Price.Amount, 2, MidpointRounding.ToEven), terms.Price.Currency);
    }

    /// <summary>The deal each of the rooms agreed, for the rooms that agreed one.</summary>
    public async Task<Dictionary<Guid, Guid>> DealsOfRoomsAsync(IReadOnlyCollection<Guid> roomIds, CancellationToken ct) =>
        (await db.Deals.AsNoTracking().Where(d => roomIds.Contains(d.RoomId)).Select(d => new { d.RoomId, d.Id }).ToListAsync(ct))
            .GroupBy(d => d.RoomId).ToDictionary(g => g.Key, g => g.First().Id);

    /// <summary>The deal's parties, state, total and deposit; null when there is no such deal.</summary>
    public async Task<DealFacts?> FactsAsync(Guid dealId, CancellationToken ct) =>
        await db.Deals.AsNoTracking().SingleOrDefaultAsync(d => d.Id == dealId, ct) is { } deal ? FactsOf(deal, deal.Status) : null;

    /// <summary>
    /// Moves the deal to <paramref name="to"/> on the system's behalf (payments confirming a deposit, say): stages the
    /// change, its event and the listeners' rows in the caller's open transaction; the caller commits, and the event is
    /// published after that commit. Nothing happens when the deal is already in <paramref name="to"/>; a transition the
    /// table does not give the system throws <see cref="DealConflictException"/>.
    /// </summary>
    public async Task AdvanceBySystemAsync(Guid dealId, DealStatus to, Guid? actorUserId, string reason, CancellationToken ct)
    {
        RequireTransaction();
        var deal = await db.Deals.AsNoTracking().SingleOrDefaultAsync(d => d.Id == dealId, ct)
            ?? throw new InvalidOperationException($"Deal {dealId} does not exist.");
        if (deal.Status == to)
        {
            return;
        }
        var transition = DealTransitions.Find(deal.Status, to);
        if (transition is null || (transition.By & DealParty.System) == 0)
        {
            throw Conflict(deal.Status, DealParty.System, $"A {deal.Status} deal cannot move to {to}.");
        }
        await TransitionAsync(deal, transition, actorUserId, reason, ct);
    }

    /// <summary>
    /// Makes <paramref name="transition"/> inside the open transaction: a conditional update of the status (the deal must
    /// still be where it was read, so two concurrent transitions cannot both happen), the stock effect, the event, the
    /// listeners; returns the event, published after commit.
    /// </summary>
    internal async Task<DealEvent> TransitionAsync(Deal deal, DealTransition transition, Guid? actorUserId, string? reason, CancellationToken ct)
    {
        var sequence = deal.LastSequence + 1;
        // Entering a dispute remembers where from (an admin may resume the deal there); any other move forgets it.
        DealStatus? disputedFrom = transition.To == DealStatus.Disputed ? transition.From : null;
        var moved = await db.Deals.Where(d => d.Id == deal.Id && d.Status == transition.From && d.LastSequence == deal.LastSequence)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, transition.To).SetProperty(d => d.LastSequence, sequence)
                .SetProperty(d => d.DisputedFrom, disputedFrom), ct);
        if (moved == 0)
        {
            var now = await db.Deals.AsNoTracking().Where(d => d.Id == deal.Id).Select(d => d.Status).SingleAsync(ct);
            throw Conflict(now, DealParty.System, "The deal changed meanwhile; reload it.");
        }
        await ApplyStockAsync(deal, transition, actorUserId, ct);
        var at = clock.GetUtcNow();
        var recorded = new DealEvent
        {
            Id = Guid.CreateVersion7(at), DealId = deal.Id, Sequence = sequence, Kind = DealEventKinds.Transition, FromStatus = transition.From,
            ToStatus = transition.To, ActorUserId = actorUserId, ActorSide = await SideOfAsync(deal.BuyerOrganizationId, deal.SellerOrganizationId, actorUserId, ct),
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), At = at,
        };
        db.DealEvents.Add(recorded);
        var facts = FactsOf(deal, transition.To);
        foreach (var listener in listeners)
        {
            await listener.OnTransitionAsync(facts, transition.From, transition.To, ct);
        }
        await db.SaveChangesAsync(ct);
        publisher.Stage(db, recorded);
        deal.Status = transition.To;
        deal.LastSequence = sequence;
        deal.DisputedFrom = disputedFrom;
        return recorded;
    }

    /// <summary>
    /// Appends a non-transition event (a document uploaded or reviewed, the contract generated) to the deal's log in the
    /// open transaction; the sequence moves on with an atomic increment, so concurrent writers never share a number.
    /// </summary>
    internal async Task<DealEvent> RecordAsync(Guid dealId, string kind, Guid? actorUserId, string? reason, Guid? documentId, CancellationToken ct)
    {
        RequireTransaction();
        await db.Deals.Where(d => d.Id == dealId).ExecuteUpdateAsync(s => s.SetProperty(d => d.LastSequence, d => d.LastSequence + 1), ct);
        var row = await db.Deals.AsNoTracking().Where(d => d.Id == dealId)
            .Select(d => new { d.LastSequence, d.BuyerOrganizationId, d.SellerOrganizationId }).SingleAsync(ct);
        var sequence = row.LastSequence;
        var at = clock.GetUtcNow();
        var recorded = new DealEvent
        {
            Id = Guid.CreateVersion7(at), DealId = dealId, Sequence = sequence, Kind = kind, ActorUserId = actorUserId,
            ActorSide = await SideOfAsync(row.BuyerOrganizationId, row.SellerOrganizationId, actorUserId, ct),
            Reason = reason is { Length: > MaxReasonLength } ? reason[..MaxReasonLength] : reason, DocumentId = documentId, At = at,
        };
        Stage(recorded);
        await db.SaveChangesAsync(ct);
        return recorded;
    }

    /// <summary>
    /// Shipping turns the reservation into a shipment movement; cancelling before shipment releases it (also a dispute
    /// opened before shipment and resolved as cancelled).
    /// </summary>
    async Task ApplyStockAsync(Deal deal, DealTransition transition, Guid? actorUserId, CancellationToken ct)
    {
        if (deal.ReservationId is not { } reservationId)
        {
            return;
        }
        var actor = new StockLedger.Actor(actorUserId, $"deal {deal.Id}");
        // Resuming a dispute opened after shipment ships nothing again.
        if (transition.To == DealStatus.Shipped && transition.From != DealStatus.Disputed && !await ledger.ShipReservationAsync(reservationId, actor, ct))
        {
            throw new DealConflictException(deal.Status, [],
                "The stock reserved for this deal is no longer available in its lot; the deal cannot ship from the ledger.");
        }
        if (transition.To == DealStatus.Cancelled && DealTransitions.IsCancelledBeforeShipment(transition.From, deal.DisputedFrom))
        {
            await ledger.ReleaseReservationAsync(reservationId, actor, ct);
        }
    }

    /// <summary>
    /// The side <paramref name="actorUserId"/> acts for in the deal, as it stands now: the system when nobody acted, a
    /// member of the buyer or the seller for that side, anyone else (a platform admin confirming money, resolving) admin.
    /// </summary>
    async Task<DealActorSide> SideOfAsync(Guid buyerOrganizationId, Guid sellerOrganizationId, Guid? actorUserId, CancellationToken ct)
    {
        if (actorUserId is not { } userId)
        {
            return DealActorSide.System;
        }
        var roles = await organizations.RolesByOrganizationAsync(userId, ct);
        return roles.ContainsKey(buyerOrganizationId) ? DealActorSide.Buyer
            : roles.ContainsKey(sellerOrganizationId) ? DealActorSide.Seller
            : DealActorSide.Admin;
    }

    internal DealFacts FactsOf(Deal deal, DealStatus status)
    {
        var total = new Money(deal.TotalAmount, deal.Currency);
        var deposit = new Money(Math.Round(deal.TotalAmount * options.Value.DepositShare, 2, MidpointRounding.ToEven), deal.Currency);
        return new DealFacts(deal.Id, status, deal.BuyerOrganizationId, deal.SellerOrganizationId, deal.ListingId, total, deposit,
            [deal.Terms.PaymentTerms], deal.Terms.Incoterm, deal.DisputedFrom);
    }

    internal static DealConflictException Conflict(DealStatus status, DealParty party, string detail, DealStatus? disputedFrom = null) =>
        new(status, DealTransitions.AllowedFor(status, party, disputedFrom), detail);

    void Stage(DealEvent recorded)
    {
        db.DealEvents.Add(recorded);
        publisher.Stage(db, recorded);
    }

    void RequireTransaction()
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Deals change inside the caller's open transaction.");
        }
    }
}
