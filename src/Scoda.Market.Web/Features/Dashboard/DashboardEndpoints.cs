using Microsoft.AspNetCore.Http.HttpResults;
using Scoda.Market.Web.Features.BuyRequests;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.LiveSessions;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Dashboard;

public sealed record DashboardListing(Guid Id, LocalizedText Title, string CategoryKey);

public sealed record DashboardParty(Guid Id, string Name, string CountryCode, bool Verified);

public sealed record DashboardOffer(
    Guid RoomId, Guid OfferId, DashboardListing? Listing, DashboardParty? Counterparty, bool Counter, UnitPrice Price, Quantity Quantity,
    DateTimeOffset ValidUntil, long SecondsLeft);

public sealed record DashboardMatch(string Side, Guid BuyRequestId, DashboardListing? Listing, string CategoryKey, int Score, DateTimeOffset CreatedAt);

public sealed record DashboardDeal(Guid Id, DealStatus Status, string Side, DashboardListing? Listing, DashboardParty? Counterparty, Money Total, string NextAction, DateTimeOffset CreatedAt);

public sealed record DealGroup(DealStatus Status, int Count, IReadOnlyList<DashboardDeal> Items);

public sealed record DashboardRoom(Guid RoomId, DashboardListing? Listing, DashboardParty? Counterparty, long Unread, DateTimeOffset UpdatedAt);

public sealed record ExpiringListing(Guid Id, LocalizedText Title, string CategoryKey, DateTimeOffset ValidUntil, int DaysLeft);

public sealed record LowStockListing(Guid Id, LocalizedText Title, string CategoryKey, decimal Available, decimal Reserved, Quantity MinOrder);

public sealed record DashboardResponse(
    Guid OrganizationId, IReadOnlyList<DashboardOffer> OffersAwaitingMe, IReadOnlyList<DashboardOffer> MyOpenOffers, IReadOnlyList<DashboardMatch> NewMatches,
    IReadOnlyList<DealGroup> Deals, IReadOnlyList<DashboardRoom> UnreadRooms, IReadOnlyList<ExpiringListing> ExpiringListings,
    IReadOnlyList<LowStockListing> LowStock, IReadOnlyList<UpcomingLiveSession> UpcomingSessions);

/// <summary>The contracts a dashboard reads, resolved as one parameter.</summary>
public sealed record DashboardSources(
    OrganizationAccess Access, OrganizationDirectory Organizations, ListingSummaries Listings, NegotiationSummaries Negotiations, DealSummaries Deals,
    MatchSummaries Matches, StockSummaries Stock, LiveSessionService LiveSessions, CurrentUser User, TimeProvider Clock);

/// <summary>What needs the active organization today, in one call: every list is that organization's own, read through the owners' contracts.</summary>
public static class DashboardEndpoints
{
    public static readonly TimeSpan NewMatchWindow = TimeSpan.FromDays(7);
    public static readonly TimeSpan ExpiryWindow = TimeSpan.FromDays(7);

    /// <summary>Stock below this share of the listing's offered quantity (or below its minimum order) is low.</summary>
    public const decimal LowStockShare = 0.10m;

    /// <summary>Live sessions the dashboard lists (live now first, then the soonest to start).</summary>
    public const int UpcomingSessions = 5;

