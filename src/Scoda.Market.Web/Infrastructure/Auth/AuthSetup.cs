using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;

namespace Scoda.Market.Web.Infrastructure.Auth;

/// <summary><c>Identity:*</c> settings that differ between the embedded default and production.</summary>
public sealed class IdentitySettings
{
    public const string Section = "Identity";

    public bool RequireConfirmedEmail { get; set; }
    public int MaxFailedAccessAttempts { get; set; } = 5;
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);
}

public static class AuthSetup
{
    public const string AdminPolicy = "PlatformAdmin";
    public const string VerifierPolicy = "PlatformVerifier";

    public static IHostApplicationBuilder AddMarketAuth(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(IdentitySettings.Section).Get<IdentitySettings>() ?? new IdentitySettings();

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
                options.SignIn.RequireConfirmedEmail = settings.RequireConfirmedEmail;
            })
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<MarketDbContext>();

        builder.AddMarketDataProtection();

        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "scoda.auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
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
            bearer.BearerTokenExpiration = TimeSpan.FromHours(1);
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

    static Task WriteStatus(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }
}
