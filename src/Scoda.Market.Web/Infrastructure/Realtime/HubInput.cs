using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Scoda.Market.Web.Infrastructure.Json;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Text;

namespace Scoda.Market.Web.Infrastructure.Realtime;

/// <summary>The stable code every hub refusal of bad input starts with (the hubs' other codes live with their features).</summary>
public static class HubErrors
{
    public const string Invalid = "invalid";

    public static HubException Refuse(string field, string message) => new($"{Invalid}: {field}: {message}");
}

/// <summary>
/// Hostile input to any hub ends as a hub error with a stable code, never SignalR's generic "An unexpected error
/// occurred": arguments that do not bind (a non-GUID room id, "NaN" for a number) are refused by the protocol
/// (<see cref="CodedJsonHubProtocol"/>, as SignalR reports them before any hub filter runs), text arguments that break
/// <see cref="InputText"/> and JSON the hub reads later by <see cref="HubInputFilter"/>.
/// </summary>
public static class HubInput
{
    /// <summary>SignalR logs every failed invocation here at error level, expected refusals included.</summary>
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public static IHostApplicationBuilder AddHubInputChecks(this IHostApplicationBuilder builder)
    {
        // First AddSignalR registers SignalR's JsonHubProtocol; ours is registered after it and, under the same name
        // "json", replaces it in the protocol resolver (the last one of a name wins there).
        builder.Services.AddSignalR(hub => hub.AddFilter<HubInputFilter>());
        builder.Services.AddSingleton<IHubProtocol, CodedJsonHubProtocol>();
        // A refusal (rate limit, validation) is the client's mistake, not an error of ours: the dispatcher's own error
        // lines are switched off and HubInputFilter logs instead, at debug for refusals and at error for real failures.
        builder.Logging.AddFilter(DispatcherCategory, LogLevel.None);
        return builder;
    }

    /// <summary>"a GUID", "an integer": what a hub parameter of <paramref name="type"/> takes, for refusals.</summary>
    public static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(Guid) ? "a GUID"
            : type == typeof(long) || type == typeof(int) ? "an integer"
            : type == typeof(decimal) ? "a decimal number"
            : type == typeof(string) ? "text or null"
            : type == typeof(DateTimeOffset) ? "an ISO 8601 date and time"
            : type == typeof(JsonElement) ? "a JSON value"
            : "a value of the right type";
    }
}

/// <summary>SignalR's JSON protocol, except that arguments which do not bind fail with an <c>invalid:</c> hub error naming the parameter.</summary>
public sealed class CodedJsonHubProtocol(IOptions<JsonHubProtocolOptions> options) : IHubProtocol
{
    readonly JsonHubProtocol _inner = new(options);
    readonly JsonSerializerOptions _json = options.Value.PayloadSerializerOptions;

    public string Name => _inner.Name;

    public int Version => _inner.Version;

    public TransferFormat TransferFormat => _inner.TransferFormat;

