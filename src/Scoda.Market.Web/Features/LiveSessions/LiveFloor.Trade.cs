using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.FxRates;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.LiveSessions;

/// <summary>The trade side of a session: the pinned listing, firm interest, quote requests and the seller's first offer.</summary>
public sealed partial class LiveFloor
{
    public static readonly TimeSpan MinInterestValidity = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MaxInterestValidity = TimeSpan.FromDays(90);

    /// <summary>The host pins one listing at a time; one not yet featured must still qualify (and becomes featured).</summary>
    public async Task<LiveEventResponse> PinListingAsync(LiveCaller caller, Guid sessionId, Guid listingId, CancellationToken ct)
    {
        var (session, userId, role) = await HostAsync(caller, sessionId, moderatorsToo: false, ct);
        RequireLive(session);
        var listing = (await listings.ShowcaseAsync([listingId], ct)).SingleOrDefault();
        if (LiveSessionService.FeaturingProblem(listing, session.CountryCode) is { } problem)
        {
            throw LiveSessionException.Invalid("listingId", problem);
        }
        var card = await CardAsync(listing!, ct);
        var featured = await db.LiveSessionListings.AnyAsync(f => f.SessionId == sessionId && f.ListingId == listingId, ct);
        var pinned = await WriteAsync(sessionId, async batch =>
        {
            if (!featured)
            {
                var position = await db.LiveSessionListings.CountAsync(f => f.SessionId == sessionId, ct);
                db.LiveSessionListings.Add(LiveSessionService.Featured(sessionId, listing!, position));
            }
            var available = card.Stock.Available;
            await db.LiveSessions.Where(s => s.Id == sessionId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.PinnedListingId, listingId).SetProperty(x => x.PinnedAvailable, (decimal?)available), ct);
            return await batch.AppendAsync(LiveEventTypes.ListingPinned, userId, role, null, new { listing = card });
        }, ct);
        if (!featured)
        {
            await sessions.TellFeaturedAsync(session, [listing!], ct);
        }
        return ToResponse(pinned, moderator: true);
    }

    /// <summary>
    /// Tells the session's viewers the pinned listing's stock after it changed (<see cref="LivePinnedStock"/> calls this
    /// once a movement is committed): a <c>pinned_stock</c> event, only when the available figure differs from the one
    /// last announced (a conditional update decides, so replicas told of the same change announce it once). Null when
    /// nothing was announced.
    /// </summary>
    public async Task<LiveEventResponse?> AnnouncePinnedStockAsync(Guid sessionId, CancellationToken ct)
    {
        var announced = await WriteAsync<LiveEvent?>(sessionId, async batch =>
        {
            var session = await db.LiveSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, ct);
            if (session is not { Status: LiveSessionStatus.Live, PinnedListingId: { } listingId })
            {
                return null;
            }
            var stock = await ledger.TotalOfAsync(listingId, ct);
            var available = stock.Available;
            if (await db.LiveSessions.Where(s => s.Id == sessionId && s.PinnedListingId == listingId && (s.PinnedAvailable == null || s.PinnedAvailable != available))
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.PinnedAvailable, (decimal?)available), ct) == 0)
            {
                return null;
            }
            return await batch.AppendAsync(LiveEventTypes.PinnedStock, null, null, null,
                new { listingId, stock = new LiveStock(stock.OnHand, stock.Reserved, stock.Available, stock.Unit) });
        }, ct);
        return announced is null ? null : ToResponse(announced, moderator: false);
    }

    async Task<PinnedListing?> CardAsync(Guid listingId, CancellationToken ct) =>
        (await listings.ShowcaseAsync([listingId], ct)).SingleOrDefault() is { } listing ? await CardAsync(listing, ct) : null;

    async Task<PinnedListing> CardAsync(ListingShowcase l, CancellationToken ct)
    {
        var stock = await ledger.TotalOfAsync(l.Id, ct);
        return new PinnedListing(l.Id, l.Title, l.CategoryKey, l.Specs, l.Price, l.NormalizedPrice, l.Quantity, l.QuantityUnit, l.MinOrder, l.MinOrderUnit,
            l.Incoterm, l.NamedPlace, l.PaymentTerms, l.OriginCountry, l.Seller, new LiveStock(stock.OnHand, stock.Reserved, stock.Available, stock.Unit));
    }

    /// <summary>The listing as the session may trade it: pinned now or featured; anything else is refused.</summary>
    async Task<ListingShowcase> OnShowAsync(LiveSession session, Guid listingId, CancellationToken ct)
    {
        var shown = session.PinnedListingId == listingId
            || await db.LiveSessionListings.AnyAsync(f => f.SessionId == session.Id && f.ListingId == listingId, ct);
        var listing = shown ? (await listings.ShowcaseAsync([listingId], ct)).SingleOrDefault() : null;
        return listing is { Status: ListingStatus.Published }
            ? listing
            : throw LiveSessionException.Invalid("listingId", "Not a listing this session pins or features (or it is no longer published).");
    }

    /// <summary>
    /// The organization the caller buys for here: one where they trade (owner or trader) that is not the seller, verified
    /// ones first, then importers before exporters, then the oldest membership.
    /// </summary>
    async Task<MembershipView?> BuyerOrganizationAsync(Guid userId, Guid sellerId, bool verifiedOnly, CancellationToken ct) =>
        (await organizations.MembershipsAsync(userId, ct))
            .Where(m => m.OrganizationId != sellerId && OrganizationAccess.Permits(m.Role, OrganizationAction.Trade))
            .Where(m => !verifiedOnly || m.Verification == VerificationStatus.Verified)
            .OrderBy(m => m.Verification == VerificationStatus.Verified ? 0 : 1).ThenBy(m => m.Kind == OrganizationKind.Exporter ? 1 : 0)
            .FirstOrDefault();

    /// <summary>Firm interest from a member of a verified buyer organization, on a pinned or featured listing.</summary>
    public async Task<LiveEventResponse> ExpressInterestAsync(
        LiveCaller caller, Guid sessionId, Guid listingId, QuantityInput? quantity, PriceInput? priceHint, DateTimeOffset? validUntil, CancellationToken ct)
    {
        var (session, userId, role) = await ParticipantAsync(caller, sessionId, ct);
        var listing = await OnShowAsync(session, listingId, ct);
        var buyer = await BuyerOrganizationAsync(userId, listing.Seller.Id, verifiedOnly: true, ct)
            ?? throw new LiveSessionException(LiveErrors.Forbidden, "Firm interest comes from owners and traders of verified buyer organizations.");
        var now = clock.GetUtcNow();
        var errors = new ValidationErrors();
        var amount = ListingRules.ReadQuantity(quantity, "quantity", listing.CommodityUnit, errors);
        if (amount is { } q && Units.TryConvert(q.Value, q.Unit, listing.QuantityUnit, out var inListingUnit))
        {
            errors.Check(inListingUnit <= listing.Quantity, "quantity.value", $"More than the listing offers ({Decimals.Normalize(listing.Quantity)} {listing.QuantityUnit}).");
        }
        var hint = priceHint is null ? (UnitPrice?)null : ListingRules.ReadPrice(priceHint, listing.CommodityUnit, errors, "priceHint");
        errors.Check(validUntil is { } until && until >= now + MinInterestValidity && until <= now + MaxInterestValidity, "validUntil",
            $"Between {MinInterestValidity.TotalMinutes:0} minutes and {MaxInterestValidity.TotalDays:0} days from now.");
        if (!errors.IsValid)
        {
            throw LiveSessionException.Invalid(errors);
        }
        var value = await ValueUsdAsync(amount!.Value, hint, listing, ct);
        var interest = new LiveInterest
        {
            Id = Guid.CreateVersion7(now), SessionId = sessionId, ListingId = listingId, SellerOrganizationId = listing.Seller.Id,
            BuyerOrganizationId = buyer.OrganizationId, UserId = userId, Quantity = amount.Value.Value, Unit = amount.Value.Unit,
            PriceAmount = hint?.Amount, PriceCurrency = hint?.Currency, PriceUnit = hint?.Unit, ValueUsd = value,
            ValidUntil = validUntil!.Value.ToUniversalTime(), CreatedAt = now,
        };
        var stored = await WriteAsync(sessionId, async batch =>
        {
            await batch.AuthorOfAsync(userId);
            interest.Sequence = await batch.NextSequenceAsync();
            db.LiveInterests.Add(interest);
            // Everyone sees that interest came in and how much; the buyer and the price hint only the seller and host see.
            return await batch.AddAsync(interest.Sequence, LiveEventTypes.Interest, userId, role, null,
                new { interestId = interest.Id, listingId, quantity = interest.Quantity, unit = interest.Unit });
        }, ct);
        await notifier.NotifyOrganizationsAsync([listing.Seller.Id], LiveNotices.Interest,
            LiveNotices.InterestOf(buyer.Name, interest.Quantity, interest.Unit, listing.DisplayTitle), $"/live/{sessionId}", ct);
        return ToResponse(stored, caller.IsModerator);
    }

    /// <summary>Quantity × price (the hint, else the listing's) in US dollars at today's FX rates; null when it does not convert.</summary>
    async Task<decimal?> ValueUsdAsync(Quantity quantity, UnitPrice? hint, ListingShowcase listing, CancellationToken ct)
    {
        var basis = listing.CommodityUnit ?? listing.QuantityUnit;
        if (!Units.TryConvert(quantity.Value, quantity.Unit, basis, out var inBasis))
        {
            return null;
        }
        var perBasis = hint is { } price ? (await FxTable.LoadAsync(db, ct)).Normalize(price, basis)?.Usd : listing.NormalizedPriceUsd;
        return perBasis is { } usd ? Math.Round(usd * inBasis, 2, MidpointRounding.ToEven) : null;
    }

    /// <summary>Opens (or returns) the negotiation room for the listing and the caller's buyer organization, noting the session in it.</summary>
    public async Task<QuoteResponse> RequestQuoteAsync(LiveCaller caller, Guid sessionId, Guid listingId, CancellationToken ct)
    {
        var (session, userId, _) = await ParticipantAsync(caller, sessionId, ct);
        var listing = await OnShowAsync(session, listingId, ct);
        var buyer = await BuyerOrganizationAsync(userId, listing.Seller.Id, verifiedOnly: false, ct)
            ?? throw new LiveSessionException(LiveErrors.Forbidden, "Quotes are requested for a buyer organization in which you are an owner or trader.");
        var (roomId, created) = await OpenRoomAsync(new Caller(userId, caller.IsModerator), session, listingId, buyer.OrganizationId, ct);
        return new QuoteResponse(roomId, created);
    }

    async Task<(Guid RoomId, bool Created)> OpenRoomAsync(Caller buyer, LiveSession session, Guid listingId, Guid buyerOrganizationId, CancellationToken ct)
    {
        var announced = await db.LiveSessionRooms.AnyAsync(r => r.SessionId == session.Id && r.ListingId == listingId && r.BuyerOrganizationId == buyerOrganizationId, ct);
        (Guid RoomId, bool Created) room;
        try
        {
            room = await negotiations.OpenRoomFromSessionAsync(buyer, listingId, buyerOrganizationId,
                new LiveSessionOrigin(session.Id, LiveSessionService.TitleOf(session)), announce: !announced, ct);
        }
        catch (NegotiationException ex)
        {
            throw new LiveSessionException(ex.Code, ex.Detail, ex.Errors);
        }
        if (!await db.LiveSessionRooms.AnyAsync(r => r.SessionId == session.Id && r.RoomId == room.RoomId, ct))
        {
            db.LiveSessionRooms.Add(new LiveSessionRoom
            {
                SessionId = session.Id, RoomId = room.RoomId, ListingId = listingId, BuyerOrganizationId = buyerOrganizationId, OpenedAt = clock.GetUtcNow(),
            });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear(); // the same request on another connection recorded it first
            }
        }
        return room;
    }

    /// <summary>
    /// The seller turns an interest into a first offer in the room for that listing and buyer (opened on the buyer's
    /// behalf when there is none: they asked to trade), terms prefilled from the interest and the listing.
    /// </summary>
    public async Task<InterestOfferResponse> OfferFromInterestAsync(LiveCaller caller, Guid sessionId, Guid interestId, CancellationToken ct)
    {
        var userId = caller.RequireUser();
        var interest = await db.LiveInterests.AsNoTracking().SingleOrDefaultAsync(i => i.Id == interestId && i.SessionId == sessionId, ct);
        if (interest is null || !await organizations.MayAsync(userId, interest.SellerOrganizationId, OrganizationAction.Read, ct))
        {
            throw new LiveSessionException(LiveErrors.NotFound, "The session has no such interest for your organization.");
        }
        if (!await organizations.MayAsync(userId, interest.SellerOrganizationId, OrganizationAction.Trade, ct))
        {
            throw new LiveSessionException(LiveErrors.Forbidden, "Owners and traders of the seller make offers.");
        }
        var now = clock.GetUtcNow();
        if (interest.ValidUntil < now + MinInterestValidity)
        {
            throw new LiveSessionException(LiveErrors.Conflict, "The interest has lapsed (or is about to); ask the buyer in a room instead.");
        }
        var session = await SessionAsync(sessionId, ct);
        var listing = (await listings.ShowcaseAsync([interest.ListingId], ct)).Single();
        var (roomId, _) = await OpenRoomAsync(new Caller(interest.UserId, false), session, interest.ListingId, interest.BuyerOrganizationId, ct);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var from = today.AddDays(Math.Max(listing.LeadTimeDays, 1));
        var terms = new OfferTermsInput(
            new PriceInput(interest.PriceAmount ?? listing.Price.Amount, interest.PriceCurrency ?? listing.Price.Currency, interest.PriceUnit ?? listing.Price.Unit),
            new QuantityInput(interest.Quantity, interest.Unit), 0m, listing.Incoterm, listing.NamedPlace, null,
            new DeliveryWindowInput(from, from.AddDays(30)), (listing.PaymentTerms.Count > 0 ? listing.PaymentTerms[0] : "tt_against_documents"), null, null, null,
            interest.ValidUntil < now + TimeSpan.FromDays(7) ? interest.ValidUntil : now + TimeSpan.FromDays(7), null);
        RoomEventResponse offer;
        try
        {
            offer = await negotiations.MakeOfferFromSessionAsync(new Caller(userId, caller.IsModerator), roomId, $"live-interest-{interestId:N}", terms, ct);
        }
        catch (NegotiationException ex)
        {
            throw new LiveSessionException(ex.Code, ex.Detail, ex.Errors);
        }
        await db.LiveInterests.Where(i => i.Id == interestId).ExecuteUpdateAsync(s => s.SetProperty(i => i.RoomId, roomId), ct);
        return new InterestOfferResponse(roomId, offer.Sequence, offer.Payload.GetProperty("offer").GetProperty("id").GetGuid());
    }

    /// <summary>Interests of a session: the host sees all, a seller's members those on their listings, a buyer's their own.</summary>
    public async Task<IReadOnlyList<InterestResponse>> InterestsAsync(LiveCaller caller, Guid sessionId, CancellationToken ct)
    {
        var userId = caller.RequireUser();
        var session = await SessionAsync(sessionId, ct);
        var query = db.LiveInterests.AsNoTracking().Where(i => i.SessionId == sessionId);
        if (session.HostUserId != userId && !caller.IsModerator)
        {
            var mine = organizations.OrganizationsOf(userId);
            query = query.Where(i => mine.Contains(i.SellerOrganizationId) || mine.Contains(i.BuyerOrganizationId));
        }
        var rows = await query.OrderBy(i => i.Sequence).Take(MaxEventsPerRead).ToListAsync(ct);
        return rows.Select(i => new InterestResponse(i.Id, i.SessionId, i.ListingId, i.SellerOrganizationId, i.BuyerOrganizationId, i.UserId, i.Quantity, i.Unit,
            i.PriceAmount is { } amount ? new PriceResponse(amount, i.PriceCurrency!, i.PriceUnit!) : null, i.ValueUsd, i.ValidUntil, i.CreatedAt, i.Sequence, i.RoomId)).ToList();
    }
}

/// <summary>Hears every committed stock movement and announces the new figures to the live sessions that pin that listing.</summary>
public sealed class LivePinnedStock(MarketDbContext db, LiveFloor floor) : IStockChangeListener
{
    public async Task OnStockChangedAsync(IReadOnlyCollection<Guid> listingIds, CancellationToken ct)
    {
        var ids = listingIds.ToList();
        var sessions = await db.LiveSessions.AsNoTracking()
            .Where(s => s.Status == LiveSessionStatus.Live && s.PinnedListingId != null && ids.Contains(s.PinnedListingId.Value))
            .Select(s => s.Id).ToListAsync(ct);
        foreach (var session in sessions)
        {
            await floor.AnnouncePinnedStockAsync(session, ct);
        }
    }
}
