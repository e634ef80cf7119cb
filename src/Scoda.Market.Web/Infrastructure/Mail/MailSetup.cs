using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Infrastructure.Security;
using Scoda.Market.Web.Infrastructure.Storage;

namespace Scoda.Market.Web.Infrastructure.Mail;

public enum MailTransport
{
    Pickup,
    Smtp,
}

/// <summary><c>Mail:*</c>: where account mail goes. Pickup writes .eml files under the data folder.</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    public MailTransport Transport { get; set; } = MailTransport.Pickup;
    public string From { get; set; } = "no-reply@scoda.market";
    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 587;
    public bool SmtpSsl { get; set; } = true;
    public string? SmtpUser { get; set; }
    public string? SmtpPassword { get; set; }

    /// <summary>Account mail (confirmation, reset, notices) to one address per hour; beyond it nothing is sent, and the caller is told nothing.</summary>
    public int MaxPerAddressPerHour { get; set; } = 5;
}

public static class MailSetup
{
    public static IHostApplicationBuilder AddMarketMail(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(MailOptions.Section).Get<MailOptions>() ?? new MailOptions();
        builder.Services.AddSingleton(options);
        if (options.Transport == MailTransport.Smtp)
        {
            if (string.IsNullOrWhiteSpace(options.SmtpHost))
            {
                throw new InvalidOperationException("Mail:Transport is Smtp but Mail:SmtpHost is empty.");
            }
            builder.Services.AddSingleton<IMailTransport, SmtpMailTransport>();
        }
        else
        {
            var pickup = DataFolder.From(builder.Configuration, builder.Environment).Folder("mail");
            builder.Services.AddSingleton<IMailTransport>(new PickupMailTransport(pickup));
        }
        builder.Services.AddSingleton<AccountMail>();
        builder.Services.AddSingleton<IEmailSender<User>>(s => s.GetRequiredService<AccountMail>());
        return builder;
    }
}

/// <summary>Sends one HTML message; the only seam between account mail and the wire.</summary>
public interface IMailTransport
{
    Task SendAsync(MailMessage message, CancellationToken ct = default);
}

/// <summary>Writes each message as an RFC 822 .eml file, readable in any mail client.</summary>
public sealed class PickupMailTransport(string folder) : IMailTransport
{
    public string Folder { get; } = folder;

    public async Task SendAsync(MailMessage message, CancellationToken ct = default)
    {
        var to = string.Join(", ", message.To.Select(a => a.Address));
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"From: {message.From?.Address}\r\n")
            .Append(CultureInfo.InvariantCulture, $"To: {to}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Subject: =?utf-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes(message.Subject))}?=\r\n")
            .Append(CultureInfo.InvariantCulture, $"Date: {DateTimeOffset.UtcNow:R}\r\n")
            .Append("MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n")
            .Append(message.Body)
            .ToString();
        var name = $"{DateTimeOffset.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.eml";
        await File.WriteAllTextAsync(Path.Combine(Folder, name), text, ct);
    }
}

public sealed class SmtpMailTransport(MailOptions options) : IMailTransport
{
    public async Task SendAsync(MailMessage message, CancellationToken ct = default)
    {
        using var client = new SmtpClient(options.SmtpHost, options.SmtpPort) { EnableSsl = options.SmtpSsl };
        if (!string.IsNullOrEmpty(options.SmtpUser))
        {
            client.Credentials = new NetworkCredential(options.SmtpUser, options.SmtpPassword);
        }
        await client.SendMailAsync(message, ct);
    }
}

/// <summary>
/// Account mail (Identity's confirmation and reset mail, and our own notices) through the configured transport. Links are
/// rebased on the public address; each address gets at most <see cref="MailOptions.MaxPerAddressPerHour"/> a hour, so
/// nobody can flood a mailbox through the resend and reset endpoints (those answer the same either way).
/// </summary>
public sealed partial class AccountMail : IEmailSender<User>, IDisposable
{
    readonly IMailTransport _transport;
    readonly MailOptions _options;
    readonly PublicAddress _address;
    readonly ILogger<AccountMail> _logger;
    readonly PartitionedRateLimiter<string> _perAddress;

    public AccountMail(IMailTransport transport, MailOptions options, PublicAddress address, ILogger<AccountMail> logger)
    {
        _transport = transport;
        _options = options;
        _address = address;
        _logger = logger;
        _perAddress = PartitionedRateLimiter.Create<string, string>(to => RateLimitPartition.GetFixedWindowLimiter(to, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(0, options.MaxPerAddressPerHour),
            Window = TimeSpan.FromHours(1),
            QueueLimit = 0,
        }));
    }

    public Task SendConfirmationLinkAsync(User user, string email, string confirmationLink) =>
        SendAsync(email, "Confirm your Scoda.Market account",
            $"<p>Welcome to Scoda.Market.</p><p><a href=\"{Link(confirmationLink)}\">Confirm your email address</a>.</p>");

    public Task SendPasswordResetLinkAsync(User user, string email, string resetLink) =>
        SendAsync(email, "Reset your Scoda.Market password", $"<p><a href=\"{Link(resetLink)}\">Reset your password</a>.</p>");

    public Task SendPasswordResetCodeAsync(User user, string email, string resetCode) =>
        SendAsync(email, "Your Scoda.Market password reset code",
            $"<p>Your reset code: <b>{WebUtility.HtmlEncode(resetCode)}</b></p>");

    /// <summary>Someone registered with an address that already has an account: registration answered as usual, the owner hears of it here.</summary>
    public Task SendRegistrationAttemptAsync(string email) =>
        SendAsync(email, "Someone tried to register with your address",
            "<p>Someone tried to create a Scoda.Market account with this email address, which already has one. Nothing was changed.</p>"
            + $"<p>If it was you, <a href=\"{WebUtility.HtmlEncode(_address.BaseUrl.AbsoluteUri)}\">sign in</a> or reset your password from the sign-in page. If not, you can ignore this message.</p>");

    /// <summary>Identity hands links over HTML-encoded; rebased on the public address and encoded again for the body.</summary>
    string Link(string encodedLink) => WebUtility.HtmlEncode(_address.Rebase(WebUtility.HtmlDecode(encodedLink)));

    async Task SendAsync(string to, string subject, string html)
    {
        using (var lease = _perAddress.AttemptAcquire(to.Trim().ToUpperInvariant()))
        {
            if (!lease.IsAcquired)
            {
                LogThrottled(_logger, subject);
                return;
            }
        }
        using var message = new MailMessage(_options.From, to, subject, html) { IsBodyHtml = true };
        await _transport.SendAsync(message);
        // The address is personal data and the body carries a token: log neither.
        LogSent(_logger, subject);
    }

    public void Dispose() => _perAddress.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent account mail '{Subject}'")]
    private static partial void LogSent(ILogger logger, string subject);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account mail '{Subject}' not sent: the address had its hourly share")]
    private static partial void LogThrottled(ILogger logger, string subject);
}
