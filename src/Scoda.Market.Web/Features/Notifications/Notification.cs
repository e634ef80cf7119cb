using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Auth;

namespace Scoda.Market.Web.Features.Notifications;

/// <summary>Something a person should look at (a new match, later: offers, deals), kept until read.</summary>
public sealed class Notification
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Kind { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }

    /// <summary>A web client path, e.g. /buy-requests/{id}.</summary>
    public required string Link { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
}

sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.Property(n => n.Kind).HasMaxLength(32);
        builder.Property(n => n.Title).HasMaxLength(200);
        builder.Property(n => n.Body).HasMaxLength(1000);
        builder.Property(n => n.Link).HasMaxLength(300);
        builder.HasIndex(n => new { n.UserId, n.CreatedAt });
    }
}

public sealed record NotificationResponse(Guid Id, string Kind, string Title, string Body, string Link, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

/// <summary>Server → client calls of <c>/hubs/notifications</c>.</summary>
public interface INotificationClient
{
    Task Notification(NotificationResponse notification);
}

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

/// <summary>Stores a notification for every member of the organizations, then pushes it to their open connections.</summary>
public sealed class Notifier(MarketDbContext db, OrganizationAccess organizations, IHubContext<NotificationsHub, INotificationClient> hub, TimeProvider clock)
{
    public async Task NotifyOrganizationsAsync(IEnumerable<Guid> organizationIds, string kind, string title, string body, string link, CancellationToken ct)
    {
        var ids = organizationIds.Distinct().ToList();
        var users = await organizations.MembersOfAsync(ids, ct);
        var now = clock.GetUtcNow();
        var stored = users.Select(userId => new Notification
        {
            Id = Guid.CreateVersion7(now), UserId = userId, Kind = kind, Title = title, Body = body, Link = link, CreatedAt = now,
        }).ToList();
        db.Notifications.AddRange(stored);
        await db.SaveChangesAsync(ct);
        // Stored first, pushed after: a client that misses the push finds it in GET /api/notifications.
        foreach (var notification in stored)
        {
            await hub.Clients.Group(NotificationsHub.GroupOf(notification.UserId)).Notification(ToResponse(notification));
        }
    }

    public static NotificationResponse ToResponse(Notification n) => new(n.Id, n.Kind, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt);
}
