using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Scoda.Market.Search;
using Scoda.Market.Web.Data;

namespace Scoda.Market.Web.Infrastructure.Telemetry;

/// <summary>
/// OpenTelemetry traces, metrics and logs exported by OTLP, switched on by the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// (environment variable or configuration key of that name; <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_SERVICE_NAME</c>,
/// <c>OTEL_BSP_SCHEDULE_DELAY</c>, <c>OTEL_METRIC_EXPORT_INTERVAL</c> … are honoured as the SDK reads them). Without an
/// endpoint nothing is registered: no SDK, no listener, no decorator, so every activity start returns null at once.
/// </summary>
public static class TelemetrySetup
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Sources whose spans are exported besides ASP.NET Core's and HttpClient's.</summary>
    static readonly string[] Sources = [MarketTelemetry.Name, NpgsqlSource];

    /// <summary>Meters exported besides the ASP.NET Core and HttpClient ones the instrumentations add.</summary>
    static readonly string[] Meters =
    [
        MarketTelemetry.Name,
        "Npgsql",
        "Microsoft.EntityFrameworkCore",
        "Microsoft.AspNetCore.Http.Connections", // SignalR connections and their duration, by transport
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.Extensions.Diagnostics.HealthChecks",
    ];

    // Npgsql traces and meters under its own name; the Npgsql.OpenTelemetry package only adds these two names.
    const string NpgsqlSource = "Npgsql";

    /// <summary>Call after every feature registered its services (the search port is decorated).</summary>
    public static IHostApplicationBuilder AddMarketTelemetry(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[EndpointKey]))
        {
            return builder;
        }

        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "scoda-market";
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(serviceName, serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString())
                .AddAttributes([new("deployment.environment.name", builder.Environment.EnvironmentName)]))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(aspnet =>
                {
                    // Probes hit these every few seconds; their spans would push real requests out of the dashboard.
                    aspnet.Filter = context => !context.Request.Path.StartsWithSegments("/health");
                    aspnet.RecordException = true;
                })
                .AddHttpClientInstrumentation()
                .AddSource(Sources)
                .AddProcessor(new DropParentlessDatabaseSpans()))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(Meters))
            .WithLogging()
            .UseOtlpExporter();

        builder.Services.Configure<HubOptions>(hubs => hubs.AddFilter<HubTelemetryFilter>());
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            builder.Services.AddSingleton<IInterceptor, SqliteCommandTelemetry>();
        }
        DecorateListingIndex(builder.Services);
        builder.Services.AddSingleton<OutboxGauges>();
        builder.Services.AddHostedService<StartOutboxGauges>();
        return builder;
    }

    static void DecorateListingIndex(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IListingIndex));
        if (registered is null)
        {
            return;
        }
        services.Remove(registered);
        services.Add(ServiceDescriptor.Describe(typeof(IListingIndex), s => new InstrumentedListingIndex(registered switch
        {
            { ImplementationInstance: IListingIndex instance } => instance,
            { ImplementationFactory: { } factory } => (IListingIndex)factory(s),
            _ => (IListingIndex)ActivatorUtilities.CreateInstance(s, registered.ImplementationType!),
        }), registered.Lifetime));
    }

    /// <summary>
    /// Npgsql starts a span for every command, also for commands outside any request or worker pass (the idle search
    /// indexer polls once a second, migrations, the outbox gauges). Such parentless spans are not exported: they would
    /// bury request traces. Unsetting Recorded at the start keeps the batch exporter from taking them.
    /// </summary>
    sealed class DropParentlessDatabaseSpans : BaseProcessor<Activity>
    {
        public override void OnStart(Activity data)
        {
            if (data.Source.Name == NpgsqlSource && data.Parent is null && data.ParentSpanId == default)
            {
                data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            }
        }
    }

    /// <summary>Creates the outbox gauges when the host starts (they observe from then on).</summary>
    sealed class StartOutboxGauges(OutboxGauges gauges) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(gauges);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
