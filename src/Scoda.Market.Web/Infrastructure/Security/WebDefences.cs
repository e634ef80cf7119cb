using System.Net;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Infrastructure.Security;

/// <summary><c>Security:*</c> and <c>ForwardedHeaders:*</c> settings.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>HSTS and a redirect of plain http to https (health probes excepted); on by default outside Development and Testing.</summary>
    public bool? RequireHttps { get; set; }

    /// <summary>Proxies (IP addresses) whose <c>X-Forwarded-For</c>/<c>-Proto</c> are believed; loopback always is.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. <c>172.16.0.0/12</c> for a compose network) whose forwarded headers are believed.</summary>
    public string[] KnownNetworks { get; set; } = [];
}

/// <summary>
/// The web's standard defences: security headers on every response, HTTPS behind a known proxy, no <c>Server</c>
/// header, and the same-origin check for requests the browser's cookie authenticates.
/// </summary>
public static class WebDefences
{
    /// <summary>
    /// The built client loads only its own scripts and styles (Vite emits no inline script); hubs connect to the same
    /// origin. Features widen single directives with <see cref="ContentSecuritySources"/> (the live player's frames and
    /// streams); <see cref="ContentSecurityPolicyWith"/> puts them together.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
        + "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    /// <summary>The directives a feature may widen; the others (scripts, styles, objects, ancestors, base, forms) stay closed.</summary>
    public static readonly IReadOnlySet<string> WidenableDirectives = new HashSet<string>(StringComparer.Ordinal)
    {
        "connect-src", "media-src", "worker-src", "frame-src", "img-src",
    };

    /// <summary>
    /// <see cref="ContentSecurityPolicy"/> with every feature's sources added to their directives: a directive already
    /// there gains them, one not there is added as <c>'self'</c> plus them (<c>frame-src</c>: only them). Sources are checked (<see cref="ContentSecuritySources"/>).
    /// </summary>
    public static string ContentSecurityPolicyWith(IEnumerable<ContentSecuritySources> widening)
    {
        var directives = ContentSecurityPolicy.Split("; ").Select(d => d.Split(' ', 2))
            .ToDictionary(d => d[0], d => d.Skip(1).SelectMany(v => v.Split(' ')).ToList(), StringComparer.Ordinal);
        var order = directives.Keys.ToList();
        foreach (var wider in widening)
        {
            if (!directives.TryGetValue(wider.Directive, out var sources))
            {
                // Frames are exactly the feature's hosts; the rest keep what default-src gave them.
                directives[wider.Directive] = sources = wider.Directive == "frame-src" ? [] : ["'self'"];
                order.Add(wider.Directive);
            }
            sources.AddRange(wider.Sources.Where(s => !sources.Contains(s, StringComparer.Ordinal)));
        }
        return string.Join("; ", order.Select(d => string.Join(' ', [d, .. directives[d].Count == 0 ? ["'none'"] : directives[d]])));
    }

