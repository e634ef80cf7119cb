using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Listings;

/// <summary>What a dashboard, a profile or the landing page shows of a listing.</summary>
public sealed record ListingCard(
    Guid Id, Guid SellerId, LocalizedText Title, string CategoryKey, ListingStatus Status, string OriginCountry, PriceResponse Price, Quantity Quantity,
    Quantity MinOrder, DateTimeOffset ValidUntil, DateTimeOffset? PublishedAt);

/// <summary>Published listings counted by commodity family (the taxonomy's top level).</summary>
public sealed record FamilyCount(string Key, LocalizedText Name, int Count);

/// <summary>Read-only summaries of listings for overview pages; callers pass organization ids they have authorized.</summary>
[FeatureContract]
public sealed class ListingSummaries(MarketDbContext db)
{
    public const int MaxCards = 200;

    /// <summary>The organization's listings in any status, most recently changed first (at most <see cref="MaxCards"/>).</summary>
    public async Task<IReadOnlyList<ListingCard>> OfOrganizationAsync(Guid organizationId, CancellationToken ct) =>
        (await db.Listings.AsNoTracking().Include(l => l.Category).Where(l => l.OrganizationId == organizationId)
            .OrderByDescending(l => l.UpdatedAt).Take(MaxCards).ToListAsync(ct)).Select(Card).ToList();

    /// <summary>Cards of the listings by id, in any status: the caller decides what its reader may see.</summary>
    public async Task<IReadOnlyDictionary<Guid, ListingCard>> CardsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        (await db.Listings.AsNoTracking().Include(l => l.Category).Where(l => ids.Contains(l.Id)).ToListAsync(ct)).ToDictionary(l => l.Id, Card);

    public Task<int> PublishedCountAsync(Guid organizationId, CancellationToken ct) =>
        db.Listings.CountAsync(l => l.OrganizationId == organizationId && l.Status == ListingStatus.Published, ct);

    /// <summary>The newest published listings of the given sellers (a query the caller composes, e.g. verified organizations).</summary>
    public async Task<IReadOnlyList<ListingCard>> RecentPublishedAsync(IQueryable<Guid> sellers, int limit, CancellationToken ct) =>
        (await db.Listings.AsNoTracking().Include(l => l.Category)
            .Where(l => l.Status == ListingStatus.Published && sellers.Contains(l.OrganizationId))
            .OrderByDescending(l => l.PublishedAt).ThenByDescending(l => l.Id).Take(limit).ToListAsync(ct)).Select(Card).ToList();

    /// <summary>Published listings per top-level commodity family, every family listed (zero included) in taxonomy order.</summary>
    public async Task<IReadOnlyList<FamilyCount>> FamilyCountsAsync(CancellationToken ct)
    {
        var categories = await db.Categories.AsNoTracking().ToListAsync(ct);
        var perCategory = await db.Listings.Where(l => l.Status == ListingStatus.Published).GroupBy(l => l.CategoryId)
            .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var pathOf = categories.ToDictionary(c => c.Id, c => c.Path);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in perCategory)
        {
            if (pathOf.TryGetValue(row.Key, out var path))
            {
                var family = path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];
                counts[family] = counts.GetValueOrDefault(family) + row.Count;
            }
        }
        return categories.Where(c => c.ParentId is null).OrderBy(c => c.SortOrder).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new FamilyCount(c.Key, c.Name, counts.GetValueOrDefault(c.Key))).ToList();
    }

    static ListingCard Card(Listing l) => new(
        l.Id, l.OrganizationId, l.Title, l.Category?.Key ?? "", l.Status, l.OriginCountry, new PriceResponse(l.PriceAmount, l.PriceCurrency, l.PriceUnit),
        new Quantity(l.Quantity, l.QuantityUnit), new Quantity(l.MinOrder, l.MinOrderUnit), l.ValidUntil, l.PublishedAt);
}
