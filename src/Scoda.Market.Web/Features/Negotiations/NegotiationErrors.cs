using System.Security.Claims;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>The stable codes a refused negotiation call starts with (hub errors) and the HTTP status each maps to.</summary>
public static class NegotiationErrors
{
    public const string NotFound = "not_found";
    public const string Forbidden = "forbidden";
    public const string Conflict = "conflict";
    public const string Invalid = "invalid";
    public const string RateLimited = "rate_limited";
}

/// <summary>A refused call: <see cref="Code"/> is one of <see cref="NegotiationErrors"/>; nothing was changed.</summary>
public sealed class NegotiationException(string code, string detail, IDictionary<string, string[]>? errors = null)
    : Exception($"{code}: {detail}")
{
    public string Code { get; } = code;
    public string Detail { get; } = detail;
    public IDictionary<string, string[]>? Errors { get; } = errors;

    public static NegotiationException Invalid(ValidationErrors errors) =>
        new(NegotiationErrors.Invalid, Describe(errors.ToDictionary()), errors.ToDictionary());

    static string Describe(IDictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
}

/// <summary>Who is calling: the user, and whether they moderate the platform (moderators read every room and hide messages).</summary>
public sealed record Caller(Guid UserId, bool IsModerator)
{
    public static Caller From(ClaimsPrincipal principal) =>
        new(CurrentUser.IdOf(principal) ?? throw new InvalidOperationException("No authenticated user."),
            principal.IsInRole(PlatformRoles.Moderator) || principal.IsInRole(PlatformRoles.Admin));
}

/// <summary>The caller's standing in one room.</summary>
public sealed record RoomAccess(NegotiationRoom Room, Side? Side, OrganizationRole? Role, bool IsModerator)
{
    /// <summary>Owners and traders of either side act; viewers and moderators read.</summary>
    public bool CanAct => Side is not null && Acts(Role);

    /// <summary>Whether a member with this role acts in a room (makes offers, writes messages).</summary>
    public static bool Acts(OrganizationRole? role) => role is OrganizationRole.Owner or OrganizationRole.Trader;

    public Side OtherSide => Side == Negotiations.Side.Buyer ? Negotiations.Side.Seller : Negotiations.Side.Buyer;
}
