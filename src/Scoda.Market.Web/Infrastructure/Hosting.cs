using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.FileProviders;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Infrastructure.Commands;
using Scoda.Market.Web.Infrastructure.Health;
using Scoda.Market.Web.Infrastructure.Json;
using Scoda.Market.Web.Infrastructure.Storage;

namespace Scoda.Market.Web.Infrastructure;

/// <summary><c>OpenApi:Enabled</c>: whether <c>/openapi/v1.json</c> and Swagger UI at <c>/swagger</c> are served.</summary>
public sealed record OpenApiSwitch(bool Enabled);

/// <summary>Cross-cutting services and endpoints of the host: JSON, OpenAPI, AutoMapper, health, clock, files, web client.</summary>
public static class Hosting
{
    public static IHostApplicationBuilder AddMarketPlatform(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(json => MarketJson.Configure(json.SerializerOptions));
        builder.Services.PostConfigure<Microsoft.AspNetCore.Http.Json.JsonOptions>(json => MarketJson.AddInputChecks(json.SerializerOptions));
        // The API description helps integrators and attackers alike: on by default only where developers run the host.
        var openApi = builder.Configuration.GetValue<bool?>("OpenApi:Enabled")
            ?? (builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing"));
        builder.Services.AddSingleton(new OpenApiSwitch(openApi));
        builder.Services.AddOpenApi();
        builder.Services.AddAutoMapper(
            mapper => mapper.LicenseKey = builder.Configuration["AutoMapper:LicenseKey"],
            typeof(Hosting).Assembly);
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(DataFolder.From(builder.Configuration, builder.Environment));
        builder.Services.AddSingleton<FileStore>();
        builder.Services.Configure<RouteOptions>(routes => routes.SetParameterPolicy<ClientRouteConstraint>(ClientRouteConstraint.Name));
        builder.Services.AddHostCommand<MigrateCommand>();
        builder.Services.AddHostCommand<SchemaScriptCommand>();
        return builder;
    }

    /// <summary>Where the host listens when nothing says otherwise (the README's address).</summary>
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>
    /// Listens on <see cref="DefaultUrl"/> unless an address was given the usual ways (<c>ASPNETCORE_URLS</c>,
    /// <c>--urls</c>, <c>ASPNETCORE_HTTP_PORTS</c>, Kestrel endpoints). The default is not put in launchSettings or
    /// appsettings: either of those would win over <c>ASPNETCORE_URLS</c>.
    /// </summary>
    public static WebApplicationBuilder ListenOnDefaultUrlUnlessConfigured(this WebApplicationBuilder builder)
    {
        if (!HasConfiguredAddress(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        return builder;
    }

    internal static bool HasConfiguredAddress(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["urls"])
        || !string.IsNullOrWhiteSpace(configuration["http_ports"])
        || !string.IsNullOrWhiteSpace(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();

    /// <summary>Applies migrations unless <c>Database:MigrateOnStartup</c> is off; a changed script stops start-up.</summary>
    public static async Task MigrateOnStartupAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<DatabaseOptions>().MigrateOnStartup)
        {
            await app.Services.GetRequiredService<Migrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
        }
    }

    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealth });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealth });
        if (app.Services.GetRequiredService<OpenApiSwitch>().Enabled)
        {
            app.MapOpenApi();
            app.UseSwaggerUI(ui =>
            {
                ui.SwaggerEndpoint("/openapi/v1.json", "Scoda.Market API v1");
                ui.RoutePrefix = "swagger";
                ui.DocumentTitle = "Scoda.Market API";
            });
        }
        return app;
    }

    /// <summary>The built React client's files (<c>webclient/</c> beside the app), or nothing when it was not built.</summary>
    public static IFileProvider WebClientFiles(this IHostEnvironment environment)
    {
        var folder = Path.Combine(environment.ContentRootPath, "webclient");
        return Directory.Exists(folder) ? new PhysicalFileProvider(folder) : new NullFileProvider();
    }

    public static WebApplication UseWebClientFiles(this WebApplication app)
    {
        var files = app.Environment.WebClientFiles();
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        return app;
    }

    /// <summary>Client-side routes fall back to the client's index.html; unknown API and hub paths are 404 problems.</summary>
    public static WebApplication MapWebClient(this WebApplication app)
    {
        // Unknown API and hub paths are answered here, when routing found no endpoint, rather than by catch-all routes:
        // a catch-all is always a candidate, so it would beat routing's own 405 (wrong method) and 415 (a JSON endpoint
        // sent text/plain) answers, which then reach the client as problems through the status-code pages.
        app.Use(async (context, next) =>
        {
            if (ClientRouteConstraint.IsServerPath(context.Request.Path)
                && (context.GetEndpoint() is null || IsMethodNotAllowedForUnknownPath(context)))
            {
                var what = context.Request.Path.StartsWithSegments("/hubs") ? "Hub" : "API route";
                await Problems.Problems.NotFound(what).ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        app.MapFallbackToFile($"{{*path:nonfile:{ClientRouteConstraint.Name}}}", "index.html", new StaticFileOptions { FileProvider = app.Environment.WebClientFiles() });
        return app;
    }

    /// <summary>
    /// Routing answers 405 when only the web client's GET fallback matched the path; for an API path that no route
    /// knows, 404 is the truth.
    /// </summary>
    static bool IsMethodNotAllowedForUnknownPath(HttpContext context)
    {
        if (context.GetEndpoint()?.DisplayName != "405 HTTP Method Not Supported")
        {
            return false;
        }
        var path = context.Request.Path.Value ?? "";
        var endpoints = context.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints;
        return !endpoints.OfType<RouteEndpoint>().Any(e => e.RoutePattern.RawText is { } raw && raw.TrimStart('/').StartsWith("api", StringComparison.Ordinal)
            && new TemplateMatcher(TemplateParser.Parse(raw), []).TryMatch(path, []));
    }

    /// <summary>
    /// Check details (provider, pending migrations, index sizes) map the deployment: only admins and the host itself
    /// (container probes on loopback) see them; everyone else gets the status.
    /// </summary>
    static Task WriteHealth(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var remote = context.Connection.RemoteIpAddress;
        var detailed = context.User.IsInRole(PlatformRoles.Admin) || (remote is not null && IPAddress.IsLoopback(remote));
        if (!detailed)
        {
            return context.Response.WriteAsJsonAsync(new { status = report.Status.ToString() });
        }
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            durationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        });
    }
}

/// <summary>Matches the web client's own routes: anything but <c>/api/…</c> and <c>/hubs/…</c>, which never fall back to index.html.</summary>
public sealed class ClientRouteConstraint : IRouteConstraint
{
    public const string Name = "clientroute";

    public static bool IsServerPath(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs");

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        httpContext is null || !IsServerPath(httpContext.Request.Path);
}
