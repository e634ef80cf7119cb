using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Organizations;

/// <summary>What a caller wants to do for an organization.</summary>
public enum OrganizationAction
{
    /// <summary>See its private data: any member.</summary>
    Read,

    /// <summary>Act for it (listings, stock, buy requests, offers, deals): owners and traders.</summary>
    Trade,

    /// <summary>Change the organization itself and its members: owners.</summary>
    Manage,
}

/// <summary>
/// The outcome of an organization check, in the terms of DESIGN.md: no identity is 401; an unknown organization, or
/// another organization's private data, is 404; a known resource the caller may see but not change is 403.
/// </summary>
public enum Access
{
    Allowed,
    NotFound,
    Forbidden,
    Unauthenticated,
}

/// <summary>One of a user's memberships: the organization and the role there (composable into other features' queries).</summary>
public sealed record MemberRole
{
    public Guid UserId { get; init; }

    public Guid OrganizationId { get; init; }
    public OrganizationRole Role { get; init; }
}

/// <summary>A user's membership with what the client shows about the organization.</summary>
public sealed record MembershipView(
    Guid OrganizationId, string Name, string CountryCode, OrganizationKind Kind, OrganizationRole Role, VerificationStatus Verification);

/// <summary>
/// The one place that answers "may this caller read / trade / manage for this organization, and what does an outsider
/// get". Every feature asks here (the <c>Organization.*</c> policies too); nobody else reads memberships for roles.
/// Methods without a user id answer for the signed-in caller of the request; hub calls and workers pass the user id.
/// </summary>
/// <summary>An organization as a contract names it.</summary>
/// <summary>An organization's legal identity; the Russian and Chinese legal names where it gave them.</summary>
public sealed record OrganizationIdentity(Guid Id, string Name, string CountryCode, string RegistrationNumber, string? LegalNameRu = null, string? LegalNameZh = null);

[FeatureContract]
public sealed partial class OrganizationAccess(MarketDbContext db, CurrentUser user)
{
    /// <summary>Whether <paramref name="role"/> (null: not a member) may do <paramref name="action"/>.</summary>
    public static bool Permits(OrganizationRole? role, OrganizationAction action) => (role, action) switch
    {
        (null, _) => false,
        (OrganizationRole.Owner, _) => true,
        (OrganizationRole.Trader, OrganizationAction.Read or OrganizationAction.Trade) => true,
        (OrganizationRole.Viewer, OrganizationAction.Read) => true,
        _ => false,
    };

    /// <summary>
    /// The rule, in one place: no identity is <see cref="Access.Unauthenticated"/>; an unknown organization is
    /// <see cref="Access.NotFound"/>; a member without the role is <see cref="Access.Forbidden"/>; an outsider is
    /// <see cref="Access.NotFound"/> where the data is private (<paramref name="hideFromOutsiders"/>), else
    /// <see cref="Access.Forbidden"/> (the organization's public profile is no secret).
    /// </summary>
    public static Access Decide(bool authenticated, bool organizationExists, OrganizationRole? role, OrganizationAction action, bool hideFromOutsiders) =>
        !authenticated ? Access.Unauthenticated
        : !organizationExists ? Access.NotFound
        : Permits(role, action) ? Access.Allowed
        : role is null && hideFromOutsiders ? Access.NotFound
        : Access.Forbidden;

    /// <summary>Checks the caller of this request against <see cref="Decide"/>.</summary>
    public async Task<Access> CheckAsync(Guid organizationId, OrganizationAction action, bool hideFromOutsiders, CancellationToken ct)
    {
        var userId = CurrentUser.IdOf(user.Principal);
        var exists = await db.Organizations.AnyAsync(o => o.Id == organizationId, ct);
        var role = userId is { } id && exists ? await RoleAsync(id, organizationId, ct) : null;
        return Decide(userId is not null, exists, role, action, hideFromOutsiders);
    }

    /// <summary>The role of <paramref name="userId"/> in the organization; null when not a member.</summary>
    public async Task<OrganizationRole?> RoleAsync(Guid userId, Guid organizationId, CancellationToken ct) =>
        await db.Memberships.Where(m => m.OrganizationId == organizationId && m.UserId == userId)
            .Select(m => (OrganizationRole?)m.Role).FirstOrDefaultAsync(ct);

    /// <summary>Whether the caller of this request belongs to the organization (any role); false when signed out.</summary>
    public async Task<bool> IsMemberAsync(Guid organizationId, CancellationToken ct) =>
        CurrentUser.IdOf(user.Principal) is { } userId && await RoleAsync(userId, organizationId, ct) is not null;

