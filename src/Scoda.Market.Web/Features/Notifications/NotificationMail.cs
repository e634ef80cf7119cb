using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Mail;
using Scoda.Market.Web.Infrastructure.Security;
using Scoda.Market.Web.Infrastructure.Workers;

namespace Scoda.Market.Web.Features.Notifications;

/// <summary>
/// The server's own templates for notification mail in English, Russian and Chinese, one per notification code; a
/// notice without a code (or with one these do not know) is sent with its English text under a translated heading.
/// </summary>
public static partial class NotificationMailText
{
    static readonly Dictionary<string, Dictionary<string, string>> Templates = new(StringComparer.Ordinal)
    {
        ["match_buyer"] = new()
        {
            ["en"] = "{count} new listing(s) match your buy request for {commodity}",
            ["ru"] = "Новые предложения по вашему запросу на {commodity}: {count}",
            ["zh"] = "您的{commodity}采购需求有 {count} 条新匹配的挂牌",
        },
        ["match_seller"] = new()
        {
            ["en"] = "A buyer is looking for {commodity}: {quantity} {unit}, {incoterm} {place}",
            ["ru"] = "Покупатель ищет {commodity}: {quantity} {unit}, {incoterm} {place}",
            ["zh"] = "有买家求购{commodity}：{quantity} {unit}，{incoterm} {place}",
        },
        ["negotiation_opened"] = new()
        {
            ["en"] = "{buyer} wants to negotiate {listing}",
            ["ru"] = "{buyer} хочет обсудить «{listing}»",
            ["zh"] = "{buyer} 希望就「{listing}」进行洽谈",
        },
        ["offer_new"] = new()
        {
            ["en"] = "New offer on {listing}: {amount} {currency}/{unit}, {quantity} {quantityUnit}",
            ["ru"] = "Новое предложение по «{listing}»: {amount} {currency}/{unit}, {quantity} {quantityUnit}",
            ["zh"] = "「{listing}」有新报价：{amount} {currency}/{unit}，{quantity} {quantityUnit}",
        },
        ["offer_counter"] = new()
        {
            ["en"] = "Counter-offer on {listing}: {amount} {currency}/{unit}, {quantity} {quantityUnit}",
            ["ru"] = "Встречное предложение по «{listing}»: {amount} {currency}/{unit}, {quantity} {quantityUnit}",
            ["zh"] = "「{listing}」有还价：{amount} {currency}/{unit}，{quantity} {quantityUnit}",
        },
        ["approval_needed"] = new()
        {
            ["en"] = "Acceptance needs a second Owner: {amount} {currency} is above the approval threshold of {threshold} {thresholdCurrency}",
            ["ru"] = "Нужно одобрение второго владельца: {amount} {currency} выше порога одобрения {threshold} {thresholdCurrency}",
            ["zh"] = "需要另一位所有者批准：{amount} {currency} 超过审批门槛 {threshold} {thresholdCurrency}",
        },
        ["saved_search_match"] = new()
        {
            ["en"] = "New listing for your saved search “{search}”: {listing}",
            ["ru"] = "Новое предложение по сохранённому поиску «{search}»: {listing}",
            ["zh"] = "您保存的搜索「{search}」有新挂牌：{listing}",
        },
        ["deal_agreed"] = new()
        {
            ["en"] = "Deal agreed on {listing}: {amount} {currency}",
            ["ru"] = "Сделка заключена по «{listing}»: {amount} {currency}",
            ["zh"] = "「{listing}」已达成交易：{amount} {currency}",
        },
        // ---------- live-finish: live sessions (issue 12) ----------
        ["live_session_reminder"] = new()
        {
            ["en"] = "Starting soon: {title} at {startsAt}",
            ["ru"] = "Скоро начало: «{title}» в {startsAt}",
            ["zh"] = "即将开始：「{title}」，{startsAt}",
        },
        ["live_session_cancelled"] = new()
        {
            ["en"] = "Cancelled: {title} ({startsAt}). {reason}",
            ["ru"] = "Отменено: «{title}» ({startsAt}). {reason}",
            ["zh"] = "已取消：「{title}」（{startsAt}）。{reason}",
        },
        ["live_session_featured"] = new()
        {
            ["en"] = "Your listing is featured in a live session: {title} ({startsAt}) presents {listings}",
            ["ru"] = "Ваше предложение покажут в прямом эфире: «{title}» ({startsAt}) — {listings}",
            ["zh"] = "您的挂牌将在直播中展示：「{title}」（{startsAt}）介绍 {listings}",
        },
        ["live_interest"] = new()
        {
            ["en"] = "Firm interest in a live session: {buyer} wants {quantity} {unit} of {listing}",
            ["ru"] = "Твёрдый интерес в прямом эфире: {buyer} — {quantity} {unit} «{listing}»",
            ["zh"] = "直播中的明确意向：{buyer} 需要 {quantity} {unit}「{listing}」",
        },
    };