    public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        var record = input;
        if (!_inner.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }
        if (message is InvocationBindingFailureMessage failure)
        {
            var refusal = Refusal(record, failure.Target, binder);
            message = new InvocationBindingFailureMessage(failure.InvocationId, failure.Target, ExceptionDispatchInfo.Capture(refusal));
        }
        return true;
    }

    /// <summary>Binds the arguments again one by one to find the first that does not fit, and says what it should be.</summary>
    HubException Refusal(ReadOnlySequence<byte> record, string target, IInvocationBinder binder)
    {
        IReadOnlyList<Type> types;
        try
        {
            types = binder.GetParameterTypes(target);
        }
        catch (Exception)
        {
            return new HubException($"{HubErrors.Invalid}: '{InputText.ForLog(target)}' is not a method of this hub.");
        }
        var names = ParameterNames(binder, target, types.Count);
        var end = record.PositionOf((byte)0x1E);
        try
        {
            using var document = JsonDocument.Parse(end is null ? record : record.Slice(0, end.Value));
            if (!document.RootElement.TryGetProperty("arguments", out var arguments) || arguments.ValueKind != JsonValueKind.Array)
            {
                return new HubException($"{HubErrors.Invalid}: the invocation carries no arguments array.");
            }
            if (arguments.GetArrayLength() != types.Count)
            {
                return new HubException($"{HubErrors.Invalid}: {target} takes {types.Count} arguments ({string.Join(", ", names)}), not {arguments.GetArrayLength()}.");
            }
            var index = 0;
            foreach (var argument in arguments.EnumerateArray())
            {
                try
                {
                    argument.Deserialize(types[index], _json);
                }
                catch (Exception ex) when (ex is JsonException or FormatException or OverflowException or InvalidOperationException or NotSupportedException)
                {
                    var field = ex is JsonException json && MarketJson.FieldOf(json) is { Length: > 0 } path ? $"{names[index]}.{path}" : names[index];
                    var reason = ex is JsonInputException ? ex.Message : $"Expected {HubInput.Describe(types[index])}.";
                    return HubErrors.Refuse(field, reason);
                }
                index++;
            }
        }
        catch (JsonException)
        {
            // The record itself does not parse; fall through to the general answer.
        }
        return new HubException($"{HubErrors.Invalid}: the arguments do not match {target}({string.Join(", ", names)}).");
    }

    /// <summary>The parameter names of the hub method (the server's binder is generic over the hub type); "argument 1" … otherwise.</summary>
    static List<string> ParameterNames(IInvocationBinder binder, string target, int count)
    {
        var hub = binder.GetType().IsGenericType ? binder.GetType().GetGenericArguments()[0] : null;
        var method = hub?.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(m => string.Equals(m.Name, target, StringComparison.OrdinalIgnoreCase));
        var parameters = method?.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)).Select(p => p.Name ?? "").ToList();
        return parameters is { } names && names.Count == count && names.All(n => n.Length > 0)
            ? names
            : Enumerable.Range(1, count).Select(i => $"argument {i}").ToList();
    }
}

/// <summary>
/// Runs around every hub method: refuses text arguments that break <see cref="InputText"/> (NUL, bidi overrides), turns
/// a JSON refusal inside the method into <c>invalid:</c>, logs refusals at debug and real failures at error (with capped messages).
/// </summary>
public sealed partial class HubInputFilter(ILogger<HubInputFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var method = invocationContext.HubMethodName;
        try
        {
            CheckArguments(invocationContext);
            return await next(invocationContext);
        }
        catch (HubException refused)
        {
            // Refusal messages are ours and quote nothing a client sent beyond capped names.
            LogRefused(logger, method, refused.Message);
            throw;
        }
        catch (JsonException ex)
        {
            var field = MarketJson.FieldOf(ex);
            var refused = HubErrors.Refuse(field.Length == 0 ? "arguments" : field, MarketJson.MessageOf(ex));
            LogRefused(logger, method, refused.Message);
            throw refused;
        }
        catch (OperationCanceledException) when (invocationContext.Context.ConnectionAborted.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogFailed(logger, CappedException.Of(ex), invocationContext.Hub.GetType().Name, method);
            throw;
        }
    }

    static void CheckArguments(HubInvocationContext invocation)
    {
        var parameters = invocation.HubMethod.GetParameters();
        for (var i = 0; i < invocation.HubMethodArguments.Count && i < parameters.Length; i++)
        {
            var name = parameters[i].Name ?? $"argument {i + 1}";
            switch (invocation.HubMethodArguments[i])
            {
                case string text when InputText.Problem(text) is { } problem:
                    throw HubErrors.Refuse(name, problem);
                case JsonElement json when InputText.ProblemIn(json) is { } problem:
                    throw HubErrors.Refuse($"{name}{problem.At}", problem.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hub call {Method} refused: {Refusal}")]
    private static partial void LogRefused(ILogger logger, string method, string refusal);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub call {Hub}.{Method} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string hub, string method);
}
