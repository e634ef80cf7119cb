using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Scoda.Market.Search.Elasticsearch;

namespace Scoda.Market.Search.Tests.Elasticsearch;

/// <summary>
/// Plays back the Elasticsearch exchanges of one scenario, kept as files under <c>Elasticsearch/Recordings/{scenario}/</c>
/// (one JSON file per exchange, played in file-name order). It sits where the bytes leave: under the official client's
/// transport and its resilience handler, as the primary <see cref="HttpMessageHandler"/>. Each request must be exactly
/// the recorded one: method, path with query string, the REST compatibility headers of Elasticsearch 9, the API key,
/// and a body (gunzipped: the client compresses request bodies) equal as JSON (parsed and compared with
/// <see cref="JsonNode.DeepEquals"/>; NDJSON line by line). The recorded response is then returned as Elasticsearch
/// would send it, with its <c>headers</c> when the recording has some.
/// </summary>
/// <remarks>
/// A recording's request names its body in one of three ways: <c>body</c> (a JSON value), <c>ndjson</c> (the lines of
/// a _bulk body, as JSON values), or <c>definition</c> (search-index/listings/index.json with the given
/// <c>synonyms</c> put into the scoda_synonyms filter and, when given, <c>aliases</c> added).
/// </remarks>
public sealed class RecordedExchangeHandler : HttpMessageHandler
{
    public const string ApiKey = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";

    /// <summary>
    /// Set to 1 to re-record: the requests the client sends are written back into the recordings (responses are kept)
    /// instead of being compared. Review the diff before committing it.
    /// </summary>
    static readonly bool Recording = Environment.GetEnvironmentVariable("SCODA_RECORD_ELASTICSEARCH") == "1";

    readonly Queue<(string File, JsonObject Exchange)> _pending;
    readonly string _folder;
    readonly string? _apiKey;

