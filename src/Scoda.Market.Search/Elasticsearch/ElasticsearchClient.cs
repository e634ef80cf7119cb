using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Scoda.Market.Search.Elasticsearch;

public enum BulkAction
{
    Index,
    Delete,
}

/// <summary>One line pair of a <c>_bulk</c> body: an action with its <c>_id</c>, and the document for an index action.</summary>
public sealed record BulkOperation(BulkAction Action, string Id, JsonObject? Document = null)
{
    public static BulkOperation Index(string id, JsonObject document) => new(BulkAction.Index, id, document);

    public static BulkOperation Delete(string id) => new(BulkAction.Delete, id);
}

/// <summary>
/// One entry of a <c>_bulk</c> response's <c>items</c>. An item failed when it carries an <c>error</c>; a delete of a
/// missing document is status 404 with result <c>not_found</c> and no error.
/// </summary>
public sealed record BulkItemResult(string Action, string Id, int Status, string? Result, string? ErrorType, string? ErrorReason)
{
    public bool Failed => ErrorType is not null;
}

/// <summary>A parsed <c>_bulk</c> response; <see cref="Items"/> are in the order of the operations sent.</summary>
public sealed record BulkResponse(bool Errors, IReadOnlyList<BulkItemResult> Items)
{
    public IReadOnlyList<BulkItemResult> Failures => Items.Where(i => i.Failed).ToList();
}

/// <summary>One action of an atomic <c>_aliases</c> call.</summary>
public sealed record AliasAction(string Kind, string Index, string Alias)
{
    public static AliasAction Add(string index, string alias) => new("add", index, alias);

    public static AliasAction Remove(string index, string alias) => new("remove", index, alias);
}

/// <summary>
/// A small typed client for the few Elasticsearch 8 REST calls the search back end uses, over <see cref="HttpClient"/>
/// and System.Text.Json. Every request asks for REST API compatibility with 8 and carries <c>Authorization: ApiKey</c>
/// when a key is configured; the key never reaches a log or an exception. Non-2xx answers become
/// <see cref="ElasticsearchException"/>. Kept behind <see cref="IListingIndex"/> so the official client can replace it.
/// </summary>
public sealed partial class ElasticsearchClient
{
    public const string JsonMediaType = "application/vnd.elasticsearch+json; compatible-with=8";
    public const string NdjsonMediaType = "application/vnd.elasticsearch+x-ndjson; compatible-with=8";

    static readonly JsonWriterOptions WriterOptions = new() { Encoder = ElasticsearchJson.Options.Encoder };

    readonly HttpClient _http;
    readonly string _baseUrl;
    readonly AuthenticationHeaderValue? _authorization;
    readonly ILogger _logger;

    public ElasticsearchClient(HttpClient http, ElasticsearchOptions options, ILogger<ElasticsearchClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Url.IsAbsoluteUri || (options.Url.Scheme != Uri.UriSchemeHttp && options.Url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("The Elasticsearch URL must be an absolute http or https URL.", nameof(options));
        }
        _http = http;
        _baseUrl = options.Url.GetLeftPart(UriPartial.Path).TrimEnd('/');
        _authorization = string.IsNullOrWhiteSpace(options.ApiKey) ? null : new AuthenticationHeaderValue("ApiKey", options.ApiKey.Trim());
        _logger = logger ?? NullLogger<ElasticsearchClient>.Instance;
    }

    /// <summary><c>PUT /{index}</c> with settings, mappings and optionally aliases.</summary>
    public async Task CreateIndexAsync(string index, JsonObject body, CancellationToken ct = default)
    {
        using var _ = await SendJsonAsync(HttpMethod.Put, Segment(index), body, ct);
    }

    /// <summary><c>DELETE /{index}</c> (a comma-separated list is allowed); false when there was no such index.</summary>
    public async Task<bool> DeleteIndexAsync(string index, CancellationToken ct = default)
    {
        var response = await SendAsync(HttpMethod.Delete, Segment(index), null, ct);
        if (response.Status == 404 && ErrorOf(response).Type == "index_not_found_exception")
        {
            return false;
        }
        EnsureSuccess(HttpMethod.Delete, Segment(index), response);
        return true;
    }

