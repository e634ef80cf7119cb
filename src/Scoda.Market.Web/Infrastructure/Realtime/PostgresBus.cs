using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Npgsql;

namespace Scoda.Market.Web.Infrastructure.Realtime;

sealed record PostgresBusConnection(string ConnectionString);

/// <summary>
/// Fan-out between hosts over PostgreSQL. After the event's own transaction committed (durably), this host's clients get
/// it straight away, and a <c>pg_notify</c> carries it to every other host that <c>LISTEN</c>s (a host skips the
/// notifications it sent itself). PostgreSQL serializes the commits of notifying transactions, so one sender per host
/// drains a queue and sends whatever accumulated as one statement (one transaction, in queue order, hence in each room's
/// sequence order), with <c>synchronous_commit=off</c>: waiting for a disk flush for a notification, which is not durable
/// anyway, would only slow every room down. A NOTIFY payload is limited to 8000 bytes: a bigger message travels as a
/// reference the receiving host loads.
/// </summary>
sealed partial class PostgresBus : IRealtimeBus, IAsyncDisposable
{
    public const string Channel = "scoda_realtime";

    /// <summary>Leaves room under PostgreSQL's 8000-byte limit for the envelope around the body.</summary>
    const int MaxInlineBytes = 7_500;
    const int MaxBatch = 200;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    readonly NpgsqlDataSource _notifier;
    readonly Channel<RealtimeMessage> _queue = System.Threading.Channels.Channel.CreateUnbounded<RealtimeMessage>(new UnboundedChannelOptions { SingleReader = true });
    readonly ILogger<PostgresBus> _logger;
    readonly LocalDelivery _local;
    readonly Task _sending;

    public PostgresBus(PostgresBusConnection connection, LocalDelivery local, ILogger<PostgresBus> logger)
    {
        _logger = logger;
        _local = local;
        _notifier = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connection.ConnectionString)
        {
            Options = "-c synchronous_commit=off",
            ApplicationName = "scoda-realtime-notify",
        }.ToString());
        _sending = Task.Run(SendLoopAsync);
    }

    public Task PublishAsync(IReadOnlyList<RealtimeMessage> messages, CancellationToken ct)
    {
        foreach (var message in messages)
        {
            _local.Enqueue(message);
            _queue.Writer.TryWrite(message);
        }
        return Task.CompletedTask;
    }

    async Task SendLoopAsync()
    {
        var batch = new List<RealtimeMessage>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var message))
            {
                batch.Add(message);
            }
            try
            {
                await using var notify = _notifier.CreateCommand("SELECT " + string.Join(", ", batch.Select((_, i) => $"pg_notify('{Channel}', @p{i})")));
                for (var i = 0; i < batch.Count; i++)
                {
                    notify.Parameters.AddWithValue($"p{i}", Encode(batch[i]));
                }
                await notify.ExecuteNonQueryAsync();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The events are stored; clients that miss them catch up by sequence on their next join.
                LogLost(_logger, ex, batch.Count);
            }
            batch.Clear();
        }
    }

    /// <summary>Tells this host's notifications from the others'.</summary>
    public Guid HostId { get; } = Guid.NewGuid();

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _sending;
        await _notifier.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send {Count} realtime notifications; clients will catch up by sequence")]
    private static partial void LogLost(ILogger logger, Exception exception, int count);

    sealed record Envelope(Guid Origin, RealtimeMessage Message);

    string Encode(RealtimeMessage message)
    {
        var inline = JsonSerializer.Serialize(new Envelope(HostId, message), Json);
        return Encoding.UTF8.GetByteCount(inline) <= MaxInlineBytes
            ? inline
            : JsonSerializer.Serialize(new Envelope(HostId, message with { Kind = RealtimeKinds.Reference(message.Kind), Json = "" }), Json);
    }

    /// <summary>The message of a notification another host sent; null for this host's own and for anything unreadable.</summary>
    public RealtimeMessage? DecodeForeign(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<Envelope>(payload, Json) is { } envelope && envelope.Origin != HostId ? envelope.Message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Kinds a sink may receive: a message whose body was too big for NOTIFY arrives as <c>{kind}-ref</c>.</summary>
public static class RealtimeKinds
{
    const string ReferenceSuffix = "-ref";

    public static string Reference(string kind) => kind + ReferenceSuffix;

    public static bool IsReference(string kind, out string original)
    {
        original = kind.EndsWith(ReferenceSuffix, StringComparison.Ordinal) ? kind[..^ReferenceSuffix.Length] : kind;
        return original.Length != kind.Length;
    }

    /// <summary>
    /// Whether the message stands for a stored event of <paramref name="eventKind"/> too big for NOTIFY, and the
    /// sequence number the receiving host reads it back by.
    /// </summary>
    public static bool IsSequenceReference(RealtimeMessage message, string eventKind, out long sequence)
    {
        sequence = 0;
        return IsReference(message.Kind, out var kind) && kind == eventKind
            && long.TryParse(message.Reference, NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }
}

/// <summary>Keeps one connection LISTENing and hands other hosts' notifications to this host's delivery queue; reconnects when it drops.</summary>
sealed partial class PostgresListener(PostgresBusConnection connection, PostgresBus bus, LocalDelivery delivery, ILogger<PostgresListener> logger) : BackgroundService
{
    static readonly TimeSpan ReconnectAfter = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var db = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection.ConnectionString)
                {
                    // LISTEN belongs to a session: this connection must not be shared through the pool.
                    Pooling = false,
                    KeepAlive = 30,
                }.ToString());
                await db.OpenAsync(stoppingToken);
                db.Notification += (_, e) =>
                {
                    if (bus.DecodeForeign(e.Payload) is { } message)
                    {
                        delivery.Enqueue(message);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresBus.Channel}", db))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                LogListening(logger, PostgresBus.Channel);
                while (true)
                {
                    await db.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.IO.IOException or InvalidOperationException)
            {
                // Notifications sent while we reconnect are lost here; clients catch up by sequence when they rejoin.
                LogLost(logger, ex, ReconnectAfter.TotalSeconds);
                await Task.Delay(ReconnectAfter, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for realtime messages on {Channel}")]
    private static partial void LogListening(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The realtime LISTEN connection dropped; reconnecting in {Seconds} s")]
    private static partial void LogLost(ILogger logger, Exception exception, double seconds);
}
