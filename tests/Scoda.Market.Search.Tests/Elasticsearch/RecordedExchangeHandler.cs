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
/// (one JSON file per exchange, played in file-name order). Each request must be exactly the recorded one: method,
/// path with query string, the REST compatibility headers, the API key, and a body equal as JSON (parsed and compared
/// with <see cref="JsonNode.DeepEquals"/>; NDJSON line by line). The recorded response is then returned as Elasticsearch
/// would send it.
/// </summary>
/// <remarks>
/// A recording's request names its body in one of three ways: <c>body</c> (a JSON value), <c>ndjson</c> (the lines of
/// a _bulk body, as JSON values), or <c>definition</c> (search-index/listings/index.json with the given
/// <c>synonyms</c> put into the scoda_synonyms filter and, when given, <c>aliases</c> added).
/// </remarks>
public sealed class RecordedExchangeHandler : HttpMessageHandler
{
    public const string ApiKey = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";

    readonly Queue<(string File, JsonObject Exchange)> _pending;
    readonly string? _apiKey;

    public RecordedExchangeHandler(string scenario, string? apiKey = ApiKey)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Elasticsearch", "Recordings", scenario);
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

        request.Method.Method.Should().Be((string)expected["method"]!, file);
        request.RequestUri!.PathAndQuery.Should().Be((string)expected["path"]!, file);
        request.Headers.Accept.ToString().Should().Be(ElasticsearchClient.JsonMediaType, $"{file}: every request asks for REST API compatibility with 8");
        if (_apiKey is null)
        {
            request.Headers.Authorization.Should().BeNull($"{file}: no API key is configured");
        }
        else
        {
            request.Headers.Authorization?.ToString().Should().Be($"ApiKey {_apiKey}", file);
        }

        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        if (expected["ndjson"] is JsonArray lines)
        {
            request.Content!.Headers.ContentType!.ToString().Should().Be(ElasticsearchClient.NdjsonMediaType, file);
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
            request.Content!.Headers.ContentType!.ToString().Should().Be(ElasticsearchClient.JsonMediaType, file);
            ShouldEqual(JsonNode.Parse(body), json, file);
        }
        else if (expected["definition"] is JsonObject definition)
        {
            request.Content!.Headers.ContentType!.ToString().Should().Be(ElasticsearchClient.JsonMediaType, file);
            ShouldEqual(JsonNode.Parse(body), Definition(definition), file);
        }
        else
        {
            body.Should().BeEmpty($"{file}: this request has no body");
        }

        var recorded = exchange["response"]!.AsObject();
        var response = new HttpResponseMessage((HttpStatusCode)(int)recorded["status"]!) { RequestMessage = request };
        if (recorded["body"] is { } responseBody)
        {
            response.Content = new StringContent(responseBody.ToJsonString(), Encoding.UTF8);
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/vnd.elasticsearch+json;compatible-with=8");
        }
        return response;
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

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

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
