using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Scoda.Market.IntegrationTests.Infrastructure;

/// <summary>A hub call the server refused; <see cref="Exception.Message"/> is the hub error (e.g. "conflict: …").</summary>
public sealed class HubCallException(string message) : Exception(message);

/// <summary>
/// A small client of the SignalR JSON hub protocol (version 1) over any WebSocket: the handshake
/// <c>{"protocol":"json","version":1}</c> + 0x1E, then records separated by 0x1E of type 1 (invocation), 3 (completion),
/// 6 (ping) and 7 (close). The official .NET client is not in the package registry here; tests and the benchmark use this.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    const byte RecordSeparator = 0x1E;

    readonly WebSocket _socket;
    readonly SemaphoreSlim _sending = new(1, 1);
    readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, Channel<JsonElement>> _received = new(StringComparer.Ordinal);
    readonly CancellationTokenSource _stop = new();
    readonly Task _receiving;
    readonly Task _pinging;
    int _nextId;

    HubClient(WebSocket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveLoopAsync);
        _pinging = Task.Run(PingLoopAsync);
    }

    /// <summary>Called on the receive loop for every server invocation, before it is queued (the benchmark timestamps here).</summary>
    public Action<string, JsonElement>? OnInvocation { get; set; }

    /// <summary>Runs the handshake on an open WebSocket; throws when the server refuses it.</summary>
    public static async Task<HubClient> StartAsync(WebSocket socket, CancellationToken ct = default)
    {
        await socket.SendAsync(Frame("""{"protocol":"json","version":1}"""), WebSocketMessageType.Text, true, ct);
        var reply = await ReadRecordAsync(socket, ct);
        using var handshake = JsonDocument.Parse(reply);
        if (handshake.RootElement.TryGetProperty("error", out var error))
        {
            throw new HubCallException($"Handshake refused: {error.GetString()}");
        }
        return new HubClient(socket);
    }

    /// <summary>Calls a hub method and returns its result, or throws <see cref="HubCallException"/> with the hub error.</summary>
    public async Task<JsonElement> InvokeAsync(string target, params object?[] arguments)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        await SendAsync(new { type = 1, invocationId = id, target, arguments });
        return await completion.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// The hub error of a call that must fail, from its stable code on (<c>conflict: …</c>). SignalR puts its own words
    /// before a <c>HubException</c>'s message ("An unexpected error occurred invoking 'X' on the server. HubException: …");
    /// anything else (an unexpected server failure) comes back whole, so a test expecting a code fails on it.
    /// </summary>
    public async Task<string> InvokeExpectingErrorAsync(string target, params object?[] arguments)
    {
        try
        {
            var result = await InvokeAsync(target, arguments);
            throw new InvalidOperationException($"{target} should have failed but returned {result}.");
        }
        catch (HubCallException ex)
        {
            return CodeAndDetail(ex.Message);
        }
    }

    public static string CodeAndDetail(string hubError)
    {
        const string Marker = "HubException: ";
        var at = hubError.IndexOf(Marker, StringComparison.Ordinal);
        return at < 0 ? hubError : hubError[(at + Marker.Length)..];
    }

    /// <summary>The next call of <paramref name="target"/> the server made on this connection (its first argument).</summary>
    public async Task<JsonElement> NextAsync(string target, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await Inbox(target).Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No {target} arrived within {(timeout ?? TimeSpan.FromSeconds(10)).TotalSeconds} s.");
        }
    }

    /// <summary>Whether a call of <paramref name="target"/> arrives within <paramref name="wait"/> (to prove that nothing comes).</summary>
    public async Task<bool> ReceivesWithinAsync(string target, TimeSpan wait)
    {
        using var cancel = new CancellationTokenSource(wait);
        try
        {
            await Inbox(target).Reader.WaitToReadAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    Channel<JsonElement> Inbox(string target) => _received.GetOrAdd(target, _ => Channel.CreateUnbounded<JsonElement>());

    async Task SendAsync(object message)
    {
        var bytes = Frame(JsonSerializer.Serialize(message, JsonDefaults));
        await _sending.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, _stop.Token);
        }
        finally
        {
            _sending.Release();
        }
    }

    async Task ReceiveLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var chunk = new byte[16 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await _socket.ReceiveAsync(chunk, _stop.Token);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                buffer.Write(chunk.AsSpan(0, read.Count));
                if (!read.EndOfMessage)
                {
                    continue;
                }
                foreach (var record in Split(buffer.WrittenSpan))
                {
                    Handle(record);
                }
                buffer.Clear();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new HubCallException("The connection closed."));
        }
        foreach (var inbox in _received.Values)
        {
            inbox.Writer.TryComplete();
        }
    }

    void Handle(string record)
    {
        using var document = JsonDocument.Parse(record);
        var message = document.RootElement;
        switch (message.GetProperty("type").GetInt32())
        {
            case 1:
                var target = message.GetProperty("target").GetString()!;
                var argument = message.GetProperty("arguments")[0].Clone();
                OnInvocation?.Invoke(target, argument);
                Inbox(target).Writer.TryWrite(argument);
                break;
            case 3:
                var id = message.GetProperty("invocationId").GetString()!;
                if (_pending.TryRemove(id, out var completion))
                {
                    if (message.TryGetProperty("error", out var error))
                    {
                        completion.TrySetException(new HubCallException(error.GetString()!));
                    }
                    else
                    {
                        completion.TrySetResult(message.TryGetProperty("result", out var result) ? result.Clone() : default);
                    }
                }
                break;
            case 7:
                _stop.Cancel();
                break;
        }
    }

    /// <summary>Keeps the server's client-timeout (30 s without a message) from closing an idle connection.</summary>
    async Task PingLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), _stop.Token);
                await SendAsync(new { type = 6 });
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    static List<string> Split(ReadOnlySpan<byte> data)
    {
        var records = new List<string>();
        while (data.Length > 0)
        {
            var end = data.IndexOf(RecordSeparator);
            if (end < 0)
            {
                throw new InvalidDataException("A hub message without its record separator.");
            }
            records.Add(Encoding.UTF8.GetString(data[..end]));
            data = data[(end + 1)..];
        }
        return records;
    }

    static async Task<string> ReadRecordAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var chunk = new byte[4096];
        while (true)
        {
            var read = await socket.ReceiveAsync(chunk, ct);
            if (read.MessageType == WebSocketMessageType.Close)
            {
                throw new HubCallException($"The server closed the connection during the handshake: {read.CloseStatusDescription}");
            }
            buffer.Write(chunk.AsSpan(0, read.Count));
            var end = buffer.WrittenSpan.IndexOf(RecordSeparator);
            if (end >= 0)
            {
                return Encoding.UTF8.GetString(buffer.WrittenSpan[..end]);
            }
        }
    }

    static byte[] Frame(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Array.Resize(ref bytes, bytes.Length + 1);
        bytes[^1] = RecordSeparator;
        return bytes;
    }

    static readonly JsonSerializerOptions JsonDefaults = new(JsonSerializerDefaults.Web);

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                // Output only: the receive loop owns the receiving side and sees the server's close.
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
        await _stop.CancelAsync();
        await Task.WhenAll(_receiving, _pinging);
        _socket.Dispose();
        _stop.Dispose();
        _sending.Dispose();
    }
}
