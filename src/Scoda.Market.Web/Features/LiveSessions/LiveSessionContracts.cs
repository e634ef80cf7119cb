using System.Security.Claims;
using System.Text.Json;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.LiveSessions;

/// <summary><c>LiveSessions:*</c> settings.</summary>
public sealed class LiveSessionOptions
{
    public const string Section = "LiveSessions";

    /// <summary>Hosts whose player pages may be embedded (exact host names, compared case-insensitively).</summary>
    public List<string> EmbedHosts { get; set; } = ["www.youtube-nocookie.com", "www.youtube.com", "player.vimeo.com", "player.bilibili.com"];

    /// <summary>
    /// Hosts HLS playlists (and their segments) are played from; empty: any https host, and the Content-Security-Policy
    /// then lets the player fetch media from any https origin. Set it in production to pin both to your stream CDN.
    /// </summary>
    public List<string> StreamHosts { get; set; } = [];

    /// <summary>Concurrent viewers a session admits when its host set no cap of its own (the host and moderators always get in).</summary>
    public int MaxViewers { get; set; } = 5_000;

    /// <summary>The highest viewer cap an ambassador may set for a session at scheduling.</summary>
    public int MaxViewerCap { get; set; } = 20_000;

    /// <summary>Chat messages one user may send: a burst, refilled at <see cref="ChatPerMinute"/>.</summary>
    public int ChatBurst { get; set; } = 5;
    public int ChatPerMinute { get; set; } = 20;