    static readonly Dictionary<string, (string Notice, string Digest, string Open, string Settings)> Frame = new(StringComparer.Ordinal)
    {
        ["en"] = ("Scoda.Market notification", "Your Scoda.Market day: {count} unread notification(s)", "Open", "Change how you are notified in your settings."),
        ["ru"] = ("Уведомление Scoda.Market", "Ваш день на Scoda.Market: непрочитанных уведомлений — {count}", "Открыть", "Способ уведомлений меняется в настройках."),
        ["zh"] = ("Scoda.Market 通知", "您的 Scoda.Market 每日摘要：{count} 条未读通知", "打开", "可在设置中更改通知方式。"),
    };

    static readonly Dictionary<string, Dictionary<string, string>> Units = new(StringComparer.Ordinal)
    {
        ["en"] = new() { ["t"] = "t", ["kg"] = "kg", ["m3"] = "m³" },
        ["ru"] = new() { ["t"] = "т", ["kg"] = "кг", ["m3"] = "м³" },
        ["zh"] = new() { ["t"] = "吨", ["kg"] = "千克", ["m3"] = "立方米" },
    };

    public static string LanguageOrEnglish(string? language) => language is not null && Frame.ContainsKey(language) ? language : "en";

    /// <summary>The notice in <paramref name="language"/>: its template with parameters filled, else its English text.</summary>
    public static string Render(Notification notification, string language, Func<string, string, string?> commodityName) =>
        Render(notification.Code, notification.Params, notification.Title, language, commodityName);

    /// <summary>A coded text in <paramref name="language"/>; <paramref name="english"/> when the code has no template.</summary>
    public static string Render(string? code, IReadOnlyDictionary<string, string> parameters, string english, string language, Func<string, string, string?> commodityName)
    {
        language = LanguageOrEnglish(language);
        if (code is null || !Templates.TryGetValue(code, out var byLanguage))
        {
            return english;
        }
        var culture = CultureInfo.GetCultureInfo(language == "zh" ? "zh-CN" : language);
        return Placeholder().Replace(byLanguage[language], m =>
        {
            var name = m.Groups[1].Value;
            // A parameter given per language (listing_ru beside listing) is read in the reader's language.
            if (parameters.TryGetValue($"{name}_{language}", out var inLanguage))
            {
                return inLanguage;
            }
            if (!parameters.TryGetValue(name, out var value))
            {
                return m.Value;
            }
            return name switch
            {
                "startsAt" when DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) =>
                    at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
                "commodity" => commodityName(value, language) ?? value,
                "unit" or "quantityUnit" => Units[language].GetValueOrDefault(value, value),
                "amount" or "quantity" or "count" or "threshold" when decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) =>
                    number.ToString("#,0.######", culture),
                _ => value,
            };
        }).Trim();
    }

    public static string NoticeSubject(string language) => Frame[LanguageOrEnglish(language)].Notice;

    public static string DigestSubject(string language, int count) =>
        Frame[LanguageOrEnglish(language)].Digest.Replace("{count}", count.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>An HTML list of notices with links to the site, and where to change the mail choice.</summary>
    public static string Html(string language, IEnumerable<(string Text, Uri Link)> items)
    {
        var frame = Frame[LanguageOrEnglish(language)];
        var html = new StringBuilder("<ul>");
        foreach (var (text, link) in items)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<li>{WebUtility.HtmlEncode(text)} — <a href=\"{WebUtility.HtmlEncode(link.AbsoluteUri)}\">{WebUtility.HtmlEncode(frame.Open)}</a></li>");
        }
        return html.Append(CultureInfo.InvariantCulture, $"</ul><p>{WebUtility.HtmlEncode(frame.Settings)}</p>").ToString();
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();
}

