using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Notifications;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Workers;

namespace Scoda.Market.Web.Features.LiveSessions;

/// <summary>
/// The coded notices of live sessions (<see cref="NotificationText"/>): clients and mail word them in the reader's
/// language; the English is for everyone else. Times travel as ISO 8601 UTC.
/// </summary>
public static class LiveNotices
{
    public const string Reminder = "live_session_reminder";
    public const string Cancelled = "live_session_cancelled";
    public const string Featured = "live_session_featured";
    public const string Interest = "live_interest";

    static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static NotificationText ReminderOf(LiveSession session)
    {
        var title = LiveSessionService.TitleOf(session);
        return new(Reminder, new Dictionary<string, string> { ["title"] = title, ["startsAt"] = Iso(session.StartsAt) },
            $"Starting soon: {title} at {Utc(session.StartsAt)}");
    }

    public static NotificationText CancelledOf(LiveSession session)
    {
        var title = LiveSessionService.TitleOf(session);
        var reason = session.CancelReason ?? "";
        return new(Cancelled, new Dictionary<string, string> { ["title"] = title, ["startsAt"] = Iso(session.StartsAt), ["reason"] = reason },
            $"Cancelled: {title} ({Utc(session.StartsAt)}). {reason}".Trim());
    }

    public static NotificationText FeaturedOf(LiveSession session, string listings)
    {
        var title = LiveSessionService.TitleOf(session);
        return new(Featured, new Dictionary<string, string> { ["title"] = title, ["startsAt"] = Iso(session.StartsAt), ["listings"] = listings },
            $"Your listing is featured in a live session: {title} ({Utc(session.StartsAt)}) presents {listings}");
    }

    public static NotificationText InterestOf(string buyer, decimal quantity, string unit, string listing)
    {
        var amount = Decimals.Normalize(quantity).ToString(CultureInfo.InvariantCulture);
        return new(Interest, new Dictionary<string, string> { ["buyer"] = buyer, ["quantity"] = amount, ["unit"] = unit, ["listing"] = listing },
            $"Firm interest in a live session: {buyer} wants {amount} {unit} of {listing}");
    }
}

/// <summary>
/// Reminds registrants <see cref="LiveSessionOptions.ReminderLeadTime"/> before a session starts: in the app (stored,
/// and pushed live on the notifications hub) and by mail. Each session is claimed by a conditional update first, so
/// with several replicas registrants hear once.
/// </summary>
public sealed class LiveReminderWorker(IServiceScopeFactory scopes, LiveSessionOptions options, TimeProvider clock, ILogger<LiveReminderWorker> logger)
    : PeriodicWorker(clock, logger)
{
    protected override TimeSpan Interval => options.ReminderInterval;

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<MarketDbContext>();
        var now = Clock.GetUtcNow();
        var due = await db.LiveSessions.AsNoTracking()
            .Where(s => s.Status == LiveSessionStatus.Scheduled && s.ReminderSentAt == null && s.StartsAt <= now + options.ReminderLeadTime && s.EndsAt > now)
            .OrderBy(s => s.StartsAt).Take(50).ToListAsync(ct);
        var reminded = 0;
        foreach (var session in due)
        {
            if (await db.LiveSessions.Where(s => s.Id == session.Id && s.ReminderSentAt == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.ReminderSentAt, now), ct) == 0)
            {
                continue; // another replica took it
            }
            var registrants = await db.LiveRegistrations.AsNoTracking().Where(r => r.SessionId == session.Id).Select(r => r.UserId).ToListAsync(ct);
            var text = LiveNotices.ReminderOf(session);
            await services.GetRequiredService<Notifier>().NotifyUsersAsync(registrants, LiveNotices.Reminder, text, $"/live/{session.Id}", ct);
            await services.GetRequiredService<NoticeMail>().SendAsync(registrants, text, $"/live/{session.Id}", ct);
            reminded++;
        }
        return reminded;
    }
}

/// <summary>
/// The session as an iCalendar file (RFC 5545): one VEVENT with a stable UID, times in UTC, texts escaped (backslash,
/// semicolon, comma, line breaks) and lines folded at 75 octets, CRLF line ends; a cancelled session says
/// STATUS:CANCELLED and a higher SEQUENCE so calendars update the copy they hold.
/// </summary>
public static class LiveCalendar
{
    public static string Write(LiveSession session, Uri publicBaseUrl, DateTimeOffset now)
    {
        var link = new Uri(publicBaseUrl, $"/live/{session.Id}").AbsoluteUri;
        var description = session.Description.GetValueOrDefault("en") ?? session.Description.Values.FirstOrDefault() ?? "";
        var lines = new List<string>
        {
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Scoda.Market//Live sessions//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            $"UID:live-{session.Id:N}@{publicBaseUrl.IdnHost}",
            $"DTSTAMP:{Utc(now)}",
            $"DTSTART:{Utc(session.StartsAt)}",
            $"DTEND:{Utc(session.EndsAt)}",
            $"SEQUENCE:{(session.Revision + (session.Status == LiveSessionStatus.Cancelled ? 1 : 0)).ToString(CultureInfo.InvariantCulture)}",
            $"SUMMARY:{Escape(LiveSessionService.TitleOf(session))}",
            $"DESCRIPTION:{Escape(description.Length > 0 ? $"{description}\n\n{link}" : link)}",
            $"URL:{link}",
            $"LOCATION:{Escape(link)}",
            $"STATUS:{(session.Status == LiveSessionStatus.Cancelled ? "CANCELLED" : "CONFIRMED")}",
            "END:VEVENT",
            "END:VCALENDAR",
        };
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            Fold(line, text);
        }
        return text.ToString();
    }

    static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>TEXT values: backslash first, then ; and , and every line break as \n.</summary>
    public static string Escape(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace(";", "\\;", StringComparison.Ordinal)
        .Replace(",", "\\,", StringComparison.Ordinal)
        .Replace("\r\n", "\\n", StringComparison.Ordinal)
        .Replace("\r", "\\n", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Lines of at most 75 octets of UTF-8; continuations start with a space; a character is never split.</summary>
    static void Fold(string line, StringBuilder output)
    {
        var octets = 0;
        var limit = 75;
        for (var i = 0; i < line.Length; i++)
        {
            var length = char.IsHighSurrogate(line[i]) && i + 1 < line.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(line.AsSpan(i, length));
            if (octets + size > limit)
            {
                output.Append("\r\n ");
                octets = 0;
                limit = 74; // the leading space counts
            }
            output.Append(line, i, length);
            octets += size;
            i += length - 1;
        }
        output.Append("\r\n");
    }
}