    /// <summary>Whether the organization's KYB verification stands (verified, not pending, rejected or withdrawn).</summary>
    public Task<bool> IsVerifiedAsync(Guid organizationId, CancellationToken ct) =>
        db.Organizations.AnyAsync(o => o.Id == organizationId && o.VerificationStatus == VerificationStatus.Verified, ct);

    /// <summary>Whether <paramref name="userId"/> may do <paramref name="action"/> for the organization.</summary>
    public async Task<bool> MayAsync(Guid userId, Guid organizationId, OrganizationAction action, CancellationToken ct) =>
        Permits(await RoleAsync(userId, organizationId, ct), action);

    /// <summary>The organizations <paramref name="userId"/> belongs to, as a query other features compose into theirs.</summary>
    public IQueryable<Guid> OrganizationsOf(Guid userId) =>
        db.Memberships.Where(m => m.UserId == userId).Select(m => m.OrganizationId);

    /// <summary>The user's roles, as a query other features compose into theirs (one round trip for a room's access).</summary>
    public IQueryable<MemberRole> RolesOf(Guid userId) =>
        db.Memberships.Where(m => m.UserId == userId).Select(m => new MemberRole { UserId = m.UserId, OrganizationId = m.OrganizationId, Role = m.Role });

    /// <summary>The roles of several users at once, as a query other features compose into theirs (one round trip for a batch).</summary>
    public IQueryable<MemberRole> RolesOf(IReadOnlyCollection<Guid> userIds) =>
        db.Memberships.Where(m => userIds.Contains(m.UserId)).Select(m => new MemberRole { UserId = m.UserId, OrganizationId = m.OrganizationId, Role = m.Role });

    /// <summary>The user's role in each of their organizations.</summary>
    public async Task<Dictionary<Guid, OrganizationRole>> RolesByOrganizationAsync(Guid userId, CancellationToken ct) =>
        await db.Memberships.AsNoTracking().Where(m => m.UserId == userId).ToDictionaryAsync(m => m.OrganizationId, m => m.Role, ct);

    /// <summary>The user's memberships, oldest first, with what a client shows about each organization.</summary>
    public async Task<IReadOnlyList<MembershipView>> MembershipsAsync(Guid userId, CancellationToken ct) =>
        await db.Memberships.AsNoTracking().Where(m => m.UserId == userId).OrderBy(m => m.CreatedAt)
            .Select(m => new MembershipView(m.OrganizationId, m.Organization!.Name, m.Organization.CountryCode, m.Organization.Kind, m.Role,
                m.Organization.VerificationStatus))
            .ToListAsync(ct);

    /// <summary>Everyone who belongs to any of the organizations (to tell them something).</summary>
    public async Task<IReadOnlyList<Guid>> MembersOfAsync(IReadOnlyCollection<Guid> organizationIds, CancellationToken ct) =>
        await db.Memberships.AsNoTracking().Where(m => organizationIds.Contains(m.OrganizationId)).Select(m => m.UserId).Distinct().ToListAsync(ct);

    /// <summary>How a contract names the organization: name, country and registration number; null when there is none.</summary>
    public async Task<OrganizationIdentity?> IdentityAsync(Guid organizationId, CancellationToken ct) =>
        await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId)
            .Select(o => new OrganizationIdentity(o.Id, o.Name, o.CountryCode, o.RegistrationNumber, o.LegalNameRu, o.LegalNameZh)).SingleOrDefaultAsync(ct);

    /// <summary>The organization's approval threshold (<see cref="Organization.ApprovalThresholdAmount"/>); null when it sets none.</summary>
    public async Task<Money?> ApprovalThresholdAsync(Guid organizationId, CancellationToken ct) =>
        await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId && o.ApprovalThresholdAmount != null)
            .Select(o => new { o.ApprovalThresholdAmount, o.ApprovalThresholdCurrency }).SingleOrDefaultAsync(ct) is { } found
            ? new Money(found.ApprovalThresholdAmount!.Value, found.ApprovalThresholdCurrency!)
            : null;

    /// <summary>Maps a refused check to its problem: 401, 404 (the organization) or 403 with <paramref name="forbiddenDetail"/>.</summary>
    public static ProblemHttpResult Denied(Access access, string forbiddenDetail) => access switch
    {
        Access.Unauthenticated => TypedResults.Problem(title: "Sign in first.", statusCode: StatusCodes.Status401Unauthorized),
        Access.NotFound => Problems.NotFound("Organization"),
        _ => Problems.Forbidden(forbiddenDetail),
    };
}
