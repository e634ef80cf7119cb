using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Deals;

/// <summary>A deal as an overview lists it: its state, which side the organization is on, the other side and the value.</summary>
public sealed record DealSummary(Guid Id, DealStatus Status, bool Buying, Guid CounterpartyId, Guid ListingId, Money Total, DateTimeOffset CreatedAt);

/// <summary>Read-only views of deals for dashboards and public profiles.</summary>
[FeatureContract]
public sealed class DealSummaries(MarketDbContext db)
{
    public const int MaxDeals = 200;

    /// <summary>The organization's deals on either side, newest first (at most <see cref="MaxDeals"/>).</summary>
    public async Task<IReadOnlyList<DealSummary>> OfOrganizationAsync(Guid organizationId, CancellationToken ct) =>
        (await db.Deals.AsNoTracking().Where(d => d.BuyerOrganizationId == organizationId || d.SellerOrganizationId == organizationId)
            .OrderByDescending(d => d.CreatedAt).Take(MaxDeals).ToListAsync(ct))
        .Select(d => new DealSummary(d.Id, d.Status, d.BuyerOrganizationId == organizationId,
            d.BuyerOrganizationId == organizationId ? d.SellerOrganizationId : d.BuyerOrganizationId, d.ListingId, new Money(d.TotalAmount, d.Currency), d.CreatedAt))
        .ToList();

    /// <summary>Deals the organization completed on the platform, on either side (a public track record).</summary>
    public Task<int> CompletedCountAsync(Guid organizationId, CancellationToken ct) =>
        db.Deals.CountAsync(d => d.Status == DealStatus.Completed && (d.BuyerOrganizationId == organizationId || d.SellerOrganizationId == organizationId), ct);
}
