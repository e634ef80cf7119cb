using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.Accounts;

/// <summary>What other features may know about accounts: an ambassador's country, where to mail people, and their names.</summary>
[FeatureContract]
public sealed class AccountFacts(MarketDbContext db)
{
    public const int MaxDisplayNameLength = 60;

    /// <summary>The display names of those users who set one.</summary>
    public async Task<IReadOnlyDictionary<Guid, string>> DisplayNamesAsync(IReadOnlyCollection<Guid> userIds, CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id) && u.DisplayName != null).ToDictionaryAsync(u => u.Id, u => u.DisplayName!, ct);

    /// <summary>The country <paramref name="userId"/> is ambassador for; null when they hold no ambassador role.</summary>
    public async Task<string?> AmbassadorCountryAsync(Guid userId, CancellationToken ct)
    {
        var roleId = await db.Roles.Where(r => r.Name == PlatformRoles.Ambassador).Select(r => (Guid?)r.Id).SingleOrDefaultAsync(ct);
        if (roleId is null || !await db.UserRoles.AnyAsync(r => r.UserId == userId && r.RoleId == roleId, ct))
        {
            return null;
        }
        return await db.Users.Where(u => u.Id == userId).Select(u => u.AmbassadorCountryCode).SingleOrDefaultAsync(ct);
    }

    /// <summary>The confirmed mail addresses of the users (unconfirmed addresses get nothing).</summary>
    public async Task<IReadOnlyList<string>> ConfirmedEmailsAsync(IReadOnlyCollection<Guid> userIds, CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id) && u.EmailConfirmed && u.Email != null).Select(u => u.Email!).ToListAsync(ct);
}
