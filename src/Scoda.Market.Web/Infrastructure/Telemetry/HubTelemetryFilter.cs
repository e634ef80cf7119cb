using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.SignalR;

namespace Scoda.Market.Web.Infrastructure.Telemetry;

/// <summary>
/// One filter for every hub: a server span per hub method call (RPC conventions: <c>rpc.system=signalr</c>, service =
/// hub, method), the open connections, and the duration and errors of invocations by hub and method.
/// </summary>
public sealed class HubTelemetryFilter : IHubFilter
{
    static readonly UpDownCounter<long> Connections = MarketTelemetry.Meter.CreateUpDownCounter<long>(
        "market.hub.connections", "{connection}", "Open hub connections on this node.");

    static readonly Histogram<double> InvocationDuration = MarketTelemetry.Meter.CreateHistogram<double>(
        "market.hub.invocation.duration", "s", "Duration of hub method invocations.");

    static readonly Counter<long> InvocationErrors = MarketTelemetry.Meter.CreateCounter<long>(
        "market.hub.invocation.errors", "{invocation}", "Hub method invocations that threw (HubException included).");

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var hub = invocationContext.Hub.GetType().Name;
        var method = invocationContext.HubMethodName;
        using var activity = MarketTelemetry.Source.StartActivity($"{hub}/{method}", ActivityKind.Server);
        activity?.SetTag("rpc.system", "signalr");
        activity?.SetTag("rpc.service", hub);
        activity?.SetTag("rpc.method", method);
        var started = Stopwatch.GetTimestamp();
        var tags = new TagList { { "rpc.service", hub }, { "rpc.method", method } };
        try
        {
            var result = await next(invocationContext);
            InvocationDuration.Record(MarketTelemetry.SecondsSince(started), tags);
            return result;
        }
        catch (Exception ex)
        {
            tags.Add("error.type", ex.GetType().FullName);
            InvocationDuration.Record(MarketTelemetry.SecondsSince(started), tags);
            InvocationErrors.Add(1, tags);
            MarketTelemetry.Fail(activity, ex);
            throw;
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        // Counted once the hub accepted the connection: a refused one is never "open".
        Connections.Add(1, new KeyValuePair<string, object?>("rpc.service", context.Hub.GetType().Name));
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            Connections.Add(-1, new KeyValuePair<string, object?>("rpc.service", context.Hub.GetType().Name));
        }
    }
}