    public static IHostApplicationBuilder AddDashboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<DashboardSources>();
        return builder;
    }

    public static IEndpointRouteBuilder MapDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dashboard", Get).WithTags("Dashboard").WithName("GetDashboard").RequireAuthorization();
        return app;
    }

    static async Task<Results<Ok<DashboardResponse>, ValidationProblem, ProblemHttpResult>> Get(Guid? organizationId, DashboardSources s, CancellationToken ct)
    {
        if (organizationId is not { } orgId)
        {
            return ValidationErrors.For("organizationId", "Required: the organization whose day to show.");
        }
        var access = await s.Access.CheckAsync(orgId, OrganizationAction.Read, hideFromOutsiders: true, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only members see the organization's dashboard.");
        }
        var now = s.Clock.GetUtcNow();
        var own = await s.Listings.OfOrganizationAsync(orgId, ct);
        var published = own.Where(l => l.Status == ListingStatus.Published).ToList();
        var offers = await s.Negotiations.OpenOffersAsync(orgId, now, ct);
        var rooms = await s.Negotiations.UnreadRoomsAsync(s.User.Id, orgId, ct);
        var deals = await s.Deals.OfOrganizationAsync(orgId, ct);
        var since = now - NewMatchWindow;
        var matches = (await s.Matches.ForBuyerAsync(orgId, since, ct)).Select(m => (Side: "buyer", Match: m))
            .Concat((await s.Matches.ForListingsAsync(published.Select(l => l.Id).ToList(), since, ct)).Select(m => (Side: "seller", Match: m)))
            .OrderByDescending(x => x.Match.CreatedAt).ToList();
        var stock = await s.Stock.OfListingsAsync(published.Select(l => l.Id).ToList(), ct);

        // Names and titles of everything referenced, in two queries.
        var listingIds = offers.Select(o => o.ListingId).Concat(rooms.Select(r => r.ListingId)).Concat(deals.Select(d => d.ListingId))
            .Concat(matches.Select(m => m.Match.ListingId)).Distinct().ToList();
        var cards = await s.Listings.CardsAsync(listingIds, ct);
        var parties = await s.Organizations.FactsAsync(
            offers.Select(o => o.CounterpartyId).Concat(rooms.Select(r => r.CounterpartyId)).Concat(deals.Select(d => d.CounterpartyId)).Distinct().ToList(), ct);
        DashboardListing? Listing(Guid id) => cards.TryGetValue(id, out var c) ? new DashboardListing(c.Id, c.Title, c.CategoryKey) : null;
        DashboardParty? Party(Guid id) => parties.TryGetValue(id, out var p) ? new DashboardParty(p.Id, p.Name, p.CountryCode, p.Verified) : null;
        DashboardOffer Offer(OpenOfferSummary o) => new(o.RoomId, o.OfferId, Listing(o.ListingId), Party(o.CounterpartyId), o.Counter, o.Price, o.Quantity,
            o.ValidUntil, Math.Max(0, (long)(o.ValidUntil - now).TotalSeconds));

        var dealGroups = deals.GroupBy(d => d.Status).OrderBy(g => g.Key)
            .Select(g => new DealGroup(g.Key, g.Count(), g.Select(d => new DashboardDeal(d.Id, d.Status, d.Buying ? "buyer" : "seller", Listing(d.ListingId),
                Party(d.CounterpartyId), d.Total, NextAction(d.Status, d.Buying), d.CreatedAt)).ToList()))
            .ToList();
        var expiring = published.Where(l => l.ValidUntil <= now + ExpiryWindow).OrderBy(l => l.ValidUntil)
            .Select(l => new ExpiringListing(l.Id, l.Title, l.CategoryKey, l.ValidUntil, Math.Max(0, (int)Math.Ceiling((l.ValidUntil - now).TotalDays)))).ToList();
        var low = published.Where(l => stock.TryGetValue(l.Id, out var st) && st.Available < Math.Max(l.MinOrder.Value, l.Quantity.Value * LowStockShare))
            .Select(l => new LowStockListing(l.Id, l.Title, l.CategoryKey, stock[l.Id].Available, stock[l.Id].Reserved, l.MinOrder)).ToList();

        return TypedResults.Ok(new DashboardResponse(
            orgId,
            offers.Where(o => o.AwaitingUs).Select(Offer).ToList(),
            offers.Where(o => !o.AwaitingUs).Select(Offer).ToList(),
            matches.Select(x => new DashboardMatch(x.Side, x.Match.BuyRequestId, Listing(x.Match.ListingId), x.Match.CategoryKey, x.Match.Score, x.Match.CreatedAt)).ToList(),
            dealGroups,
            rooms.Select(r => new DashboardRoom(r.RoomId, Listing(r.ListingId), Party(r.CounterpartyId), r.Unread, r.UpdatedAt)).ToList(),
            expiring,
            low,
            await s.LiveSessions.UpcomingAsync(UpcomingSessions, ct)));
    }

    /// <summary>What the organization's side does next in a deal of this state (a code the client words); "none" when it waits.</summary>
    public static string NextAction(DealStatus status, bool buying) => (status.ToString(), buying) switch
    {
        ("Agreed" or "DepositPending", true) => "pay_deposit",
        ("Agreed" or "DepositPending", false) => "await_deposit",
        ("DepositPaid", false) => "ship",
        ("DepositPaid", true) => "await_shipment",
        ("Shipped", true) => "confirm_delivery",
        ("Shipped", false) => "await_delivery",
        ("Delivered", _) => "complete",
        ("Disputed", _) => "resolve_dispute",
        _ => "none",
    };
}
