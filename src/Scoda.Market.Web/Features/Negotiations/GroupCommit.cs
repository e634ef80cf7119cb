using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Telemetry;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>A checked message waiting for the next group commit, which authorizes and stores it.</summary>
sealed record PendingMessage(Guid RoomId, Caller Caller, string ClientMessageId, string Text, CancellationToken Aborted)
{
    public long QueuedAt { get; } = Stopwatch.GetTimestamp();

    public TaskCompletionSource<RoomEventResponse> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit for room messages. Senders queue their message and wait; a writer takes whatever queued up while its
/// previous transaction committed (up to <see cref="NegotiationOptions.MaxMessagesPerCommit"/>), authorizes the senders
/// and stores the messages in one transaction, across rooms, then publishes them in each room's sequence order and
/// answers every sender with its stored event. Under load the cost of a commit (SQLite's single writer, PostgreSQL's WAL
/// flush) is shared by the batch instead of paid per message; when idle, a message is written as soon as it arrives.
/// <para>
/// Rooms are spread over <see cref="Writers"/> writers by id, each with its own queue, so a room's messages always go
/// through the same one, in order. SQLite takes one writer at a time, so it has one; PostgreSQL commits several
/// transactions at once, so one writer waiting for its commit no longer holds up every other room.
/// </para>
/// Each queue is bounded (<see cref="NegotiationOptions.MaxQueuedMessages"/> shared among the writers): when it is full a
/// sender is refused with <c>rate_limited</c> at once, nothing stored, rather than waiting behind an ever longer line.
/// </summary>
public sealed partial class GroupCommit : IAsyncDisposable
{
    static readonly Histogram<double> BatchSize = MarketTelemetry.Meter.CreateHistogram<double>(
        "market.negotiations.write.batch", "{message}", "Room messages stored by one group commit.");

    readonly IServiceScopeFactory _scopes;
    readonly NegotiationOptions _options;
    readonly ILogger<GroupCommit> _logger;
    readonly CancellationTokenSource _stopping = new();
    readonly Writer[] _writers;

    public GroupCommit(IServiceScopeFactory scopes, NegotiationOptions options, DatabaseOptions database, ILogger<GroupCommit> logger)
    {
        _scopes = scopes;
        _options = options;
        _logger = logger;
        var writers = database.Provider == DatabaseProvider.Sqlite ? 1 : Math.Max(1, options.PostgresCommitWriters);
        _writers = Enumerable.Range(0, writers).Select(_ => new Writer(this, Math.Max(1, options.MaxQueuedMessages / writers))).ToArray();
    }

    /// <summary>How many writers store messages side by side.</summary>
    public int Writers => _writers.Length;

    /// <summary>Messages waiting for a commit (not counting the batches being written).</summary>
    public int Queued => _writers.Sum(w => Volatile.Read(ref w.Queued));

    /// <summary>Messages of the batches being written now.</summary>
    public int Writing => _writers.Sum(w => Volatile.Read(ref w.Writing));

    internal Task<RoomEventResponse> SubmitAsync(PendingMessage message)
    {
        var writer = _writers[(message.RoomId.GetHashCode() & int.MaxValue) % _writers.Length];
        if (!writer.Queue.Writer.TryWrite(message))
        {
            throw new NegotiationException(NegotiationErrors.RateLimited,
                "The server has as many messages waiting to be stored as it queues; try again in a moment with the same clientMessageId.");
        }
        Interlocked.Increment(ref writer.Queued);
        return message.Stored.Task;
    }

    /// <summary>One writer: its queue and the loop that drains it, one transaction at a time.</summary>
    sealed class Writer
    {
        public readonly Channel<PendingMessage> Queue;
        public readonly Task Loop;
        public int Queued;
        public int Writing;

        public Writer(GroupCommit owner, int capacity)
        {
            Queue = Channel.CreateBounded<PendingMessage>(new BoundedChannelOptions(capacity) { SingleReader = true });
            Loop = Task.Run(() => owner.WriteLoopAsync(this));
        }
    }

    async Task WriteLoopAsync(Writer writer)
    {
        var batch = new List<PendingMessage>(_options.MaxMessagesPerCommit);
        try
        {
            while (await writer.Queue.Reader.WaitToReadAsync(_stopping.Token))
            {
                while (batch.Count < _options.MaxMessagesPerCommit && writer.Queue.Reader.TryRead(out var message))
                {
                    Interlocked.Decrement(ref writer.Queued);
                    if (message.Aborted.IsCancellationRequested)
                    {
                        message.Stored.TrySetCanceled(message.Aborted); // the sender is gone and never learns: store nothing
                    }
                    else
                    {
                        batch.Add(message);
                    }
                }
                if (batch.Count > 0)
                {
                    BatchSize.Record(batch.Count, new KeyValuePair<string, object?>("phase", "messages"));
                    Volatile.Write(ref writer.Writing, batch.Count);
                    await WriteAsync(batch);
                    Volatile.Write(ref writer.Writing, 0);
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        foreach (var left in batch)
        {
            left.Stored.TrySetCanceled();
        }
        while (writer.Queue.Reader.TryRead(out var left))
        {
            left.Stored.TrySetCanceled();
        }
    }

    async Task WriteAsync(List<PendingMessage> batch)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<NegotiationService>().StoreMessagesAsync(batch, _stopping.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            // StoreMessagesAsync answers each sender itself; this only catches what failed around it (a scope that did not build).
            LogFailed(_logger, ex, batch.Count);
            foreach (var message in batch)
            {
                message.Stored.TrySetException(ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var writer in _writers)
        {
            writer.Queue.Writer.TryComplete();
        }
        await _stopping.CancelAsync();
        foreach (var writer in _writers)
        {
            await writer.Loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A group commit of {Count} room messages failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, int count);
}
