using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.BuyRequests;

/// <summary>A recent match as an overview lists it: which buy request, which listing, how well.</summary>
public sealed record MatchSummary(Guid BuyRequestId, Guid ListingId, string CategoryKey, int Score, DateTimeOffset CreatedAt);

/// <summary>Read-only views of matches for dashboards (matching itself is <see cref="Matchmaker"/>'s).</summary>
[FeatureContract]
public sealed class MatchSummaries(MarketDbContext db)
{
    public const int MaxRows = 50;

    /// <summary>Matches made since <paramref name="since"/> for the buyer organization's open buy requests, newest first.</summary>
    public async Task<IReadOnlyList<MatchSummary>> ForBuyerAsync(Guid organizationId, DateTimeOffset since, CancellationToken ct) =>
        await db.Matches.AsNoTracking()
            .Where(m => m.CreatedAt >= since && m.BuyRequest!.OrganizationId == organizationId && m.BuyRequest.Status == BuyRequestStatus.Open)
            .OrderByDescending(m => m.CreatedAt).Take(MaxRows)
            .Select(m => new MatchSummary(m.BuyRequestId, m.ListingId, m.BuyRequest!.Category!.Key, m.Score, m.CreatedAt)).ToListAsync(ct);

    /// <summary>Matches made since <paramref name="since"/> between open buy requests and the given listings (the seller's), newest first.</summary>
    public async Task<IReadOnlyList<MatchSummary>> ForListingsAsync(IReadOnlyCollection<Guid> listingIds, DateTimeOffset since, CancellationToken ct) =>
        await db.Matches.AsNoTracking()
            .Where(m => m.CreatedAt >= since && listingIds.Contains(m.ListingId) && m.BuyRequest!.Status == BuyRequestStatus.Open)
            .OrderByDescending(m => m.CreatedAt).Take(MaxRows)
            .Select(m => new MatchSummary(m.BuyRequestId, m.ListingId, m.BuyRequest!.Category!.Key, m.Score, m.CreatedAt)).ToListAsync(ct);
}