/// <summary>Writes notification mail: one message per notice (immediate) or one a day (digest), in each reader's language.</summary>
public sealed class NotificationMailer(MarketDbContext db, UserDirectory users, IMailTransport transport, MailOptions mail, PublicAddress address)
{
    public const int MaxPerDigest = 20;

    /// <summary>Mails every owed notice of users who chose immediate mail; returns how many went out.</summary>
    public async Task<int> SendImmediateAsync(DateTimeOffset now, CancellationToken ct)
    {
        var owed = await db.Notifications.AsNoTracking()
            .Join(db.UserPreferences.Where(p => p.Mail == MailModes.Immediate), n => n.UserId, p => p.UserId, (n, p) => new { n, p })
            .Where(x => x.n.MailedAt == null && x.n.CreatedAt >= x.p.UpdatedAt)
            .OrderBy(x => x.n.CreatedAt).Take(200).ToListAsync(ct);
        if (owed.Count == 0)
        {
            return 0;
        }
        var emails = await users.ConfirmedEmailsAsync(owed.Select(x => x.n.UserId).Distinct().ToList(), ct);
        var names = await CommodityNamesAsync(ct);
        var sent = 0;
        foreach (var (notification, preferences) in owed.Select(x => (x.n, x.p)))
        {
            // Claimed by a conditional update, so two passes (or two replicas) never mail one notice twice; claimed before
            // sending, so a failed send is not retried into a flood. The notice stays in the app either way.
            var id = notification.Id;
            if (await db.Notifications.Where(n => n.Id == id && n.MailedAt == null).ExecuteUpdateAsync(u => u.SetProperty(n => n.MailedAt, now), ct) == 0
                || !emails.TryGetValue(notification.UserId, out var email))
            {
                continue;
            }
            var text = NotificationMailText.Render(notification, preferences.Language, names);
            await SendAsync(email, $"{NotificationMailText.NoticeSubject(preferences.Language)}: {text}",
                NotificationMailText.Html(preferences.Language, [(text, new Uri(address.Rebase(notification.Link)))]), ct);
            sent++;
        }
        return sent;
    }

    /// <summary>Sends the daily digest to users who chose it, whose last digest is a day old and who have unread notices since.</summary>
    public async Task<int> SendDigestsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var dayAgo = now.AddDays(-1);
        var due = await db.UserPreferences.AsNoTracking().Where(p => p.Mail == MailModes.Digest && (p.DigestSentAt == null || p.DigestSentAt <= dayAgo)).ToListAsync(ct);
        if (due.Count == 0)
        {
            return 0;
        }
        var emails = await users.ConfirmedEmailsAsync(due.Select(p => p.UserId).ToList(), ct);
        var names = await CommodityNamesAsync(ct);
        var sent = 0;
        foreach (var preferences in due)
        {
            var since = preferences.DigestSentAt ?? preferences.UpdatedAt;
            var unread = await db.Notifications.AsNoTracking()
                .Where(n => n.UserId == preferences.UserId && n.ReadAt == null && n.CreatedAt > since)
                .OrderByDescending(n => n.CreatedAt).Take(MaxPerDigest + 1).ToListAsync(ct);
            if (unread.Count == 0 || !emails.TryGetValue(preferences.UserId, out var email))
            {
                continue;
            }
            // The day's digest is claimed by a conditional update: one mail a day per user, however many hosts run this.
            var userId = preferences.UserId;
            var last = preferences.DigestSentAt;
            if (await db.UserPreferences.Where(p => p.UserId == userId && p.DigestSentAt == last)
                    .ExecuteUpdateAsync(u => u.SetProperty(p => p.DigestSentAt, now), ct) == 0)
            {
                continue;
            }
            var items = unread.Take(MaxPerDigest).Select(n => (NotificationMailText.Render(n, preferences.Language, names), new Uri(address.Rebase(n.Link))));
            await SendAsync(email, NotificationMailText.DigestSubject(preferences.Language, unread.Count), NotificationMailText.Html(preferences.Language, items), ct);
            sent++;
        }
        return sent;
    }

    Task<Func<string, string, string?>> CommodityNamesAsync(CancellationToken ct) => CommodityNames.LoadAsync(db, ct);

    Task SendAsync(string to, string subject, string html, CancellationToken ct) => NoticeMail.SendOneAsync(transport, mail, to, subject, html, ct);
}

