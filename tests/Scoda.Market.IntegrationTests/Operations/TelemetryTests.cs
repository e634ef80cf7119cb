using System.Diagnostics;
using System.Net;
using FluentAssertions;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Search;
using Scoda.Market.Web.Infrastructure.Telemetry;

namespace Scoda.Market.IntegrationTests.Operations;

/// <summary>OpenTelemetry export over OTLP/HTTP to a receiver in this process, and no telemetry at all without an endpoint.</summary>
public sealed class TelemetryTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_search_request_arrives_at_the_OTLP_endpoint_as_a_trace_with_the_search_span_and_metrics()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            [TelemetrySetup.EndpointKey] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });

        // ActivitySource listeners are process-wide: this host's exporter also sees the requests of test hosts running in
        // parallel. The request names a trace of its own (W3C traceparent), and the test looks for that trace.
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var search = new HttpRequestMessage(HttpMethod.Get, "/api/search/listings?q=wheat");
        search.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        var response = await app.CreateClient().SendAsync(search, Ct);
        response.StatusCode.Should().Be(HttpStatusCode.OK);

        var request = await EventuallyAsync(() => receiver.Spans().FirstOrDefault(s =>
            s.Scope == "Microsoft.AspNetCore" && string.Equals(s.TraceId, traceId, StringComparison.OrdinalIgnoreCase)));
        request.Attributes["http.route"].Should().Be("/api/search/listings");
        request.Name.Should().Be("GET /api/search/listings");
        request.Kind.Should().Be(OtlpSpan.KindServer);
        request.Attributes["http.response.status_code"].Should().Be(200L);
        request.TraceId.Should().MatchRegex("^[0-9A-F]{32}$");

        // Our search span is a child of that request, in the same trace.
        var query = await EventuallyAsync(() => receiver.Spans().FirstOrDefault(s => s.Scope == MarketTelemetry.Name && s.Name == "search.query" && s.TraceId == request.TraceId));
        query.ParentSpanId.Should().Be(request.SpanId);
        query.Attributes["market.search.backend"].Should().Be("embedded");

        // Database commands of a request are client spans under it (SQLite through our interceptor).
        await app.SignUpAsync();
        var insert = await EventuallyAsync(() => receiver.Spans().FirstOrDefault(s => s.Attributes.GetValueOrDefault("db.system.name") is "sqlite" && s.Name == "INSERT"));
        insert.ParentSpanId.Should().NotBeEmpty();

        var metrics = await EventuallyAsync(() => receiver.Metrics() is var m && m.Any(x => x.Name == "market.search.query.duration") && m.Any(x => x.Name == "market.search.outbox.depth") ? m : null);
        metrics.Should().Contain((MarketTelemetry.Name, "market.search.query.duration"))
            .And.Contain(x => x.Name == "http.server.request.duration");
    }

    [Fact]
    public async Task Without_an_OTLP_endpoint_no_telemetry_is_registered()
    {
        await using var app = await MarketApp.CreateAsync(DatabaseKind.Sqlite);
        _ = app.Server;

        app.Services.GetService<TracerProvider>().Should().BeNull();
        app.Services.GetService<MeterProvider>().Should().BeNull();
        app.Services.GetRequiredService<IListingIndex>().Should().NotBeOfType<InstrumentedListingIndex>();
        app.Services.GetServices<IInterceptor>().Should().NotContain(i => i is SqliteCommandTelemetry);
        (await app.CreateClient().GetAsync("/api/search/listings?q=wheat", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    /// <summary>Polls until <paramref name="probe"/> finds something; export is batched, so arrival takes a moment.</summary>
    static async Task<T> EventuallyAsync<T>(Func<T?> probe) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } found)
            {
                return found;
            }
            await Task.Delay(100, Ct);
        }
        throw new TimeoutException("The OTLP receiver did not get the expected telemetry within 20 s.");
    }
}
