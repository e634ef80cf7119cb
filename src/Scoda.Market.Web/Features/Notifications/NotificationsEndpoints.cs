using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Features.Notifications;

public sealed record NotificationsPage(IReadOnlyList<NotificationResponse> Items, string? NextCursor, int Unread);

public sealed record PreferencesResponse(string Language, string Mail);

public sealed record PreferencesInput(string? Language, string? Mail);

public static class NotificationsEndpoints
{
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<Notifier>();
        builder.Services.AddScoped<NotificationMailer>();
        builder.Services.AddScoped<NoticeMail>();
        builder.Services.AddSingleton<IRealtimeSink, NotificationsRealtimeSink>();
        builder.Services.AddSingleton<ImmediateMailWorker>();
        builder.Services.AddHostedService(s => s.GetRequiredService<ImmediateMailWorker>());
        builder.Services.AddSingleton<DailyDigestWorker>();
        builder.Services.AddHostedService(s => s.GetRequiredService<DailyDigestWorker>());
        return builder;
    }

    public static IEndpointRouteBuilder MapNotificationsEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization();
        api.MapGet("/", List).WithName("ListNotifications");
        api.MapPost("/{id:guid}/read", MarkRead).WithName("MarkNotificationRead");
        api.MapPost("/read-all", MarkAllRead).WithName("MarkAllNotificationsRead");
        var me = app.MapGroup("/api/me/preferences").WithTags("Notifications").RequireAuthorization();
        me.MapGet("/", GetPreferences).WithName("GetPreferences");
        me.MapPut("/", PutPreferences).WithName("PutPreferences");
        app.MapHub<NotificationsHub>("/hubs/notifications");
        return app;
    }

    static async Task<Results<Ok<NotificationsPage>, ValidationProblem>> List(
        string? cursor, int? limit, bool? unread, MarketDbContext db, CurrentUser user, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (!PageRequest.TryParse(cursor, limit, errors, out var page))
        {
            return errors.ToProblem();
        }
        var query = db.Notifications.AsNoTracking().Where(n => n.UserId == user.Id);
        if (unread == true)
        {
            query = query.Where(n => n.ReadAt == null);
        }
        var rows = await query.PageNewestFirst(page, n => n.CreatedAt, n => n.Id).ToListAsync(ct);
        var unreadCount = await db.Notifications.CountAsync(n => n.UserId == user.Id && n.ReadAt == null, ct);
        var result = page.ToPage(rows.Select(Notifier.ToResponse).ToList(), n => new Cursor(n.CreatedAt, n.Id));
        return TypedResults.Ok(new NotificationsPage(result.Items, result.NextCursor, unreadCount));
    }

    static async Task<Results<Ok<UnreadCount>, ProblemHttpResult>> MarkRead(
        Guid id, MarketDbContext db, CurrentUser user, Notifier notifier, TimeProvider clock, CancellationToken ct)
    {
        // Someone else's notification is simply not found.
        var notification = await db.Notifications.SingleOrDefaultAsync(n => n.Id == id && n.UserId == user.Id, ct);
        if (notification is null)
        {
            return Problems.NotFound("Notification");
        }
        if (notification.ReadAt is null)
        {
            notification.ReadAt = clock.GetUtcNow();
            await db.SaveChangesAsync(ct);
            await notifier.PublishUnreadAsync(user.Id, ct);
        }
        return TypedResults.Ok(new UnreadCount(await db.Notifications.CountAsync(n => n.UserId == user.Id && n.ReadAt == null, ct)));
    }

    static async Task<Ok<UnreadCount>> MarkAllRead(MarketDbContext db, CurrentUser user, Notifier notifier, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var changed = await db.Notifications.Where(n => n.UserId == user.Id && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        if (changed > 0)
        {
            await notifier.PublishUnreadAsync(user.Id, ct);
        }
        return TypedResults.Ok(new UnreadCount(0));
    }

    static async Task<Ok<PreferencesResponse>> GetPreferences(MarketDbContext db, CurrentUser user, CancellationToken ct)
    {
        var stored = await db.UserPreferences.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == user.Id, ct);
        return TypedResults.Ok(stored is null ? new PreferencesResponse("en", MailModes.InApp) : new PreferencesResponse(stored.Language, stored.Mail));
    }

    static async Task<Results<Ok<PreferencesResponse>, ValidationProblem>> PutPreferences(
        PreferencesInput input, MarketDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Check(input.Language is not null && MailLanguages.All.Contains(input.Language), "language", $"One of {string.Join(", ", MailLanguages.All)}.");
        errors.Check(input.Mail is not null && MailModes.All.Contains(input.Mail), "mail", $"One of {string.Join(", ", MailModes.All)}.");
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        var stored = await db.UserPreferences.SingleOrDefaultAsync(p => p.UserId == user.Id, ct);
        var now = clock.GetUtcNow();
        if (stored is null)
        {
            db.UserPreferences.Add(stored = new UserPreferences { UserId = user.Id, Language = input.Language!, Mail = input.Mail!, UpdatedAt = now });
        }
        else
        {
            // A new mail choice owes mail from now on; a language change alone keeps what is owed.
            if (stored.Mail != input.Mail)
            {
                stored.UpdatedAt = now;
            }
            stored.Language = input.Language!;
            stored.Mail = input.Mail!;
        }
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new PreferencesResponse(stored.Language, stored.Mail));
    }
}