    /// <summary><c>HEAD /{index}</c>: whether an index (or an alias) of that name exists.</summary>
    public Task<bool> IndexExistsAsync(string index, CancellationToken ct = default) => HeadAsync(Segment(index), ct);

    /// <summary><c>HEAD /_alias/{alias}</c>: whether the alias exists.</summary>
    public Task<bool> AliasExistsAsync(string alias, CancellationToken ct = default) => HeadAsync($"_alias/{Segment(alias)}", ct);

    /// <summary><c>GET /_alias/{alias}</c>: the concrete indices behind an alias (none when the alias is missing).</summary>
    public async Task<IReadOnlyList<string>> GetAliasIndicesAsync(string alias, CancellationToken ct = default)
    {
        var path = $"_alias/{Segment(alias)}";
        var response = await SendAsync(HttpMethod.Get, path, null, ct);
        if (response.Status == 404)
        {
            // {"error":"alias [x] missing","status":404}: the error is a string here, not an object.
            return [];
        }
        EnsureSuccess(HttpMethod.Get, path, response);
        using var document = JsonDocument.Parse(response.Body);
        return document.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary><c>GET /{pattern}/_alias</c>: the concrete indices whose names match a wildcard pattern.</summary>
    public async Task<IReadOnlyList<string>> GetIndicesAsync(string pattern, CancellationToken ct = default)
    {
        var path = $"{Segment(pattern)}/_alias";
        using var document = await SendJsonAsync(HttpMethod.Get, path, null, ct);
        return document.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary><c>POST /_aliases</c>: every action applies atomically, or none does.</summary>
    public async Task UpdateAliasesAsync(IReadOnlyList<AliasAction> actions, CancellationToken ct = default)
    {
        var list = new JsonArray();
        foreach (var action in actions)
        {
            list.Add(new JsonObject { [action.Kind] = new JsonObject { ["index"] = action.Index, ["alias"] = action.Alias } });
        }
        using var _ = await SendJsonAsync(HttpMethod.Post, "_aliases", new JsonObject { ["actions"] = list }, ct);
    }

    /// <summary><c>PUT /{index}/_settings</c> with dynamic index settings.</summary>
    public async Task PutSettingsAsync(string index, JsonObject settings, CancellationToken ct = default)
    {
        using var _ = await SendJsonAsync(HttpMethod.Put, $"{Segment(index)}/_settings", settings, ct);
    }

    /// <summary>
    /// <c>POST /{index}/_bulk</c> with an NDJSON body. A 200 answer may still hold failed items (<c>errors: true</c>);
    /// they are returned, not thrown: the caller decides which to retry.
    /// </summary>
    public async Task<BulkResponse> BulkAsync(string index, IReadOnlyList<BulkOperation> operations, string? refresh = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Count == 0)
        {
            return new BulkResponse(false, []);
        }
        var path = $"{Segment(index)}/_bulk{(refresh is null ? "" : $"?refresh={refresh}")}";
        using var content = new ByteArrayContent(Ndjson(operations));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(NdjsonMediaType);
        var response = await SendAsync(HttpMethod.Post, path, content, ct);
        EnsureSuccess(HttpMethod.Post, path, response);

        using var document = JsonDocument.Parse(response.Body);
        var root = document.RootElement;
        var items = new List<BulkItemResult>();
        foreach (var item in root.GetProperty("items").EnumerateArray())
        {
            var entry = item.EnumerateObject().First();
            var value = entry.Value;
            string? type = null, reason = null;
            if (value.TryGetProperty("error", out var error))
            {
                (type, reason) = error.ValueKind == JsonValueKind.Object
                    ? (String(error, "type") ?? "unknown", String(error, "reason"))
                    : ("unknown", error.ToString());
            }
            items.Add(new BulkItemResult(entry.Name, String(value, "_id") ?? "", value.TryGetProperty("status", out var s) ? s.GetInt32() : 0,
                String(value, "result"), type, reason));
        }
        return new BulkResponse(root.TryGetProperty("errors", out var errors) && errors.GetBoolean(), items);
    }

    /// <summary><c>POST /{index}/_search</c>: the body goes as given; the caller disposes the parsed answer.</summary>
    public Task<JsonDocument> SearchAsync(string index, JsonObject body, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Post, $"{Segment(index)}/_search", body, ct);

    /// <summary><c>POST /{index}/_refresh</c>: makes recent writes visible to search.</summary>
    public async Task RefreshAsync(string index, CancellationToken ct = default)
    {
        using var _ = await SendJsonAsync(HttpMethod.Post, $"{Segment(index)}/_refresh", null, ct);
    }

    /// <summary><c>GET /{index}/_count</c>: how many documents the index holds.</summary>
    public async Task<long> CountAsync(string index, CancellationToken ct = default)
    {
        using var document = await SendJsonAsync(HttpMethod.Get, $"{Segment(index)}/_count", null, ct);
        return document.RootElement.GetProperty("count").GetInt64();
    }

    /// <summary><c>PUT /{index}/_doc/{id}</c>: adds or replaces one document.</summary>
    public async Task IndexDocumentAsync(string index, string id, JsonObject document, string? refresh = null, CancellationToken ct = default)
    {
        using var _ = await SendJsonAsync(HttpMethod.Put, DocumentPath(index, id, refresh), document, ct);
    }

    /// <summary><c>DELETE /{index}/_doc/{id}</c>; false when the document was not there.</summary>
    public async Task<bool> DeleteDocumentAsync(string index, string id, string? refresh = null, CancellationToken ct = default)
    {
        var path = DocumentPath(index, id, refresh);
        var response = await SendAsync(HttpMethod.Delete, path, null, ct);
        if (response.Status == 404 && ErrorOf(response).Type is null)
        {
            // {"result":"not_found",...}: the index exists, the document does not.
            return false;
        }
        EnsureSuccess(HttpMethod.Delete, path, response);
        return true;
    }

    /// <summary>
    /// <c>POST /_reindex</c> from one index into another, waiting for completion and refreshing the destination;
    /// returns how many documents were copied.
    /// </summary>
    public async Task<long> ReindexAsync(string source, string destination, CancellationToken ct = default)
    {
        var body = new JsonObject
        {
            ["source"] = new JsonObject { ["index"] = source },
            ["dest"] = new JsonObject { ["index"] = destination },
        };
        const string path = "_reindex?wait_for_completion=true&refresh=true";
        using var document = await SendJsonAsync(HttpMethod.Post, path, body, ct);
        var root = document.RootElement;
        if (root.TryGetProperty("failures", out var failures) && failures.GetArrayLength() > 0)
        {
            var first = failures[0];
            var cause = first.TryGetProperty("cause", out var c) ? c : default;
            throw new ElasticsearchException(
                first.TryGetProperty("status", out var status) ? status.GetInt32() : 500,
                cause.ValueKind == JsonValueKind.Object ? String(cause, "type") : null,
                cause.ValueKind == JsonValueKind.Object ? String(cause, "reason") : first.ToString(),
                $"POST /{path}");
        }
        return root.TryGetProperty("total", out var total) ? total.GetInt64() : 0;
    }

    // ---- plumbing ----

    readonly record struct Response(int Status, byte[] Body);

    async Task<bool> HeadAsync(string path, CancellationToken ct)
    {
        var response = await SendAsync(HttpMethod.Head, path, null, ct);
        if (response.Status == 404)
        {
            return false;
        }
        EnsureSuccess(HttpMethod.Head, path, response);
        return true;
    }

    async Task<JsonDocument> SendJsonAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        using var content = body is null ? null : JsonContent(body);
        var response = await SendAsync(method, path, content, ct);
        EnsureSuccess(method, path, response);
        return JsonDocument.Parse(response.Body.Length == 0 ? "{}"u8.ToArray() : response.Body);
    }