    /// <summary>How long before the start registrants are reminded.</summary>
    public TimeSpan ReminderLeadTime { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan ReminderInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often viewer counts are pushed (at most) and each host's heartbeat refreshed; the viewers of a host unseen for
    /// <see cref="PresenceExpiry"/> (it died) no longer count.
    /// </summary>
    public TimeSpan ViewerTick { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan PresenceExpiry { get; set; } = TimeSpan.FromSeconds(15);

    public int MaxSessionsPerConnection { get; set; } = 5;

    /// <summary>Every hub call of one user (or anonymous connection): a burst, refilled per second (the host runs the floor quickly).</summary>
    public int HubCallsPerSecond { get; set; } = 20;
    public int HubCallBurst { get; set; } = 100;
}

/// <summary>The stable codes a refused live call starts with (the negotiation hub's, plus <c>full</c>).</summary>
public static class LiveErrors
{
    public const string NotFound = "not_found";
    public const string Forbidden = "forbidden";
    public const string Conflict = "conflict";
    public const string Invalid = "invalid";
    public const string RateLimited = "rate_limited";
    public const string Unauthorized = "unauthorized";

    /// <summary>The session has as many viewers as <see cref="LiveSessionOptions.MaxViewers"/> admits.</summary>
    public const string Full = "full";
}

/// <summary>A refused call: <see cref="Code"/> is one of <see cref="LiveErrors"/>; nothing was changed.</summary>
public sealed class LiveSessionException(string code, string detail, IDictionary<string, string[]>? errors = null) : Exception($"{code}: {detail}")
{
    public string Code { get; } = code;
    public string Detail { get; } = detail;
    public IDictionary<string, string[]>? Errors { get; } = errors;

    public static LiveSessionException Invalid(ValidationErrors errors)
    {
        var all = errors.ToDictionary();
        return new(LiveErrors.Invalid, string.Join("; ", all.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")), all);
    }

    public static LiveSessionException Invalid(string field, string message) => Invalid(new ValidationErrors().Add(field, message));

    public static LiveSessionException SignIn() => new(LiveErrors.Unauthorized, "Sign in to take part; anonymous visitors can watch and read.");
}

/// <summary>Who calls: a user (null for an anonymous viewer) and whether they moderate the platform.</summary>
public sealed record LiveCaller(Guid? UserId, bool IsModerator, bool IsAdmin = false)
{
    public static LiveCaller From(ClaimsPrincipal? principal) => principal is null
        ? new(null, false)
        : new(CurrentUser.IdOf(principal), principal.IsInRole(PlatformRoles.Moderator) || principal.IsInRole(PlatformRoles.Admin),
            principal.IsInRole(PlatformRoles.Admin));

    public Guid RequireUser() => UserId ?? throw LiveSessionException.SignIn();
}

public sealed record LiveSessionRequest(
    Dictionary<string, string?>? Title,
    Dictionary<string, string?>? Description,
    string? CountryCode,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    string? StreamUrl,
    string? ReplayUrl,
    List<Guid>? FeaturedListingIds,
    int? ViewerCap = null);

public sealed record CancelSessionRequest(string? Reason);

public sealed record LiveHost(Guid UserId, string CountryCode);

/// <summary>A featured listing as a session lists it.</summary>
public sealed record FeaturedListing(Guid Id, LocalizedText Title, string CategoryKey, SellerResponse Seller, PriceResponse Price, NormalizedPriceResponse? NormalizedPrice);

public sealed record LiveSessionResponse(
    Guid Id,
    LocalizedText Title,
    LocalizedText Description,
    string CountryCode,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string StreamUrl,
    StreamKind StreamKind,
    string? ReplayUrl,
    LiveSessionStatus Status,
    Guid HostUserId,
    bool IsHost,
    bool Registered,
    int Registrants,
    IReadOnlyList<FeaturedListing> FeaturedListings,
    Guid? PinnedListingId,
    long LastSequence,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset? CancelledAt,
    string? CancelReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int ViewerCap);

/// <summary>What the dashboard and the landing page show of a coming session (<see cref="LiveSessionService.UpcomingAsync"/>).</summary>
public sealed record UpcomingLiveSession(Guid Id, LocalizedText Title, string CountryCode, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Status);

public sealed record RegistrationResponse(Guid SessionId, bool Registered, int Registrants);

/// <summary>Who wrote an event: their role in the session (the host badge), display name and organization (null when they have none).</summary>
public sealed record LiveActor(Guid UserId, string Role, string? Name = null, string? Organization = null);

/// <summary>One entry of a session's log, as the hub's <c>LiveEvent</c> and <c>JoinSession</c> hand it out.</summary>
public sealed record LiveEventResponse(Guid SessionId, long Sequence, string Type, LiveActor? Actor, DateTimeOffset At, JsonElement Payload, bool Hidden);

public sealed record ViewersResponse(Guid SessionId, int Count);

public sealed record QuestionResponse(
    Guid Id, long Sequence, Guid AskedBy, string Text, int Votes, bool VotedByMe, string? Answer, DateTimeOffset AskedAt, DateTimeOffset? AnsweredAt,
    LiveActor? Author = null);

/// <summary>The card of the pinned listing: specs, price, normalized price, live stock and seller.</summary>
public sealed record PinnedListing(
    Guid Id,
    LocalizedText Title,
    string CategoryKey,
    IReadOnlyDictionary<string, string> Specs,
    PriceResponse Price,
    NormalizedPriceResponse? NormalizedPrice,
    decimal Quantity,
    string QuantityUnit,
    decimal MinOrder,
    string MinOrderUnit,
    string Incoterm,
    string NamedPlace,
    IReadOnlyList<string> PaymentTerms,
    string OriginCountry,
    SellerResponse Seller,
    LiveStock Stock);

public sealed record LiveStock(decimal OnHand, decimal Reserved, decimal Available, string? Unit);

/// <summary>What <c>JoinSession</c> returns: everything a late joiner needs in one call.</summary>
public sealed record LiveSnapshot(
    LiveSessionResponse Session,
    PinnedListing? Pinned,
    IReadOnlyList<QuestionResponse> Questions,
    IReadOnlyList<LiveEventResponse> Chat,
    IReadOnlyList<LiveEventResponse> Events,
    int Viewers,
    string Role,
    bool Muted);

public sealed record QuoteResponse(Guid RoomId, bool Created);

public sealed record InterestResponse(
    Guid Id, Guid SessionId, Guid ListingId, Guid SellerOrganizationId, Guid BuyerOrganizationId, Guid UserId, decimal Quantity, string Unit,
    PriceResponse? PriceHint, decimal? ValueUsd, DateTimeOffset ValidUntil, DateTimeOffset CreatedAt, long Sequence, Guid? RoomId);

public sealed record InterestOfferResponse(Guid RoomId, long Sequence, Guid OfferId);

/// <summary>The event types of docs/CONTRACT.md.</summary>
public static class LiveEventTypes
{
    public const string Chat = "chat";
    public const string Question = "question";
    public const string QuestionUpvoted = "question_upvoted";
    public const string QuestionAnswered = "question_answered";
    public const string ListingPinned = "listing_pinned";
    public const string PinnedStock = "pinned_stock";
    public const string Interest = "interest";
    public const string Hidden = "hidden";
    public const string Muted = "muted";
    public const string Started = "started";
    public const string Ended = "ended";
    public const string Cancelled = "cancelled";
    public const string System = "system";
}

/// <summary>What a caller is in a session: its host, a platform moderator, or a viewer.</summary>
public static class LiveRoles
{
    public const string Host = "host";
    public const string Moderator = "moderator";
    public const string Viewer = "viewer";
}
