using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Auth;

namespace Scoda.Market.Web.Features.Organizations;

/// <summary>The organization a request acts on, as the resource of an authorization check.</summary>
public sealed record OrganizationResource(Guid OrganizationId);

/// <summary>Passes when the caller is a member of the organization with one of the roles.</summary>
public sealed class OrganizationRoleRequirement(params OrganizationRole[] roles) : IAuthorizationRequirement
{
    public IReadOnlyList<OrganizationRole> Roles { get; } = roles;
}

/// <summary>Policy names every feature uses for organization-owned data.</summary>
public static class OrganizationPolicies
{
    /// <summary>Any member: read the organization's private data.</summary>
    public const string Member = "Organization.Member";

    /// <summary>Owner or Trader: act for the organization (listings, stock, offers, deals).</summary>
    public const string Trade = "Organization.Trade";

    /// <summary>Owner: change the organization itself and its members.</summary>
    public const string Manage = "Organization.Manage";

    public static AuthorizationBuilder AddOrganizationPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(Member, p => p.RequireAuthenticatedUser().AddRequirements(
            new OrganizationRoleRequirement(OrganizationRole.Owner, OrganizationRole.Trader, OrganizationRole.Viewer)))
        .AddPolicy(Trade, p => p.RequireAuthenticatedUser().AddRequirements(
            new OrganizationRoleRequirement(OrganizationRole.Owner, OrganizationRole.Trader)))
        .AddPolicy(Manage, p => p.RequireAuthenticatedUser().AddRequirements(
            new OrganizationRoleRequirement(OrganizationRole.Owner)));
}

sealed class OrganizationRoleHandler(MarketDbContext db) : AuthorizationHandler<OrganizationRoleRequirement, OrganizationResource>
{
    protected override async Task HandleRequirementAsync(
        AuthorizationHandlerContext context, OrganizationRoleRequirement requirement, OrganizationResource resource)
    {
        if (CurrentUser.IdOf(context.User) is not { } userId)
        {
            return;
        }
        var role = await db.Memberships
            .Where(m => m.OrganizationId == resource.OrganizationId && m.UserId == userId)
            .Select(m => (OrganizationRole?)m.Role)
            .FirstOrDefaultAsync();
        if (role is { } r && requirement.Roles.Contains(r))
        {
            context.Succeed(requirement);
        }
    }
}

/// <summary>
/// The outcome of an organization check, in the terms of DESIGN.md: an unknown organization, or another
/// organization's private data, is 404; a known resource the caller may see but not change is 403.
/// </summary>
public enum Access
{
    Allowed,
    NotFound,
    Forbidden,
}

public static class OrganizationAccessExtensions
{
    /// <summary>Checks <paramref name="policy"/>; a caller who is not a member at all gets <see cref="Access.NotFound"/>
    /// when <paramref name="hideFromOutsiders"/>, as the data is private to the organization.</summary>
    public static async Task<Access> CheckOrganizationAsync(
        this IAuthorizationService authorization, CurrentUser user, MarketDbContext db, Guid organizationId, string policy,
        bool hideFromOutsiders, CancellationToken ct)
    {
        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, ct))
        {
            return Access.NotFound;
        }
        var resource = new OrganizationResource(organizationId);
        if ((await authorization.AuthorizeAsync(user.Principal, resource, policy)).Succeeded)
        {
            return Access.Allowed;
        }
        if (hideFromOutsiders && !(await authorization.AuthorizeAsync(user.Principal, resource, OrganizationPolicies.Member)).Succeeded)
        {
            return Access.NotFound;
        }
        return Access.Forbidden;
    }
}