static class CommodityNames
{
    /// <summary>A commodity's name by taxonomy key in a language (English when that language has none).</summary>
    public static async Task<Func<string, string, string?>> LoadAsync(MarketDbContext db, CancellationToken ct)
    {
        var categories = await db.Categories.AsNoTracking().Select(c => new { c.Key, c.Name }).ToListAsync(ct);
        var byKey = categories.ToDictionary(c => c.Key, c => c.Name, StringComparer.Ordinal);
        return (key, language) => byKey.TryGetValue(key, out var name) ? name.GetValueOrDefault(language) ?? name.GetValueOrDefault("en") : null;
    }
}

/// <summary>
/// Mail that must go out whatever the reader's mail choice (a live session's reminder or cancellation): one message per
/// person with a confirmed address, the coded text in their language (English when they chose none). People who chose
/// immediate mail are left out: the notification stored beside it reaches them by mail already. A failed send is
/// logged, never thrown.
/// </summary>
[FeatureContract]
public sealed partial class NoticeMail(
    MarketDbContext db, UserDirectory users, IMailTransport transport, MailOptions mail, PublicAddress address, ILogger<NoticeMail> logger)
{
    public async Task<int> SendAsync(IReadOnlyCollection<Guid> userIds, NotificationText text, string link, CancellationToken ct)
    {
        if (userIds.Count == 0)
        {
            return 0;
        }
        var ids = userIds.Distinct().ToList();
        var preferences = await db.UserPreferences.AsNoTracking().Where(p => ids.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId, ct);
        var emails = await users.ConfirmedEmailsAsync(ids, ct);
        var names = await CommodityNames.LoadAsync(db, ct);
        var sent = 0;
        foreach (var (userId, email) in emails)
        {
            var chosen = preferences.GetValueOrDefault(userId);
            if (chosen?.Mail == MailModes.Immediate)
            {
                continue;
            }
            var language = NotificationMailText.LanguageOrEnglish(chosen?.Language);
            var line = NotificationMailText.Render(text.Code, text.Params, text.English, language, names);
            try
            {
                await SendOneAsync(transport, mail, email, $"{NotificationMailText.NoticeSubject(language)}: {line}",
                    NotificationMailText.Html(language, [(line, new Uri(address.Rebase(link)))]), ct);
                sent++;
            }
            catch (Exception ex) when (ex is SmtpException or IOException or FormatException or InvalidOperationException)
            {
                LogFailed(logger, ex, text.Code);
            }
        }
        return sent;
    }

    internal static async Task SendOneAsync(IMailTransport transport, MailOptions mail, string to, string subject, string html, CancellationToken ct)
    {
        using var message = new MailMessage(mail.From, to, subject, html) { IsBodyHtml = true, SubjectEncoding = Encoding.UTF8, BodyEncoding = Encoding.UTF8 };
        await transport.SendAsync(message, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice mail '{Code}' to one recipient failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string code);
}

/// <summary>Sends immediate notification mail shortly after each notice is stored (outside the transaction that made it).</summary>
public sealed class ImmediateMailWorker(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ImmediateMailWorker> logger) : PeriodicWorker(clock, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(20);

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NotificationMailer>().SendImmediateAsync(Clock.GetUtcNow(), ct);
    }
}

/// <summary>Once a day per user who chose it: one mail listing their unread notifications.</summary>
public sealed class DailyDigestWorker(IServiceScopeFactory scopes, TimeProvider clock, ILogger<DailyDigestWorker> logger) : PeriodicWorker(clock, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(15);

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NotificationMailer>().SendDigestsAsync(Clock.GetUtcNow(), ct);
    }
}
