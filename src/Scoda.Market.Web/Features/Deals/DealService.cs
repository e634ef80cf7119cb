using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Deals;

/// <summary>An offer one side accepted in a room, with the stock held for it (if any): what a deal is made from.</summary>
public sealed record AcceptedOffer(
    Guid RoomId, Guid OfferId, Guid ListingId, Guid SellerOrganizationId, Guid BuyerOrganizationId, TermSheet Terms, Guid? ReservationId, Guid AcceptedBy);

/// <summary>A deal just agreed, as the room's <c>deal_created</c> event and notifications tell it.</summary>
public sealed record AgreedDeal(Guid Id, Money Total, Guid? ReservationId);

/// <summary>
/// Creates and changes deals; nobody else writes the Deals table. Live sessions and payments will come here too.
/// </summary>
[FeatureContract]
public sealed class DealService(MarketDbContext db, TimeProvider clock)
{
    /// <summary>
    /// Adds the deal for an accepted offer to the caller's transaction, which must be open: the room event, the deal and
    /// the reservation commit together or not at all. The caller's SaveChanges stores it; the unique index on the offer
    /// makes a second deal for the same offer fail the whole transaction.
    /// </summary>
    public AgreedDeal CreateFromAcceptedOffer(AcceptedOffer offer)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A deal is created inside the transaction that accepts the offer.");
        }
        var now = clock.GetUtcNow();
        var total = TotalOf(offer.Terms);
        var deal = new Deal
        {
            Id = Guid.CreateVersion7(now), RoomId = offer.RoomId, OfferId = offer.OfferId, ListingId = offer.ListingId,
            SellerOrganizationId = offer.SellerOrganizationId, BuyerOrganizationId = offer.BuyerOrganizationId, Status = DealStatus.Agreed,
            Terms = offer.Terms, TotalAmount = total.Amount, Currency = total.Currency, ReservationId = offer.ReservationId,
            AcceptedBy = offer.AcceptedBy, CreatedAt = now,
        };
        db.Deals.Add(deal);
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
}
