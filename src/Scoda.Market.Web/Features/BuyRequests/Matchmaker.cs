using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Search;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Notifications;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.BuyRequests;

/// <summary>
/// Pairs buy requests with listings both ways: a new buy request is searched against the index and stored as a
/// standing query; a listing as it is indexed is percolated against the stored queries. Each pair is scored, kept as a
/// <see cref="Match"/>, and both sides are notified of new ones.
/// </summary>
[FeatureContract]
public sealed class Matchmaker(MarketDbContext db, IListingIndex index, Notifier notifier, TimeProvider clock)
{
    public const int InitialMatches = 100;

    public static ListingQuery QueryOf(BuyRequest request) => new()
    {
        Categories = [request.Category!.Key],
        Origins = request.OriginCountries,
        WithFacets = false,
    };

    /// <summary>Stores (or removes) the buy request's standing query and matches it against the listings already indexed.</summary>
    public async Task MatchBuyRequestAsync(Guid buyRequestId, CancellationToken ct)
    {
        var request = await db.BuyRequests.Include(b => b.Category).SingleOrDefaultAsync(b => b.Id == buyRequestId, ct);
        if (request is null || request.Status != BuyRequestStatus.Open)
        {
            await index.DeleteQueryAsync(buyRequestId, ct);
            return;
        }
        await index.StoreQueryAsync(new StoredQuery(request.Id, QueryOf(request)), ct);
        var page = await index.SearchAsync(QueryOf(request) with { Limit = InitialMatches, Sort = ListingSort.Newest }, ct);
        await RecordAsync(request, page.Hits.Select(h => h.Document).ToList(), ct);
    }

    /// <summary>Scores one freshly indexed listing against the buy requests whose stored queries it matched.</summary>
    public async Task MatchListingAsync(ListingDocument listing, IReadOnlyList<Guid> buyRequestIds, CancellationToken ct)
    {
        var requests = await db.BuyRequests.Include(b => b.Category)
            .Where(b => buyRequestIds.Contains(b.Id) && b.Status == BuyRequestStatus.Open).ToListAsync(ct);
        foreach (var request in requests)
        {
            await RecordAsync(request, [listing], ct);
        }
    }

    /// <summary>A listing left the market (unpublished, closed): its matches go too.</summary>
    public Task ForgetListingAsync(Guid listingId, CancellationToken ct) =>
        db.Matches.Where(m => m.ListingId == listingId).ExecuteDeleteAsync(ct);

    async Task RecordAsync(BuyRequest request, IReadOnlyList<ListingDocument> listings, CancellationToken ct)
    {
        var units = request.Category!.Specs.ToDictionary(s => s.Key, s => s.Unit);
        var ids = listings.Select(l => l.Id).ToList();
        var existing = await db.Matches.Where(m => m.BuyRequestId == request.Id && ids.Contains(m.ListingId)).ToDictionaryAsync(m => m.ListingId, ct);
        var now = clock.GetUtcNow();
        var fresh = new List<ListingDocument>();
        foreach (var listing in listings.Where(l => l.SellerId != request.OrganizationId))
        {
            var verdict = MatchScorer.Score(request, listing, units);
            existing.TryGetValue(listing.Id, out var match);
            if (!verdict.Qualifies)
            {
                if (match is not null)
                {
                    db.Matches.Remove(match);
                }
                continue;
            }
            if (match is null)
            {
                db.Matches.Add(new Match
                {
                    Id = Guid.CreateVersion7(now), BuyRequestId = request.Id, ListingId = listing.Id, Score = verdict.Score,
                    Reasons = new(verdict.Reasons), CreatedAt = now, UpdatedAt = now,
                });
                fresh.Add(listing);
            }
            else
            {
                match.Score = verdict.Score;
                match.Reasons = new(verdict.Reasons);
                match.UpdatedAt = now;
            }
        }
        await db.SaveChangesAsync(ct);
        if (fresh.Count == 0)
        {
            return;
        }

        var commodity = request.Category.Name.GetValueOrDefault("en") ?? request.Category.Key;
        await notifier.NotifyOrganizationsAsync([request.OrganizationId], "match", new NotificationText("match_buyer",
                new Dictionary<string, string> { ["count"] = fresh.Count.ToString(CultureInfo.InvariantCulture), ["commodity"] = request.Category.Key },
                fresh.Count == 1 ? $"A new listing matches your buy request for {commodity}" : $"{fresh.Count} listings match your buy request for {commodity}"),
            $"/buy-requests/{request.Id}", ct);
        var quantity = Decimals.Normalize(request.Quantity).ToString(CultureInfo.InvariantCulture);
        foreach (var listing in fresh)
        {
            await notifier.NotifyOrganizationsAsync([listing.SellerId], "match", new NotificationText("match_seller",
                    new Dictionary<string, string>
                    {
                        ["commodity"] = request.Category.Key, ["quantity"] = quantity, ["unit"] = request.QuantityUnit, ["incoterm"] = request.Incoterm,
                        ["place"] = request.NamedPlace, ["deliveryBy"] = request.DeliveryBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    },
                    $"A buyer is looking for {commodity}: {quantity} {request.QuantityUnit}, {request.Incoterm} {request.NamedPlace}, by {request.DeliveryBy:yyyy-MM-dd}"),
                $"/listings/{listing.Id}", ct);
        }
    }
}
