using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Commands;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Accounts;

public sealed record MyOrganization(Guid Id, string Name, string CountryCode, OrganizationKind Kind, OrganizationRole Role, VerificationStatus Verification);

public sealed record MeResponse(
    Guid Id, string Email, bool EmailConfirmed, IReadOnlyList<string> Roles, string? AmbassadorCountryCode,
    IReadOnlyList<MyOrganization> Organizations, string? DisplayName);

/// <summary><c>PUT /api/me/display-name</c>: how others see the person (live chat and questions); null or blank clears it.</summary>
public sealed record DisplayNameRequest(string? DisplayName);

public sealed record DisplayNameResponse(string? DisplayName);

public sealed record RoleRequest(string? Role, string? CountryCode);

public sealed record UserRolesResponse(Guid Id, string Email, IReadOnlyList<string> Roles, string? AmbassadorCountryCode);

public static class AccountsEndpoints
{
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostCommand<CreateAdminCommand>();
        builder.Services.AddScoped<UserDirectory>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAccountsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup(AccountDefences.AuthPrefix).WithTags("Authentication").AddEndpointFilter(AccountDefences.SameAnswerForEveryEmail).MapIdentityApi<User>();
        // MapIdentityApi has no logout: the browser's cookie needs a way out, and bearer tokens must stop working too.
        app.MapPost("/api/auth/logout", Logout).WithTags("Authentication").WithName("Logout").RequireAuthorization();

        app.MapGet("/api/me", GetMe).WithTags("Accounts").WithName("GetMe").RequireAuthorization();
        app.MapPut("/api/me/display-name", SetDisplayName).WithTags("Accounts").WithName("SetDisplayName").RequireAuthorization();

        var admin = app.MapGroup("/api/admin/users").WithTags("Administration").RequireAuthorization(AuthSetup.AdminPolicy);
        admin.MapPost("/{id:guid}/roles", GrantRole).WithName("GrantRole");
        admin.MapDelete("/{id:guid}/roles/{role}", RevokeRole).WithName("RevokeRole");
        return app;
    }

    /// <summary>Ends every session of the account (all devices): bearer and refresh tokens carry the stamp this changes.</summary>
    static async Task<NoContent> Logout(CurrentUser current, UserManager<User> users, SignInManager<User> signIn)
    {
        await users.EndSessionsAsync(current.Id);
        await signIn.SignOutAsync();
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetMe(
        CurrentUser current, UserManager<User> users, OrganizationAccess organizations, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(current.Id.ToString());
        if (user is null)
        {
            return Problems.NotFound("User");
        }
        var memberships = (await organizations.MembershipsAsync(user.Id, ct))
            .Select(m => new MyOrganization(m.OrganizationId, m.Name, m.CountryCode, m.Kind, m.Role, m.Verification))
            .ToList();
        var roles = (await users.GetRolesAsync(user)).Order(StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new MeResponse(user.Id, user.Email ?? "", user.EmailConfirmed, roles, user.AmbassadorCountryCode, memberships, user.DisplayName));
    }

    static async Task<Results<Ok<DisplayNameResponse>, ValidationProblem>> SetDisplayName(
        DisplayNameRequest request, CurrentUser current, MarketDbContext db, CancellationToken ct)
    {
        var name = string.IsNullOrWhiteSpace(request.DisplayName) ? null : request.DisplayName.Trim();
        var errors = new ValidationErrors().Check(name is null || name.Length <= AccountFacts.MaxDisplayNameLength, "displayName",
            $"At most {AccountFacts.MaxDisplayNameLength} characters (or empty to show none).");
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        await db.Users.Where(u => u.Id == current.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, name), ct);
        return TypedResults.Ok(new DisplayNameResponse(name));
    }

    static async Task<Results<Ok<UserRolesResponse>, ValidationProblem, ProblemHttpResult>> GrantRole(
        Guid id, RoleRequest request, UserManager<User> users)
    {
        var errors = new ValidationErrors();
        var role = PlatformRoles.Parse(request.Role);
        errors.Check(role is not null, "role", "One of ambassador, moderator, admin.");
        CountryCode country = default;
        if (role == PlatformRoles.Ambassador && !CountryCode.TryParse(request.CountryCode, out country))
        {
            errors.Add("countryCode", "An ambassador represents a country: give its ISO 3166-1 alpha-2 code.");
        }
        errors.Check(role == PlatformRoles.Ambassador || request.CountryCode is null, "countryCode", "Only the ambassador role takes a country.");
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        var user = await users.FindByIdAsync(id.ToString());
        if (user is null)
        {
            return Problems.NotFound("User");
        }
        var changed = false;
        if (role == PlatformRoles.Ambassador && user.AmbassadorCountryCode != country.Value)
        {
            user.AmbassadorCountryCode = country.Value;
            await users.UpdateAsync(user);
            changed = true;
        }
        if (!await users.IsInRoleAsync(user, role!))
        {
            await users.AddToRoleAsync(user, role!);
            changed = true;
        }
        if (changed)
        {
            // Tokens carry the roles they were issued with: the user signs in again to act in the new role.
            await users.UpdateSecurityStampAsync(user);
        }
        return TypedResults.Ok(await RolesOf(users, user));
    }

    static async Task<Results<Ok<UserRolesResponse>, ValidationProblem, ProblemHttpResult>> RevokeRole(
        Guid id, string role, UserManager<User> users, CurrentUser current)
    {
        var name = PlatformRoles.Parse(role);
        if (name is null)
        {
            return ValidationErrors.For("role", "One of ambassador, moderator, admin.");
        }
        var user = await users.FindByIdAsync(id.ToString());
        if (user is null)
        {
            return Problems.NotFound("User");
        }
        if (name == PlatformRoles.Admin && user.Id == current.Id)
        {
            return Problems.Conflict("You cannot take the admin role from yourself; ask another admin.");
        }
        var changed = false;
        if (await users.IsInRoleAsync(user, name))
        {
            await users.RemoveFromRoleAsync(user, name);
            changed = true;
        }
        if (name == PlatformRoles.Ambassador && user.AmbassadorCountryCode is not null)
        {
            user.AmbassadorCountryCode = null;
            await users.UpdateAsync(user);
            changed = true;
        }
        if (changed)
        {
            // A revoked role must not live on in tokens already issued (nor in open hub connections).
            await users.UpdateSecurityStampAsync(user);
        }
        return TypedResults.Ok(await RolesOf(users, user));
    }

    static async Task<UserRolesResponse> RolesOf(UserManager<User> users, User user) =>
        new(user.Id, user.Email ?? "", (await users.GetRolesAsync(user)).Order(StringComparer.Ordinal).ToList(), user.AmbassadorCountryCode);
}
