using System.Threading.Channels;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Json;

namespace Scoda.Market.Web.Infrastructure.Realtime;

public enum RealtimeBusKind
{
    /// <summary>One host: events go straight to this process's hub connections.</summary>
    InProcess,

    /// <summary>Several hosts on one PostgreSQL: events travel by NOTIFY and every host LISTENs.</summary>
    Postgres,
}

/// <summary><c>Realtime:*</c> settings.</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Realtime";

    public RealtimeBusKind Bus { get; set; } = RealtimeBusKind.InProcess;
}

/// <summary>
/// Something to deliver to the hub connections of every host: <paramref name="Topic"/> names the feature that delivers
/// it (e.g. <c>room</c>), <paramref name="Target"/> the room or session, <paramref name="Kind"/> what it is, and
/// <paramref name="Json"/> its body; <paramref name="Reference"/> lets a receiving host load a body too big to travel
/// (e.g. the event's sequence number).
/// </summary>
public sealed record RealtimeMessage(string Topic, Guid Target, string Kind, string Json, string? Reference = null);

/// <summary>Delivers one topic's messages to this host's hub connections (registered by the feature that owns the hub).</summary>
public interface IRealtimeSink
{
    string Topic { get; }

    Task DeliverAsync(RealtimeMessage message, CancellationToken ct);
}

/// <summary>
/// Fans realtime messages out to every host. Stored events are published after the transaction that stored them
/// commits, by the writer that holds the room's lock, so a room's events leave a host in sequence order and nothing is
/// announced that was not stored. A lost message loses nothing: clients catch up by sequence number.
/// </summary>
public interface IRealtimeBus
{
    Task PublishAsync(IReadOnlyList<RealtimeMessage> messages, CancellationToken ct);
}

/// <summary>
/// This host's delivery queue: one reader hands messages to the sinks in the order they were queued, so a room's events
/// reach its connections in sequence order.
/// </summary>
public sealed partial class LocalDelivery(IEnumerable<IRealtimeSink> sinks, ILogger<LocalDelivery> logger) : BackgroundService
{
    readonly Channel<RealtimeMessage> _queue = Channel.CreateUnbounded<RealtimeMessage>(new UnboundedChannelOptions { SingleReader = true });
    readonly Dictionary<string, IRealtimeSink> _sinks = sinks.ToDictionary(s => s.Topic, StringComparer.Ordinal);

    public void Enqueue(RealtimeMessage message) => _queue.Writer.TryWrite(message);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            if (!_sinks.TryGetValue(message.Topic, out var sink))
            {
                LogNoSink(logger, message.Topic);
                continue;
            }
            try
            {
                await sink.DeliverAsync(message, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Clients catch up by sequence number, so a failed push loses nothing; keep delivering the others.
                LogDeliveryFailed(logger, ex, message.Topic, message.Kind);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No realtime sink for topic {Topic}")]
    private static partial void LogNoSink(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering a {Topic} {Kind} message failed")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string topic, string kind);
}

/// <summary>The single-host bus: straight to this host's connections.</summary>
sealed class InProcessBus(LocalDelivery delivery) : IRealtimeBus
{
    public Task PublishAsync(IReadOnlyList<RealtimeMessage> messages, CancellationToken ct)
    {
        foreach (var message in messages)
        {
            delivery.Enqueue(message);
        }
        return Task.CompletedTask;
    }
}

public static class RealtimeSetup
{
    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RealtimeOptions.Section).Get<RealtimeOptions>() ?? new RealtimeOptions();
        builder.Services.AddSingleton(options);
        // Every hub shares the public contract's JSON (docs/CONTRACT.md); features add only their hubs' own options.
        builder.Services.AddSignalR().AddJsonProtocol(json =>
        {
            MarketJson.Configure(json.PayloadSerializerOptions);
            MarketJson.AddInputChecks(json.PayloadSerializerOptions);
        });
        builder.AddHubInputChecks();
        builder.Services.AddSingleton<LocalDelivery>();
        builder.Services.AddHostedService(s => s.GetRequiredService<LocalDelivery>());
        switch (options.Bus)
        {
            case RealtimeBusKind.InProcess:
                builder.Services.AddSingleton<IRealtimeBus, InProcessBus>();
                break;
            case RealtimeBusKind.Postgres:
                var connectionString = builder.Configuration.GetConnectionString("Market");
                if (builder.Configuration[$"{DatabaseOptions.Section}:Provider"] is not { } provider
                    || !provider.Equals(nameof(DatabaseProvider.Postgres), StringComparison.OrdinalIgnoreCase)
                    || string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException("Realtime:Bus=Postgres needs Database:Provider=Postgres and ConnectionStrings:Market.");
                }
                builder.Services.AddSingleton(new PostgresBusConnection(connectionString));
                builder.Services.AddSingleton<PostgresBus>();
                builder.Services.AddSingleton<IRealtimeBus>(s => s.GetRequiredService<PostgresBus>());
                builder.Services.AddHostedService<PostgresListener>();
                break;
            default:
                throw new InvalidOperationException($"Unknown Realtime:Bus '{options.Bus}'. Use InProcess or Postgres.");
        }
        return builder;
    }
}
