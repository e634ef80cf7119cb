// Tests written against the earlier hand-made client catch HubCallException; the official client throws HubException.
global using HubCallException = Microsoft.AspNetCore.SignalR.HubException;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Reflection;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Scoda.Market.IntegrationTests.Infrastructure;

/// <summary>
/// A test's handle on one official SignalR <see cref="HubConnection"/> (made by <see cref="MarketApp.ConnectHubAsync(string, TestUser)"/>):
/// calls return their result as JSON, and every server → client call is queued per method so a test can await the next
/// one. The wire protocol, handshake, pings and reconnects are the official client's; this class only adapts them to
/// assertions.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    readonly ConcurrentDictionary<string, Channel<JsonElement>> _received = new(StringComparer.Ordinal);
    WebSocket? _socket;

    public HubClient(HubConnection connection)
    {
        Connection = connection;
        // The official client drops a server call that has no handler; registering every method any hub of the app can
        // call (its Hub<T> interfaces) before the start means nothing pushed early is lost.
        foreach (var (method, parameters) in ServerToClientMethods.Value)
        {
            var inbox = Inbox(method);
            connection.On(method, Enumerable.Repeat(typeof(JsonElement), parameters).ToArray(), arguments =>
            {
                inbox.Writer.TryWrite(arguments.Length == 0 ? default : (JsonElement)arguments[0]!);
                return Task.CompletedTask;
            });
        }
        connection.Closed += _ =>
        {
            foreach (var queue in _received.Values)
            {
                queue.Writer.TryComplete();
            }
            return Task.CompletedTask;
        };
    }

    /// <summary>The official connection itself, for what a test needs beyond calls and pushes (state, reconnect events).</summary>
    public HubConnection Connection { get; }

    /// <summary>Calls a hub method and returns its result (default for a method without one); a refusal throws <see cref="HubException"/>.</summary>
    public async Task<JsonElement> InvokeAsync(string method, params object?[] arguments)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        // object binds a JSON result to a JsonElement and lets a method without a result complete with null.
        var result = await Connection.InvokeCoreAsync(method, typeof(object), arguments, timeout.Token);
        return result is JsonElement json ? json : default;
    }

    /// <summary>
    /// The hub error of a call that must fail, from its stable code on (<c>conflict: …</c>). SignalR puts its own words
    /// before a <see cref="HubException"/>'s message ("An unexpected error occurred invoking 'X' on the server. HubException: …");
    /// anything else (an unexpected server failure) comes back whole, so a test expecting a code fails on it.
    /// </summary>
    public async Task<string> InvokeExpectingErrorAsync(string method, params object?[] arguments)
    {
        try
        {
            var result = await InvokeAsync(method, arguments);
            throw new InvalidOperationException($"{method} should have failed but returned {result}.");
        }
        catch (HubException ex)
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

    /// <summary>The next call of <paramref name="method"/> the server made on this connection (its first argument).</summary>
    public async Task<JsonElement> NextAsync(string method, TimeSpan? timeout = null)
    {
        var wait = timeout ?? DefaultWait;
        using var cancel = new CancellationTokenSource(wait);
        try
        {
            return await Inbox(method).Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No {method} arrived within {wait.TotalSeconds} s.");
        }
    }

    /// <summary>Whether a call of <paramref name="method"/> arrives within <paramref name="wait"/> (to prove that nothing comes).</summary>
    public async Task<bool> ReceivesWithinAsync(string method, TimeSpan wait)
    {
        using var cancel = new CancellationTokenSource(wait);
        try
        {
            return await Inbox(method).Reader.WaitToReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Cuts the WebSocket under the connection without a close handshake, as a lost network does.</summary>
    public void DropTransport() => (_socket ?? throw new InvalidOperationException("The connection has no WebSocket yet.")).Abort();

    /// <summary>Remembers the WebSocket the transport runs on (the latest one after a reconnect), for <see cref="DropTransport"/>.</summary>
    internal WebSocket Track(WebSocket socket)
    {
        _socket = socket;
        return socket;
    }

    Channel<JsonElement> Inbox(string method) => _received.GetOrAdd(method, _ => Channel.CreateUnbounded<JsonElement>());

    /// <summary>Every client method of the app's strongly typed hubs, with its parameter count.</summary>
    static readonly Lazy<IReadOnlyList<(string Method, int Parameters)>> ServerToClientMethods = new(() =>
        typeof(Program).Assembly.GetTypes()
            .Select(t => t.BaseType)
            .Where(b => b is { IsGenericType: true } && b.GetGenericTypeDefinition() == typeof(Hub<>))
            .SelectMany(b => b!.GetGenericArguments()[0].GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Select(m => (m.Name, m.GetParameters().Length))
            .Distinct()
            .ToList());

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
