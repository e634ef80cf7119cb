using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Infrastructure.Auth;

/// <summary><c>Identity:*</c> settings that differ between the embedded default and production.</summary>
public sealed class IdentitySettings
{
    public const string Section = "Identity";

    /// <summary>Sign-in waits for the emailed link; on by default outside Development and Testing (see <see cref="AuthSetup"/>).</summary>
    public bool? RequireConfirmedEmail { get; set; }
    public int MaxFailedAccessAttempts { get; set; } = 5;
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a bearer token works; clients renew it with the refresh token, which checks the security stamp.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long a host trusts a user's stamp before reading it again; a change made on this host evicts it at once.</summary>
    public TimeSpan SecurityStampCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Auth cookies only over HTTPS; on by default outside Development and Testing (both run on plain http).</summary>
    public bool? SecureCookies { get; set; }
}

public static class AuthSetup
{
    public const string AdminPolicy = "PlatformAdmin";
    public const string VerifierPolicy = "PlatformVerifier";

    public static IHostApplicationBuilder AddMarketAuth(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(IdentitySettings.Section).Get<IdentitySettings>() ?? new IdentitySettings();
        var localRun = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing");
        builder.Services.AddSingleton(settings);

        builder.Services
            .AddIdentityApiEndpoints<User>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 10;
                options.Password.RequireDigit = true;
                options.Password.RequireLowercase = true;
                options.Password.RequireUppercase = true;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 4;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = settings.MaxFailedAccessAttempts;
                options.Lockout.DefaultLockoutTimeSpan = settings.LockoutDuration;
                options.SignIn.RequireConfirmedEmail = settings.RequireConfirmedEmail ?? !localRun;
            })
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<MarketDbContext>()
            .AddUserManager<MarketUserManager>();
        builder.AddSessions();

        builder.AddMarketDataProtection();

        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "scoda.auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = settings.SecureCookies ?? !localRun ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            cookie.SlidingExpiration = true;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
            // An API answers with status codes, never a redirect to a login page.
            cookie.Events = new CookieAuthenticationEvents
            {
                OnRedirectToLogin = context => WriteStatus(context.Response, StatusCodes.Status401Unauthorized),
                OnRedirectToAccessDenied = context => WriteStatus(context.Response, StatusCodes.Status403Forbidden),
            };
        });

        builder.Services.Configure<BearerTokenOptions>(IdentityConstants.BearerScheme, bearer =>
        {
            bearer.BearerTokenExpiration = settings.AccessTokenLifetime;
            bearer.RefreshTokenExpiration = settings.RefreshTokenLifetime;
            // Browsers cannot set headers on a WebSocket request; the SignalR client sends the token as access_token.
            bearer.Events = new BearerTokenEvents
            {
                OnMessageReceived = context =>
                {
                    var token = context.Request.Query["access_token"];
                    if (!string.IsNullOrEmpty(token) && context.HttpContext.Request.Path.StartsWithSegments("/hubs"))
                    {
                        context.Token = token;
                    }
                    return Task.CompletedTask;
                },
            };
        });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireRole(PlatformRoles.Admin))
            .AddPolicy(VerifierPolicy, policy => policy.RequireRole(PlatformRoles.Admin, PlatformRoles.Moderator));

        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<CurrentUser>();
        return builder;
    }

    /// <summary>Sessions end when they should: the stamp check on every request and hub call, and closing hubs of ended sessions.</summary>
    static void AddSessions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<SecurityStamps>();
        builder.Services.AddSingleton<HubSessions>();
        builder.Services.AddSingleton<IRealtimeSink, SessionEndingSink>();
        builder.Services.AddSingleton<SessionHubFilter>();
        builder.Services.AddSignalR(hub => hub.AddFilter<SessionHubFilter>());
    }

    static Task WriteStatus(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }
}
