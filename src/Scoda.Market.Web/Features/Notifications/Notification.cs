using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Features.Notifications;

/// <summary>Something a person should look at (a new match, later: offers, deals), kept until read.</summary>
public sealed class Notification
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Kind { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }

    /// <summary>Stable code the client renders in the reader's language (<c>match_buyer</c>, <c>offer</c>…); null for texts made before codes.</summary>
    public string? Code { get; set; }

    public NotificationParams Params { get; set; } = new();

    /// <summary>A web client path, e.g. /buy-requests/{id}.</summary>
    public required string Link { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }

    /// <summary>When the immediate mail went out (or was skipped); null while it is owed.</summary>
    public DateTimeOffset? MailedAt { get; set; }
}

/// <summary>Parameters of a coded text, by name; values are invariant text (numbers as "459000.5", codes as codes).</summary>
[FeatureContract]
public sealed class NotificationParams : Dictionary<string, string>
{
    public NotificationParams() : base(StringComparer.Ordinal) { }

    public NotificationParams(IReadOnlyDictionary<string, string> values) : base(StringComparer.Ordinal)
    {
        foreach (var (key, value) in values)
        {
            this[key] = value;
        }
    }
}

/// <summary>A text the server makes for people: a stable code and its parameters for clients to render, and the English for everyone else.</summary>
public sealed record NotificationText(string Code, IReadOnlyDictionary<string, string> Params, string English);

sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.Property(n => n.Kind).HasMaxLength(32);
        builder.Property(n => n.Title).HasMaxLength(200);
        builder.Property(n => n.Body).HasMaxLength(1000);
        builder.Property(n => n.Link).HasMaxLength(300);
        builder.Property(n => n.Code).HasMaxLength(64);
        builder.Property(n => n.Params).HasJsonConversion();
        builder.HasIndex(n => new { n.UserId, n.CreatedAt });
        builder.HasIndex(n => new { n.MailedAt, n.CreatedAt });
    }
}

/// <summary>A notification as clients get it: <c>code</c> and <c>params</c> to render, <c>text</c> (= <c>title</c>) in English.</summary>
public sealed record NotificationResponse(
    Guid Id, string Kind, string? Code, IReadOnlyDictionary<string, string> Params, string Text, string Title, string Body, string Link,
    DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

/// <summary>Server → client calls of <c>/hubs/notifications</c>.</summary>
public interface INotificationClient
{
    Task Notification(NotificationResponse notification);

    /// <summary>The unread count after a read elsewhere (another tab, read-all), so every open bell agrees.</summary>
    Task Unread(UnreadCount count);
}

public sealed record UnreadCount(int Unread);

/// <summary>Pushes a signed-in user's notifications as they are stored. Each connection joins its user's group.</summary>
[Authorize]
public sealed class NotificationsHub : Hub<INotificationClient>
{
    public static string GroupOf(Guid userId) => $"user:{userId:N}";

    public override async Task OnConnectedAsync()
    {
        if (CurrentUser.IdOf(Context.User!) is { } userId)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(userId));
        }
        await base.OnConnectedAsync();
    }
}

/// <summary>
/// Stores a notification for every member of the organizations, then publishes each through the realtime bus, so it
/// reaches the user's connections on every host (<see cref="NotificationsRealtimeSink"/> delivers it).
/// </summary>
[FeatureContract]
public sealed class Notifier(MarketDbContext db, OrganizationAccess organizations, IRealtimeBus bus, TimeProvider clock, IOptions<JsonOptions> json)
{
    public const string RealtimeTopic = "notification";
    public const string RealtimeKind = "notification";
    public const string UnreadKind = "unread";

    readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    /// <summary>An uncoded notice (English title and body), for callers not yet moved to <see cref="NotificationText"/>.</summary>
    public Task NotifyOrganizationsAsync(IEnumerable<Guid> organizationIds, string kind, string title, string body, string link, CancellationToken ct) =>
        StoreAndPublishAsync(organizationIds, kind, null, new NotificationParams(), Clip(title, 200), Clip(body, 1000), link, ct);

    /// <summary>A coded notice: clients render <see cref="NotificationText.Code"/> with its parameters in the reader's language.</summary>
    public Task NotifyOrganizationsAsync(IEnumerable<Guid> organizationIds, string kind, NotificationText text, string link, CancellationToken ct) =>
        StoreAndPublishAsync(organizationIds, kind, text.Code, new NotificationParams(text.Params), Clip(text.English, 200), "", link, ct);

