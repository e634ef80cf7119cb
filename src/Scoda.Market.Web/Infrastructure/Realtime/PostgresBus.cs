using System.Text;
using System.Text.Json;
using Npgsql;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;

namespace Scoda.Market.Web.Infrastructure.Realtime;

sealed record PostgresBusConnection(string ConnectionString);

/// <summary>
/// Fan-out between hosts over PostgreSQL: <c>pg_notify</c> inside the storing transaction, which PostgreSQL delivers only
/// when (and if) the transaction commits, and in commit order, to every host that <c>LISTEN</c>s, this one included.
/// A NOTIFY payload is limited to 8000 bytes: a bigger message travels as a reference the receiving host loads.
/// </summary>
sealed class PostgresBus(PostgresBusConnection connection) : IRealtimeBus
{
    public const string Channel = "scoda_realtime";

    /// <summary>Leaves room under PostgreSQL's 8000-byte limit for the envelope around the body.</summary>
    const int MaxInlineBytes = 7_500;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task EnlistAsync(MarketDbContext db, RealtimeMessage message, CancellationToken ct)
    {
        var payload = Encode(message);
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {payload})", ct);
    }

    // Delivery happens when the NOTIFY comes back through the listener.
    public void Committed(RealtimeMessage message)
    {
    }

    public async Task PublishAsync(RealtimeMessage message, CancellationToken ct)
    {
        await using var db = new NpgsqlConnection(connection.ConnectionString);
        await db.OpenAsync(ct);
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", db);
        notify.Parameters.AddWithValue("channel", Channel);
        notify.Parameters.AddWithValue("payload", Encode(message));
        await notify.ExecuteNonQueryAsync(ct);
    }

    static string Encode(RealtimeMessage message)
    {
        var inline = JsonSerializer.Serialize(message, Json);
        return Encoding.UTF8.GetByteCount(inline) <= MaxInlineBytes
            ? inline
            : JsonSerializer.Serialize(message with { Kind = RealtimeKinds.Reference(message.Kind), Json = "" }, Json);
    }

    public static RealtimeMessage? Decode(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<RealtimeMessage>(payload, Json);
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
}

/// <summary>Keeps one connection LISTENing and hands every notification to this host's delivery queue; reconnects when it drops.</summary>
sealed partial class PostgresListener(PostgresBusConnection connection, LocalDelivery delivery, ILogger<PostgresListener> logger) : BackgroundService
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
                    if (PostgresBus.Decode(e.Payload) is { } message)
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
