using Microsoft.EntityFrameworkCore;

namespace Scoda.Market.Web.Features.Organizations;

/// <summary>What anyone may know of an organization: its name, country and whether its KYB verification stands.</summary>
public sealed record OrganizationFacts(Guid Id, string Name, string CountryCode, bool Verified);

public sealed partial class OrganizationAccess
{
    /// <summary>The public facts of the organizations that exist among <paramref name="organizationIds"/>.</summary>
    public async Task<IReadOnlyDictionary<Guid, OrganizationFacts>> FactsAsync(IReadOnlyCollection<Guid> organizationIds, CancellationToken ct) =>
        await db.Organizations.AsNoTracking().Where(o => organizationIds.Contains(o.Id))
            .Select(o => new OrganizationFacts(o.Id, o.Name, o.CountryCode, o.VerificationStatus == VerificationStatus.Verified))
            .ToDictionaryAsync(o => o.Id, ct);
}

public sealed partial class OrganizationAccess
{
    /// <summary>The verified organizations of a country, as a query other features compose into theirs.</summary>
    public IQueryable<Guid> VerifiedIn(string countryCode) =>
        db.Organizations.Where(o => o.CountryCode == countryCode && o.VerificationStatus == VerificationStatus.Verified).Select(o => o.Id);
}