    public static IHostApplicationBuilder AddWebDefences(this IHostApplicationBuilder builder)
    {
        var options = new SecurityOptions();
        builder.Configuration.GetSection(SecurityOptions.Section).Bind(options);
        var forwarded = builder.Configuration.GetSection("ForwardedHeaders");
        options.KnownProxies = [.. options.KnownProxies, .. forwarded.GetSection(nameof(SecurityOptions.KnownProxies)).Get<string[]>() ?? []];
        options.KnownNetworks = [.. options.KnownNetworks, .. forwarded.GetSection(nameof(SecurityOptions.KnownNetworks)).Get<string[]>() ?? []];
        options.RequireHttps ??= !(builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing"));
        builder.Services.AddSingleton(options);

        builder.Services.AddSingleton(PublicAddress.From(builder.Configuration, builder.Environment));
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);
        builder.Services.Configure<ForwardedHeadersOptions>(forward =>
        {
            forward.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in options.KnownProxies)
            {
                forward.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                    ? address
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies has '{proxy}', which is not an IP address."));
            }
            foreach (var network in options.KnownNetworks)
            {
                forward.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                    ? parsed
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks has '{network}', which is not a CIDR network."));
            }
        });
        // Behind a TLS proxy Kestrel has no https address to learn the port from: the public one is 443 unless HTTPS_PORT says otherwise.
        builder.Services.AddHttpsRedirection(https => https.HttpsPort = builder.Configuration.GetValue<int?>("HTTPS_PORT") ?? 443);
        builder.Services.AddHsts(hsts =>
        {
            hsts.MaxAge = TimeSpan.FromDays(365);
            hsts.IncludeSubDomains = true;
        });
        return builder;
    }

    /// <summary>First in the pipeline: forwarded headers, HTTPS, and the security headers (which survive an error response).</summary>
    public static WebApplication UseWebDefences(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (app.Services.GetRequiredService<SecurityOptions>().RequireHttps == true)
        {
            app.UseHsts();
            // Container probes call /health over plain http from inside; everything else moves to https.
            app.UseWhen(context => !context.Request.Path.StartsWithSegments("/health"), https => https.UseHttpsRedirection());
        }
        var policy = ContentSecurityPolicyWith(app.Services.GetServices<ContentSecuritySources>());
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                // TryAdd: a response that sets its own (a download's sandbox policy) keeps it.
                headers.TryAdd(HeaderNames.ContentSecurityPolicy, policy);
                headers.TryAdd(HeaderNames.XContentTypeOptions, "nosniff");
                headers.TryAdd(HeaderNames.XFrameOptions, "DENY");
                headers.TryAdd("Referrer-Policy", "strict-origin-when-cross-origin");
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }

    /// <summary>
    /// A state-changing request authenticated by the browser's cookie (not by a bearer token, which a foreign page cannot
    /// send) must come from our own origin: <c>Origin</c>, or failing it <c>Sec-Fetch-Site</c>, says so, and without
    /// either it is refused (OWASP: verifying origin with standard headers). A cookie sign-in is checked the same way.
    /// </summary>
    public static WebApplication UseSameOriginCheck(this WebApplication app)
    {
        var address = app.Services.GetRequiredService<PublicAddress>();
        var cookieName = app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(IdentityConstants.ApplicationScheme).Cookie.Name ?? ".AspNetCore.Identity.Application";
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (IsStateChanging(request.Method) && !HasBearerToken(request) && !IsSignedWebhook(request)
                && (request.Cookies.ContainsKey(cookieName) || IsCookieSignIn(request))
                && !IsSameOrigin(request, address))
            {
                await Problems.Problems.Forbidden("A signed-in browser request must come from this site's own pages (Origin or Sec-Fetch-Site).")
                    .ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        return app;
    }

    static bool IsStateChanging(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    /// <summary>Webhooks authenticate by their signature, not a cookie; a browser's stray cookie must not get them refused.</summary>
    static bool IsSignedWebhook(HttpRequest request) =>
        request.Path.StartsWithSegments("/api/payments/stripe/webhook", StringComparison.OrdinalIgnoreCase) && request.Headers.ContainsKey("Stripe-Signature");

    static bool HasBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    static bool IsCookieSignIn(HttpRequest request) =>
        request.Path.StartsWithSegments("/api/auth/login", StringComparison.OrdinalIgnoreCase)
        && (string.Equals(request.Query["useCookies"], "true", StringComparison.OrdinalIgnoreCase)
            || string.Equals(request.Query["useSessionCookies"], "true", StringComparison.OrdinalIgnoreCase));

    static bool IsSameOrigin(HttpRequest request, PublicAddress address)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            return string.Equals(origin, address.Origin, StringComparison.OrdinalIgnoreCase)
                || string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);
        }
        return string.Equals(request.Headers["Sec-Fetch-Site"].ToString(), "same-origin", StringComparison.OrdinalIgnoreCase);
    }
}
