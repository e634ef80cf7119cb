using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Features.Notifications;

public sealed record NotificationsPage(IReadOnlyList<NotificationResponse> Items, string? NextCursor, int Unread);

public static class NotificationsEndpoints
{
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<Notifier>();
        builder.Services.AddSingleton<IRealtimeSink, NotificationsRealtimeSink>();
        return builder;
    }

    public static IEndpointRouteBuilder MapNotificationsEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization();
        api.MapGet("/", List).WithName("ListNotifications");
        api.MapPost("/{id:guid}/read", MarkRead).WithName("MarkNotificationRead");
        app.MapHub<NotificationsHub>("/hubs/notifications");
        return app;
    }

    static async Task<Results<Ok<NotificationsPage>, ValidationProblem>> List(string? cursor, int? limit, MarketDbContext db, CurrentUser user, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (!PageRequest.TryParse(cursor, limit, errors, out var page))
        {
            return errors.ToProblem();
        }
        var query = db.Notifications.AsNoTracking().Where(n => n.UserId == user.Id);
        var rows = await query.PageNewestFirst(page, n => n.CreatedAt, n => n.Id).ToListAsync(ct);
        var unread = await db.Notifications.CountAsync(n => n.UserId == user.Id && n.ReadAt == null, ct);
        var result = page.ToPage(rows.Select(Notifier.ToResponse).ToList(), n => new Cursor(n.CreatedAt, n.Id));
        return TypedResults.Ok(new NotificationsPage(result.Items, result.NextCursor, unread));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> MarkRead(Guid id, MarketDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        // Someone else's notification is simply not found.
        var notification = await db.Notifications.SingleOrDefaultAsync(n => n.Id == id && n.UserId == user.Id, ct);
        if (notification is null)
        {
            return Problems.NotFound("Notification");
        }
        notification.ReadAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
