using Microsoft.AspNetCore.Authorization;
using Scoda.Market.Web.Infrastructure.Auth;

namespace Scoda.Market.Web.Features.Organizations;

/// <summary>The organization a request acts on, as the resource of an authorization check.</summary>
public sealed record OrganizationResource(Guid OrganizationId);

/// <summary>Passes when the caller may do <see cref="Action"/> for the organization (<see cref="OrganizationAccess.Permits"/>).</summary>
public sealed class OrganizationRoleRequirement(OrganizationAction action) : IAuthorizationRequirement
{
    public OrganizationAction Action { get; } = action;
}

/// <summary>Policy names for organization-owned data; each is one <see cref="OrganizationAction"/> of <see cref="OrganizationAccess"/>.</summary>
public static class OrganizationPolicies
{
    /// <summary>Any member: read the organization's private data.</summary>
    public const string Member = "Organization.Member";

    /// <summary>Owner or Trader: act for the organization (listings, stock, offers, deals).</summary>
    public const string Trade = "Organization.Trade";

    /// <summary>Owner: change the organization itself and its members.</summary>
    public const string Manage = "Organization.Manage";

    public static AuthorizationBuilder AddOrganizationPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(Member, p => p.RequireAuthenticatedUser().AddRequirements(new OrganizationRoleRequirement(OrganizationAction.Read)))
        .AddPolicy(Trade, p => p.RequireAuthenticatedUser().AddRequirements(new OrganizationRoleRequirement(OrganizationAction.Trade)))
        .AddPolicy(Manage, p => p.RequireAuthenticatedUser().AddRequirements(new OrganizationRoleRequirement(OrganizationAction.Manage)));
}

/// <summary>The <c>Organization.*</c> policies answer from the same rule as every feature: <see cref="OrganizationAccess"/>.</summary>
sealed class OrganizationRoleHandler(OrganizationAccess access) : AuthorizationHandler<OrganizationRoleRequirement, OrganizationResource>
{
    protected override async Task HandleRequirementAsync(
        AuthorizationHandlerContext context, OrganizationRoleRequirement requirement, OrganizationResource resource)
    {
        if (CurrentUser.IdOf(context.User) is { } userId
            && OrganizationAccess.Permits(await access.RoleAsync(userId, resource.OrganizationId, CancellationToken.None), requirement.Action))
        {
            context.Succeed(requirement);
        }
    }
}
