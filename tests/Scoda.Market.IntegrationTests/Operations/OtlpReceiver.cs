using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Scoda.Market.IntegrationTests.Operations;

/// <summary>
/// An OTLP/HTTP collector stand-in on 127.0.0.1 (a real Kestrel listener): keeps the protobuf bodies posted to
/// <c>/v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c> and decodes the few fields the tests look at.
/// </summary>
sealed class OtlpReceiver : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentQueue<(string Signal, byte[] Body)> _received = new();

    OtlpReceiver(WebApplication app) => _app = app;

    public string Endpoint { get; private set; } = "";

    public static async Task<OtlpReceiver> StartAsync()
    {
        // Not Production: the app's appsettings.Production.json sits beside the test binaries and would limit the
        // receiver's AllowedHosts to localhost, refusing the exporter's requests to 127.0.0.1.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            var body = request.Headers.ContentEncoding == "gzip" ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body;
            using var buffer = new MemoryStream();
            await body.CopyToAsync(buffer);
            receiver._received.Enqueue((signal, buffer.ToArray()));
            // An empty Export*ServiceResponse is an empty protobuf message.
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        receiver.Endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return receiver;
    }

    /// <summary>Every span received so far, flattened from ExportTraceServiceRequest.</summary>
    public IReadOnlyList<OtlpSpan> Spans() =>
        _received.Where(r => r.Signal == "traces").SelectMany(r =>
            from resourceSpans in Protobuf.Messages(r.Body, 1)
            from scopeSpans in Protobuf.Messages(resourceSpans, 2)
            let scope = Protobuf.Messages(scopeSpans, 1).Select(s => Protobuf.String(s, 1)).FirstOrDefault() ?? ""
            from span in Protobuf.Messages(scopeSpans, 2)
            select OtlpSpan.Read(scope, span)).ToList();

    /// <summary>The names of every metric received so far, with their instrumentation scope.</summary>
    public IReadOnlyList<(string Scope, string Name)> Metrics() =>
        _received.Where(r => r.Signal == "metrics").SelectMany(r =>
            from resourceMetrics in Protobuf.Messages(r.Body, 1)
            from scopeMetrics in Protobuf.Messages(resourceMetrics, 2)
            let scope = Protobuf.Messages(scopeMetrics, 1).Select(s => Protobuf.String(s, 1)).FirstOrDefault() ?? ""
            from metric in Protobuf.Messages(scopeMetrics, 2)
            select (scope, Protobuf.String(metric, 1) ?? "")).ToList();

    public int Received(string signal) => _received.Count(r => r.Signal == signal);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The fields of an OTLP <c>Span</c> the tests read (opentelemetry/proto/trace/v1/trace.proto).</summary>
sealed record OtlpSpan(string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, IReadOnlyDictionary<string, object> Attributes)
{
    public const int KindServer = 2;

    public static OtlpSpan Read(string scope, ReadOnlyMemory<byte> span)
    {
        var attributes = new Dictionary<string, object>();
        foreach (var keyValue in Protobuf.Messages(span, 9))
        {
            var key = Protobuf.String(keyValue, 1) ?? "";
            var value = Protobuf.Messages(keyValue, 2).FirstOrDefault();
            // AnyValue: 1 string, 2 bool, 3 int (varint).
            object? decoded = Protobuf.String(value, 1) ?? (object?)Protobuf.Varint(value, 3) ?? Protobuf.Varint(value, 2);
            if (decoded is not null)
            {
                attributes[key] = decoded;
            }
        }
        return new OtlpSpan(
            scope, Protobuf.Hex(span, 1), Protobuf.Hex(span, 2), Protobuf.Hex(span, 4), Protobuf.String(span, 5) ?? "",
            (int)(Protobuf.Varint(span, 6) ?? 0), attributes);
    }
}

/// <summary>Just enough of the protobuf wire format to walk OTLP messages: fields by number, without a schema.</summary>
static class Protobuf
{
    public static IEnumerable<ReadOnlyMemory<byte>> Messages(ReadOnlyMemory<byte> message, int field) =>
        Fields(message).Where(f => f.Number == field && f.WireType == 2).Select(f => f.Bytes);

    public static string? String(ReadOnlyMemory<byte> message, int field) =>
        Messages(message, field).Select(b => Encoding.UTF8.GetString(b.Span)).Cast<string?>().FirstOrDefault();

    public static string Hex(ReadOnlyMemory<byte> message, int field) =>
        Messages(message, field).Select(b => Convert.ToHexString(b.Span)).FirstOrDefault() ?? "";

    public static long? Varint(ReadOnlyMemory<byte> message, int field) =>
        Fields(message).Where(f => f.Number == field && f.WireType == 0).Select(f => (long?)f.Value).FirstOrDefault();

    static IEnumerable<(int Number, int WireType, ReadOnlyMemory<byte> Bytes, long Value)> Fields(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message.Span, ref position);
            var (number, wireType) = ((int)(tag >> 3), (int)(tag & 7));
            switch (wireType)
            {
                case 0:
                    yield return (number, wireType, default, (long)ReadVarint(message.Span, ref position));
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message.Span, ref position);
                    yield return (number, wireType, message.Slice(position, length), 0);
                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {wireType} at byte {position} is not protobuf as OTLP sends it.");
            }
        }
    }

    static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
