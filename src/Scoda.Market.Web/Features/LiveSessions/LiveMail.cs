using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Notifications;
using Scoda.Market.Web.Infrastructure.Mail;
using Scoda.Market.Web.Infrastructure.Security;
using Scoda.Market.Web.Infrastructure.Workers;

namespace Scoda.Market.Web.Features.LiveSessions;

/// <summary>Mail to a session's registrants (reminder, cancellation) through the configured transport; a failed send is logged, never thrown.</summary>
public sealed partial class LiveMail(AccountFacts accounts, IMailTransport transport, MailOptions options, PublicAddress address, ILogger<LiveMail> logger)
{
    public async Task<int> SendAsync(IReadOnlyCollection<Guid> userIds, string subject, string text, string path, CancellationToken ct)
    {
        if (userIds.Count == 0)
        {
            return 0;
        }
        var link = WebUtility.HtmlEncode(new Uri(address.BaseUrl, path).AbsoluteUri);
        var html = $"<p>{WebUtility.HtmlEncode(text)}</p><p><a href=\"{link}\">Open the session</a></p>";
        var sent = 0;
        foreach (var to in await accounts.ConfirmedEmailsAsync(userIds, ct))
        {
            try
            {
                using var message = new MailMessage(options.From, to, subject, html) { IsBodyHtml = true };
                await transport.SendAsync(message, ct);
                sent++;
            }
            catch (Exception ex) when (ex is SmtpException or IOException or FormatException or InvalidOperationException)
            {
                LogFailed(logger, ex, subject);
            }
        }
        return sent;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live session mail '{Subject}' to a registrant failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string subject);
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
            var title = LiveSessionService.TitleOf(session);
            var body = string.Create(CultureInfo.InvariantCulture, $"{title} starts at {session.StartsAt:yyyy-MM-dd HH:mm} UTC.");
            await services.GetRequiredService<Notifier>().NotifyUsersAsync(registrants, "live_session_reminder", "Live session starting soon", body, $"/live/{session.Id}", ct);
            await services.GetRequiredService<LiveMail>().SendAsync(registrants, $"Starting soon: {title}", body, $"/live/{session.Id}", ct);
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
