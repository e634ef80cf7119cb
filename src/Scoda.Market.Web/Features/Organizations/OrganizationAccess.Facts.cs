namespace Scoda.Market.Web.Features.Organizations;

public sealed partial class OrganizationAccess
{
    /// <summary>The verified organizations of a country, as a query other features compose into theirs.</summary>
    public IQueryable<Guid> VerifiedIn(string countryCode) =>
        db.Organizations.Where(o => o.CountryCode == countryCode && o.VerificationStatus == VerificationStatus.Verified).Select(o => o.Id);
}