    async Task StoreAndPublishAsync(
        IEnumerable<Guid> organizationIds, string kind, string? code, NotificationParams parameters, string title, string body, string link, CancellationToken ct)
    {
        var ids = organizationIds.Distinct().ToList();
        await StoreAndPublishToUsersAsync(await organizations.MembersOfAsync(ids, ct), kind, code, parameters, title, body, link, ct);
    }

    /// <summary>Tells people who are not reached through an organization (e.g. a live session's registrants); uncoded, like the first overload.</summary>
    public Task NotifyUsersAsync(IEnumerable<Guid> userIds, string kind, string title, string body, string link, CancellationToken ct) =>
        StoreAndPublishToUsersAsync(userIds, kind, null, new NotificationParams(), Clip(title, 200), Clip(body, 1000), link, ct);

    /// <summary>A coded notice to people not reached through an organization.</summary>
    public Task NotifyUsersAsync(IEnumerable<Guid> userIds, string kind, NotificationText text, string link, CancellationToken ct) =>
        StoreAndPublishToUsersAsync(userIds, kind, text.Code, new NotificationParams(text.Params), Clip(text.English, 200), "", link, ct);

    async Task StoreAndPublishToUsersAsync(
        IEnumerable<Guid> userIds, string kind, string? code, NotificationParams parameters, string title, string body, string link, CancellationToken ct)
    {
        var users = userIds.Distinct().ToList();
        var now = clock.GetUtcNow();
        var stored = users.Select(userId => new Notification
        {
            Id = Guid.CreateVersion7(now), UserId = userId, Kind = kind, Code = code, Params = new NotificationParams(parameters), Title = title, Body = body,
            Link = link, CreatedAt = now,
        }).ToList();
        db.Notifications.AddRange(stored);
        await db.SaveChangesAsync(ct);
        // Stored first, pushed after: a client that misses the push finds it in GET /api/notifications.
        await bus.PublishAsync(stored.Select(n => new RealtimeMessage(
            RealtimeTopic, n.UserId, RealtimeKind, JsonSerializer.Serialize(ToResponse(n), _json), n.Id.ToString("N"))).ToList(), ct);
    }

    /// <summary>Tells the user's open clients the unread count changed (a read in another tab, read-all).</summary>
    public async Task PublishUnreadAsync(Guid userId, CancellationToken ct)
    {
        var unread = await db.Notifications.CountAsync(n => n.UserId == userId && n.ReadAt == null, ct);
        await bus.PublishAsync([new RealtimeMessage(RealtimeTopic, userId, UnreadKind, JsonSerializer.Serialize(new UnreadCount(unread), _json), null)], ct);
    }

    static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    public static NotificationResponse ToResponse(Notification n) => new(n.Id, n.Kind, n.Code, n.Params, n.Title, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt);
}

/// <summary>Hands notifications from the bus to this host's connections of the user they are for.</summary>
sealed class NotificationsRealtimeSink(
    IHubContext<NotificationsHub, INotificationClient> hub, IServiceScopeFactory scopes, IOptions<JsonOptions> json) : IRealtimeSink
{
    readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    public string Topic => Notifier.RealtimeTopic;

    public async Task DeliverAsync(RealtimeMessage message, CancellationToken ct)
    {
        var user = hub.Clients.Group(NotificationsHub.GroupOf(message.Target));
        if (message.Kind == Notifier.RealtimeKind)
        {
            await user.Notification(JsonSerializer.Deserialize<NotificationResponse>(message.Json, _json)!);
        }
        else if (message.Kind == Notifier.UnreadKind)
        {
            await user.Unread(JsonSerializer.Deserialize<UnreadCount>(message.Json, _json)!);
        }
        else if (RealtimeKinds.IsReference(message.Kind, out var kind) && kind == Notifier.RealtimeKind && Guid.TryParseExact(message.Reference, "N", out var id))
        {
            // Too big for NOTIFY: read the stored notification.
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
            if (await db.Notifications.AsNoTracking().SingleOrDefaultAsync(n => n.Id == id && n.UserId == message.Target, ct) is { } stored)
            {
                await user.Notification(Notifier.ToResponse(stored));
            }
        }
    }
}
