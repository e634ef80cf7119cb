using System.Security.Claims;

namespace Scoda.Market.Web.Infrastructure.Auth;

/// <summary>The signed-in caller of the current request.</summary>
public sealed class CurrentUser(IHttpContextAccessor accessor)
{
    public ClaimsPrincipal Principal => accessor.HttpContext?.User ?? new ClaimsPrincipal(new ClaimsIdentity());

    public bool IsAuthenticated => Principal.Identity?.IsAuthenticated == true;

    /// <summary>The user's id; only call it behind <c>RequireAuthorization</c>.</summary>
    public Guid Id => IdOf(Principal) ?? throw new InvalidOperationException("No authenticated user on this request.");

    public bool IsInRole(string role) => Principal.IsInRole(role);

    public static Guid? IdOf(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
}