    async Task<Response> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, $"{_baseUrl}/{path}") { Content = content };
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(JsonMediaType));
        if (_authorization is not null)
        {
            request.Headers.Authorization = _authorization;
        }
        var started = Stopwatch.GetTimestamp();
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogExchange(_logger, method.Method, path, (int)response.StatusCode, elapsedMs);
        return new Response((int)response.StatusCode, body);
    }

    void EnsureSuccess(HttpMethod method, string path, Response response)
    {
        if (response.Status is >= 200 and < 300)
        {
            return;
        }
        var (type, reason, rootCauses) = ErrorOf(response);
        LogFailure(_logger, method.Method, path, response.Status, type ?? "(none)", reason ?? "(none)");
        throw new ElasticsearchException(response.Status, type, reason, $"{method.Method} /{path}") { RootCauseTypes = rootCauses };
    }

    /// <summary>Reads <c>{"error":{"type","reason","root_cause":[...]},"status":N}</c>, or a string error, or any text.</summary>
    static (string? Type, string? Reason, IReadOnlyList<string> RootCauses) ErrorOf(Response response)
    {
        if (response.Body.Length == 0)
        {
            return (null, null, []);
        }
        try
        {
            using var document = JsonDocument.Parse(response.Body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("error", out var error))
            {
                return (null, null, []);
            }
            if (error.ValueKind == JsonValueKind.String)
            {
                return (null, error.GetString(), []);
            }
            var causes = error.TryGetProperty("root_cause", out var rc) && rc.ValueKind == JsonValueKind.Array
                ? rc.EnumerateArray().Select(c => String(c, "type")).OfType<string>().ToList()
                : [];
            return (String(error, "type"), String(error, "reason"), causes);
        }
        catch (JsonException)
        {
            var text = Encoding.UTF8.GetString(response.Body);
            return (null, text.Length > 300 ? text[..300] : text, []);
        }
    }

    static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    static ByteArrayContent JsonContent(JsonNode body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, ElasticsearchJson.Options));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(JsonMediaType);
        return content;
    }

    static byte[] Ndjson(IReadOnlyList<BulkOperation> operations)
    {
        using var stream = new MemoryStream();
        using var writer = new Utf8JsonWriter(stream, WriterOptions);
        foreach (var operation in operations)
        {
            writer.WriteStartObject();
            writer.WriteStartObject(operation.Action == BulkAction.Index ? "index" : "delete");
            writer.WriteString("_id", operation.Id);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.Flush();
            stream.WriteByte((byte)'\n');
            writer.Reset();
            if (operation.Action == BulkAction.Index)
            {
                (operation.Document ?? throw new ArgumentException($"Index operation {operation.Id} has no document.", nameof(operations))).WriteTo(writer, ElasticsearchJson.Options);
                writer.Flush();
                stream.WriteByte((byte)'\n');
                writer.Reset();
            }
        }
        return stream.ToArray();
    }

    static string DocumentPath(string index, string id, string? refresh) =>
        $"{Segment(index)}/_doc/{Uri.EscapeDataString(id)}{(refresh is null ? "" : $"?refresh={refresh}")}";

    /// <summary>Index and alias names go into the path as they are, but never with characters that would change it.</summary>
    static string Segment(string name)
    {
        if (string.IsNullOrEmpty(name) || name.AsSpan().IndexOfAny("/?#\\ ") >= 0)
        {
            throw new ArgumentException($"'{name}' is not a valid index or alias name.", nameof(name));
        }
        return name;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Elasticsearch {Method} /{Path} answered {Status} in {ElapsedMs:0} ms")]
    static partial void LogExchange(ILogger logger, string method, string path, int status, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Elasticsearch {Method} /{Path} failed with {Status} {ErrorType}: {Reason}")]
    static partial void LogFailure(ILogger logger, string method, string path, int status, string errorType, string reason);
}
