using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.Organizations;

/// <summary>An organization's public facts: what anyone may know of a company trading here (no registration number, no members).</summary>
public sealed record OrganizationFacts(
    Guid Id, string Name, string CountryCode, OrganizationKind Kind, bool Verified, DateTimeOffset? VerifiedSince, DateTimeOffset MemberSince);

/// <summary>Public facts about organizations for other features' pages (names beside ids, profiles, verified sellers).</summary>
[FeatureContract]
public sealed class OrganizationDirectory(MarketDbContext db)
{
    public async Task<OrganizationFacts?> FactsAsync(Guid organizationId, CancellationToken ct) =>
        (await FactsAsync([organizationId], ct)).GetValueOrDefault(organizationId);

    public async Task<IReadOnlyDictionary<Guid, OrganizationFacts>> FactsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        (await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id)).ToListAsync(ct)).ToDictionary(o => o.Id, o => new OrganizationFacts(
            o.Id, o.Name, o.CountryCode, o.Kind, o.IsVerified, o.IsVerified ? o.VerificationDecidedAt : null, o.CreatedAt));

    /// <summary>Verified organizations, as a query other features compose into theirs.</summary>
    public IQueryable<Guid> Verified() => db.Organizations.Where(o => o.VerificationStatus == VerificationStatus.Verified).Select(o => o.Id);
}
