using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Scoda.Market.Web.Infrastructure.Telemetry;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>A message accepted for storage: authorized, checked, waiting for the next group commit.</summary>
sealed record PendingMessage(Guid RoomId, Caller Caller, Side? Side, string ClientMessageId, string Text, CancellationToken Aborted)
{
    public long QueuedAt { get; } = Stopwatch.GetTimestamp();

    public TaskCompletionSource<RoomEventResponse> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit for room messages. Senders queue their message and wait; one writer takes whatever queued up while the
/// previous transaction committed (up to <see cref="NegotiationOptions.MaxMessagesPerCommit"/>) and stores it in one
/// transaction, across rooms, then publishes it in each room's sequence order and answers every sender with its stored
/// event. Under load the cost of a commit (SQLite's single writer, PostgreSQL's WAL flush) is shared by the batch
/// instead of paid per message; when idle, a message is written as soon as it arrives. The queue is bounded
/// (<see cref="NegotiationOptions.MaxQueuedMessages"/>): when it is full a sender is refused with <c>rate_limited</c> at
/// once, nothing stored, rather than waiting behind an ever longer line.
/// </summary>
public sealed partial class GroupCommit : IAsyncDisposable
{
    static readonly Histogram<double> BatchSize = MarketTelemetry.Meter.CreateHistogram<double>(
        "market.negotiations.write.batch", "{message}", "Room messages stored by one group commit.");

    readonly Channel<PendingMessage> _queue;
    readonly IServiceScopeFactory _scopes;
    readonly NegotiationOptions _options;
    readonly ILogger<GroupCommit> _logger;
    readonly CancellationTokenSource _stopping = new();
    readonly Task _loop;
    int _queued;
    int _writing;

    public GroupCommit(IServiceScopeFactory scopes, NegotiationOptions options, ILogger<GroupCommit> logger)
    {
        _scopes = scopes;
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<PendingMessage>(new BoundedChannelOptions(Math.Max(1, options.MaxQueuedMessages)) { SingleReader = true });
        _loop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Messages waiting for a commit (not counting the batch being written).</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Messages of the batch being written now.</summary>
    public int Writing => Volatile.Read(ref _writing);

    internal Task<RoomEventResponse> SubmitAsync(PendingMessage message)
    {
        if (!_queue.Writer.TryWrite(message))
        {
            throw new NegotiationException(NegotiationErrors.RateLimited,
                $"The server is storing {_options.MaxQueuedMessages} messages already; try again in a moment with the same clientMessageId.");
        }
        Interlocked.Increment(ref _queued);
        return message.Stored.Task;
    }

    async Task WriteLoopAsync()
    {
        var batch = new List<PendingMessage>(_options.MaxMessagesPerCommit);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token))
            {
                while (batch.Count < _options.MaxMessagesPerCommit && _queue.Reader.TryRead(out var message))
                {
                    Interlocked.Decrement(ref _queued);
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
                    Volatile.Write(ref _writing, batch.Count);
                    await WriteAsync(batch);
                    Volatile.Write(ref _writing, 0);
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
        while (_queue.Reader.TryRead(out var left))
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
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A group commit of {Count} room messages failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, int count);
}
