using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.Search;

/// <summary>
/// The host on the Elasticsearch back end, through the official client, with the cluster faked where the bytes leave
/// (the primary handler of the "elasticsearch" HTTP client; the cluster is the one true outside boundary here). The
/// fake first refuses every connection, then answers as a small, empty Elasticsearch 9 would.
/// </summary>
public sealed class ElasticsearchOutageTests
{
    const string ApiKey = "c2NvZGEtdGVzdDpzM2NyZXQtYXBpLWtleS12YWx1ZQ==";

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task While_elasticsearch_is_down_the_host_is_live_not_ready_and_keeps_changes_until_it_returns()
    {
        var cluster = new FlakyCluster();
        var logs = new ConcurrentQueue<string>();
        await using var app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Search:Provider"] = "Elasticsearch",
            ["Search:Elasticsearch:Url"] = "http://es.test:9200",
            ["Search:Elasticsearch:ApiKey"] = ApiKey,
        });
        app.ServiceOverrides.Add(services =>
        {
            services.AddHttpClient("elasticsearch").ConfigurePrimaryHttpMessageHandler(() => cluster);
            services.AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(logs));
        });
        var client = app.CreateClient();

        (await client.GetAsync("/health/live", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/health/ready", Ct)).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);

        var seller = await Seller.CreateAsync(app);
        var listing = await new ListingBuilder(seller.OrganizationId).PublishAsync(seller.Owner);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct); // the indexer's one-second passes meet the outage
        (await PendingAsync(app, listing)).Should().BeTrue("a change waits in the outbox while the index is down");
        cluster.Indexed.Should().BeEmpty();

        cluster.Up = true;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await PendingAsync(app, listing) || !cluster.Indexed.Contains(listing.ToString())) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250, Ct);
        }
        cluster.Indexed.Should().Contain(listing.ToString(), "the outbox is applied once Elasticsearch answers");
        (await PendingAsync(app, listing)).Should().BeFalse();
        (await client.GetAsync("/health/ready", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);

        cluster.SawApiKey.Should().BeTrue("every request carries the key");
        logs.Should().NotBeEmpty();
        logs.Should().Contain(l => l.Contains("HttpRequestException", StringComparison.Ordinal), "the outage and the retries are logged");
        logs.Should().NotContain(l => l.Contains(ApiKey, StringComparison.Ordinal) || l.Contains("s3cret-api-key-value", StringComparison.Ordinal));
    }

    static Task<bool> PendingAsync(MarketApp app, Guid listing) =>
        app.WithScopeAsync(services => services.GetRequiredService<Scoda.Market.Web.Data.MarketDbContext>()
            .OutboxMessages.AnyAsync(m => m.EntityId == listing && m.ProcessedAt == null, Ct));

    /// <summary>Refuses connections until <see cref="Up"/>; then a minimal Elasticsearch that keeps the ids it indexed.</summary>
    sealed class FlakyCluster : HttpMessageHandler
    {
        const string Generation = "scoda-listings-20261101120000-00000001";

        public volatile bool Up;

        public ConcurrentBag<string> Indexed { get; } = [];

        public bool SawApiKey { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            SawApiKey |= request.Headers.Authorization?.ToString() == $"ApiKey {ApiKey}";
            if (!Up)
            {
                throw new HttpRequestException("Connection refused (es.test:9200)", null, HttpStatusCode.ServiceUnavailable);
            }
            var path = request.RequestUri!.AbsolutePath;
            var body = await BodyAsync(request, cancellationToken);
            JsonNode answer = (request.Method.Method, path) switch
            {
                ("HEAD", _) => new JsonObject(),
                ("GET", _) when path.StartsWith("/_alias/", StringComparison.Ordinal) =>
                    new JsonObject { [Generation] = new JsonObject { ["aliases"] = new JsonObject { [path[8..]] = new JsonObject() } } },
                (_, _) when path.EndsWith("/_count", StringComparison.Ordinal) => new JsonObject { ["count"] = Indexed.Count },
                (_, _) when path.EndsWith("/_bulk", StringComparison.Ordinal) => Bulk(body),
                (_, _) when path.EndsWith("/_search", StringComparison.Ordinal) => new JsonObject
                {
                    ["took"] = 1, ["timed_out"] = false,
                    ["hits"] = new JsonObject { ["total"] = new JsonObject { ["value"] = 0, ["relation"] = "eq" }, ["hits"] = new JsonArray() },
                },
                _ => new JsonObject { ["acknowledged"] = true },
            };
            var response = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request };
            response.Headers.Add("X-Elastic-Product", "Elasticsearch");
            if (request.Method != HttpMethod.Head)
            {
                response.Content = new StringContent(answer.ToJsonString(), Encoding.UTF8,
                    request.Headers.Accept.ToString() == "application/json" ? "application/json" : "application/vnd.elasticsearch+json");
            }
            return response;
        }

        JsonObject Bulk(string ndjson)
        {
            var items = new JsonArray();
            foreach (var line in ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()))
            {
                if (line["index"]?["_id"] is { } id)
                {
                    Indexed.Add((string)id!);
                    items.Add(new JsonObject { ["index"] = new JsonObject { ["_id"] = (string)id!, ["status"] = 201, ["result"] = "created" } });
                }
                else if (line["delete"]?["_id"] is { } deleted)
                {
                    items.Add(new JsonObject { ["delete"] = new JsonObject { ["_id"] = (string)deleted!, ["status"] = 404, ["result"] = "not_found" } });
                }
            }
            return new JsonObject { ["took"] = 1, ["errors"] = false, ["items"] = items };
        }

        static async Task<string> BodyAsync(HttpRequestMessage request, CancellationToken ct)
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
    }

    /// <summary>Every log line of the host, formatted with its exception, for scanning.</summary>
    sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }

        sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
