using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.Listings;

/// <summary>
/// What other features may know about listings, and who may see one: published listings are public, anything else
/// only the seller's members see. Listings' tables are read by others only through here.
/// </summary>
[FeatureContract]
public sealed class ListingFacts(MarketDbContext db, OrganizationAccess organizations)
{
    /// <summary>Whether the caller of this request may see the listing (false when there is none).</summary>
    public async Task<bool> IsReadableAsync(Guid listingId, CancellationToken ct)
    {
        var listing = await db.Listings.AsNoTracking().Where(l => l.Id == listingId).Select(l => new { l.Status, l.OrganizationId }).SingleOrDefaultAsync(ct);
        return listing is not null && await CanReadAsync(listing.Status, listing.OrganizationId, ct);
    }

    /// <summary>Published listings are public; anything else only the seller's members see.</summary>
    public async Task<bool> CanReadAsync(ListingStatus status, Guid sellerId, CancellationToken ct) =>
        status == ListingStatus.Published || await organizations.IsMemberAsync(sellerId, ct);
}