    public RecordedExchangeHandler(string scenario, string? apiKey = ApiKey)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Elasticsearch", "Recordings", scenario);
        // Re-recording writes into the source tree, not the copy in the output folder.
        _folder = Recording ? Path.GetDirectoryName(RepositoryFile("tests", "Scoda.Market.Search.Tests", "Elasticsearch", "Recordings", scenario, Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).First().Split(Path.DirectorySeparatorChar)[^1]))! : folder;
        Directory.Exists(folder).Should().BeTrue($"the recordings of scenario '{scenario}' are copied to {folder}");
        _pending = new Queue<(string, JsonObject)>(Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), JsonNode.Parse(File.ReadAllText(f))!.AsObject())));
        _apiKey = apiKey;
    }

    public List<string> Played { get; } = [];

    public void ShouldHavePlayedEverything() =>
        _pending.Select(p => p.File).Should().BeEmpty("every recorded exchange of the scenario is expected to happen");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _pending.Should().NotBeEmpty($"no exchange is recorded for {request.Method} {request.RequestUri?.PathAndQuery} (played: {string.Join(", ", Played)})");
        var (file, exchange) = _pending.Dequeue();
        Played.Add(file);
        var expected = exchange["request"]!.AsObject();

        if (_apiKey is null)
        {
            request.Headers.Authorization.Should().BeNull($"{file}: no API key is configured");
        }
        else
        {
            request.Headers.Authorization?.ToString().Should().Be($"ApiKey {_apiKey}", file);
        }

        var body = await BodyOf(request, cancellationToken);
        if (Recording)
        {
            Record(file, exchange, request, body);
        }
        else
        {
            using var scope = new FluentAssertions.Execution.AssertionScope(file);
            request.Method.Method.Should().Be((string)expected["method"]!, file);
            request.Headers.Accept.ToString().Should().Be((string?)expected["accept"], $"{file}: the Accept header");
            (request.Content?.Headers.ContentType?.ToString()).Should().Be((string?)expected["contentType"], $"{file}: the Content-Type");
            request.RequestUri!.PathAndQuery.Should().Be((string)expected["path"]!, file);
            ShouldMatchBody(file, expected, request, body);
        }

        var recorded = exchange["response"]!.AsObject();
        var response = new HttpResponseMessage((HttpStatusCode)(int)recorded["status"]!) { RequestMessage = request };
        // Elasticsearch names itself on every answer; the official client refuses a server that does not.
        response.Headers.Add("X-Elastic-Product", "Elasticsearch");
        if (recorded["body"] is { } responseBody)
        {
            response.Content = new StringContent(responseBody.ToJsonString(), Encoding.UTF8);
            // Elasticsearch answers in the media type asked for (the client asks bulk answers as plain JSON).
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(
                request.Headers.Accept.ToString() == "application/json" ? "application/json" : "application/vnd.elasticsearch+json;compatible-with=9");
        }
        foreach (var (name, value) in recorded["headers"]?.AsObject() ?? [])
        {
            response.Headers.TryAddWithoutValidation(name, (string)value!);
        }
        return response;
    }

    /// <summary>The body as sent, gunzipped when the client compressed it.</summary>
    static async Task<string> BodyOf(HttpRequestMessage request, CancellationToken ct)
    {
        if (request.Content is null)
        {
            return "";
        }
        var bytes = await request.Content.ReadAsByteArrayAsync(ct);
        if (request.Content.Headers.ContentEncoding.Contains("gzip"))
        {
            await using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            await gzip.CopyToAsync(plain, ct);
            bytes = plain.ToArray();
        }
        return Encoding.UTF8.GetString(bytes);
    }

    static void ShouldMatchBody(string file, JsonObject expected, HttpRequestMessage request, string body)
    {
        if (expected["ndjson"] is JsonArray lines)
        {
            body.Should().EndWith("\n", $"{file}: an NDJSON body ends with a newline");
            var sent = body[..^1].Split('\n');
            sent.Should().HaveCount(lines.Count, $"{file}: NDJSON line count");
            for (var i = 0; i < lines.Count; i++)
            {
                ShouldEqual(JsonNode.Parse(sent[i]), lines[i], $"{file}, NDJSON line {i + 1}");
            }
        }
        else if (expected["body"] is { } json)
        {
            ShouldEqual(JsonNode.Parse(body), json, file);
        }
        else if (expected["definition"] is JsonObject definition)
        {
            ShouldEqual(JsonNode.Parse(body), Definition(definition), file);
        }
        else
        {
            body.Should().BeEmpty($"{file}: this request has no body");
        }
    }

    void Record(string file, JsonObject exchange, HttpRequestMessage request, string body)
    {
        var recorded = new JsonObject
        {
            ["method"] = request.Method.Method,
            ["path"] = request.RequestUri!.PathAndQuery,
            ["accept"] = request.Headers.Accept.ToString(),
        };
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            recorded["contentType"] = contentType.ToString();
        }
        var old = exchange["request"]!.AsObject();
        if (old["definition"] is JsonObject definition && JsonNode.DeepEquals(JsonNode.Parse(body), Definition(definition)))
        {
            recorded["definition"] = definition.DeepClone();
        }
        else if (old["ndjson"] is not null || request.Content?.Headers.ContentType?.MediaType?.Contains("ndjson", StringComparison.Ordinal) == true)
        {
            recorded["ndjson"] = new JsonArray(body.TrimEnd('\n').Split('\n').Select(l => JsonNode.Parse(l)).ToArray());
        }
        else if (body.Length > 0)
        {
            recorded["body"] = JsonNode.Parse(body);
        }
        var updated = new JsonObject { ["about"] = exchange["about"]?.DeepClone(), ["request"] = recorded, ["response"] = exchange["response"]!.DeepClone() };
        File.WriteAllText(Path.Combine(_folder, file), updated.ToJsonString(Indented) + "\n");
    }

    static JsonObject Definition(JsonObject spec)
    {
        var definition = JsonNode.Parse(File.ReadAllText(RepositoryFile("search-index", "listings", "index.json")))!.AsObject();
        definition["settings"]!["index"]!["analysis"]!["filter"]![ElasticsearchIndexDefinition.SynonymFilter]!["synonyms"] = spec["synonyms"]!.DeepClone();
        if (spec["aliases"] is { } aliases)
        {
            definition["aliases"] = aliases.DeepClone();
        }
        return definition;
    }

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, IndentSize = 2, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static void ShouldEqual(JsonNode? actual, JsonNode? expected, string what)
    {
        if (!JsonNode.DeepEquals(actual, expected))
        {
            Assert.Fail($"{what}: the request body differs from the recording.\nExpected:\n{expected?.ToJsonString(Indented)}\nActual:\n{actual?.ToJsonString(Indented)}");
        }
    }

    /// <summary>A file of the repository (search-index/ is shared by both back ends and lives at the root).</summary>
    public static string RepositoryFile(params string[] parts)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine([folder.FullName, .. parts]);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"{Path.Combine(parts)} was not found above {AppContext.BaseDirectory}");
    }
}
