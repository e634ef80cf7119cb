using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Scoda.Market.Web.Infrastructure.Auth;

namespace Scoda.Market.Web.Infrastructure.Security;

/// <summary>One group's limits: requests per <see cref="Window"/> from one IP address, and for one account.</summary>
public sealed class RateLimitRule
{
    public int PerIp { get; set; }
    public int PerAccount { get; set; }
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// <c>RateLimits:*</c>. The account of sign-in, registration and reset calls is the email they name (so spreading
/// guesses over many IPs does not help); of uploads and search, the signed-in user.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    public RateLimitRule Login { get; set; } = new() { PerIp = 30, PerAccount = 10 };
    public RateLimitRule Register { get; set; } = new() { PerIp = 10, PerAccount = 3 };
    public RateLimitRule PasswordReset { get; set; } = new() { PerIp = 10, PerAccount = 5 };
    public RateLimitRule ConfirmationResend { get; set; } = new() { PerIp = 10, PerAccount = 3 };
    public RateLimitRule Uploads { get; set; } = new() { PerIp = 60, PerAccount = 30 };
    public RateLimitRule Search { get; set; } = new() { PerIp = 300, PerAccount = 300 };

    /// <summary>Payment providers' webhooks (anonymous): generous, since Stripe retries a refusal, but bounded per sender.</summary>
    public RateLimitRule Webhooks { get; set; } = new() { PerIp = 600, PerAccount = 600 };

    public static readonly IReadOnlyList<string> Groups =
        [nameof(Login), nameof(Register), nameof(PasswordReset), nameof(ConfirmationResend), nameof(Uploads), nameof(Search), nameof(Webhooks)];
}

public static class RateLimits
{
    const string AccountItem = "rate-limit-account";

    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, options, byAccount: false)),
                PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, options, byAccount: true)));
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (rejected, _) => WriteRejectionAsync(rejected, options);
        });
        return builder;
    }

    /// <summary>After authentication, so uploads and search count per user; reads the email of auth calls first.</summary>
    public static WebApplication UseRateLimits(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<RateLimitOptions>();
        app.Use(async (context, next) =>
        {
            if (GroupOf(context.Request, options) is { Named: true })
            {
                await ReadAccountEmailAsync(context);
            }
            await next(context);
        });
        app.UseRateLimiter();
        return app;
    }

    /// <summary>The group a request counts against; <c>Named</c> when its account is the email in the body.</summary>
    static (string Group, RateLimitRule Rule, bool Named)? GroupOf(HttpRequest request, RateLimitOptions options)
    {
        var path = request.Path;
        if (HttpMethods.IsPost(request.Method) && path.StartsWithSegments("/api/auth", StringComparison.OrdinalIgnoreCase, out var action))
        {
            return action.Value?.ToUpperInvariant() switch
            {
                "/LOGIN" => (nameof(options.Login), options.Login, true),
                "/REGISTER" => (nameof(options.Register), options.Register, true),
                "/FORGOTPASSWORD" or "/RESETPASSWORD" => (nameof(options.PasswordReset), options.PasswordReset, true),
                "/RESENDCONFIRMATIONEMAIL" => (nameof(options.ConfirmationResend), options.ConfirmationResend, true),
                _ => null,
            };
        }
        if (HttpMethods.IsPost(request.Method) && path.StartsWithSegments("/api/payments/stripe/webhook", StringComparison.OrdinalIgnoreCase))
        {
            return (nameof(options.Webhooks), options.Webhooks, false);
        }
        if (HttpMethods.IsGet(request.Method) && path.StartsWithSegments("/api/search", StringComparison.OrdinalIgnoreCase))
        {
            return (nameof(options.Search), options.Search, false);
        }
        var uploading = (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method))
            && (request.HasFormContentType || request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true);
        return uploading ? (nameof(options.Uploads), options.Uploads, false) : null;
    }

    static RateLimitPartition<string> Partition(HttpContext context, RateLimitOptions options, bool byAccount)
    {
        if (GroupOf(context.Request, options) is not { } group)
        {
            return RateLimitPartition.GetNoLimiter("");
        }
        string? key;
        if (byAccount)
        {
            key = group.Named
                ? context.Items[AccountItem] as string
                : CurrentUser.IdOf(context.User)?.ToString("N");
            if (key is null)
            {
                return RateLimitPartition.GetNoLimiter("");
            }
        }
        else
        {
            key = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        }
        var limit = byAccount ? group.Rule.PerAccount : group.Rule.PerIp;
        return RateLimitPartition.GetFixedWindowLimiter($"{group.Group}:{(byAccount ? "account" : "ip")}:{key}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, limit),
            Window = group.Rule.Window,
            QueueLimit = 0,
        });
    }

    /// <summary>The email an auth call names, normalized, from a small JSON body (which stays readable for the endpoint).</summary>
    static async Task ReadAccountEmailAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.HasJsonContentType() || request.ContentLength is not (> 0 and <= 16 * 1024))
        {
            return;
        }
        request.EnableBuffering();
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: context.RequestAborted);
            if (body.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in body.RootElement.EnumerateObject())
                {
                    if (property.NameEquals("email") || property.Name.Equals("email", StringComparison.OrdinalIgnoreCase))
                    {
                        if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { Length: > 0 } email)
                        {
                            context.Items[AccountItem] = email.Trim().ToUpperInvariant();
                        }
                        break;
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON after all, or a string that is no text (a lone surrogate escape makes GetString throw): the
            // endpoint refuses it; this call counts per IP only.
        }
        finally
        {
            request.Body.Position = 0;
        }
    }

    static async ValueTask WriteRejectionAsync(OnRejectedContext rejected, RateLimitOptions options)
    {
        var context = rejected.HttpContext;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? retryAfter
            : GroupOf(context.Request, options)?.Rule.Window ?? TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests.",
                Detail = $"Slow down: try again in {seconds} s.",
            },
        });
    }
}
