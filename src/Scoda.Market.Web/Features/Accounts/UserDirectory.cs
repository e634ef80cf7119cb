using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.Accounts;

/// <summary>What other features may know about people: where to write to them. Accounts' tables are read only through here.</summary>
[FeatureContract]
public sealed class UserDirectory(MarketDbContext db)
{
    /// <summary>Confirmed email addresses by user id; users without one are left out (mail goes only to proven addresses).</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> ConfirmedEmailsAsync(IReadOnlyCollection<Guid> userIds, CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id) && u.EmailConfirmed && u.Email != null)
            .ToDictionaryAsync(u => u.Id, u => u.Email!, ct);
}
