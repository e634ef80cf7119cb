using Scoda.Market.Search.Elasticsearch;

namespace Scoda.Market.Search.Tests.Elasticsearch;

/// <summary>
/// The shared contract on a real Elasticsearch 9 through the official client, when SCODA_TEST_ELASTICSEARCH_URL names one (optionally with
/// SCODA_TEST_ELASTICSEARCH_API_KEY); skipped otherwise. Every test gets its own index prefix and deletes its indices
/// afterwards. See search-index/listings/README.md for running it with docker compose.
/// </summary>
public sealed class ElasticsearchContractTests : SearchIndexContract, IAsyncDisposable
{
    const string UrlVariable = "SCODA_TEST_ELASTICSEARCH_URL";
    const string ApiKeyVariable = "SCODA_TEST_ELASTICSEARCH_API_KEY";

    static readonly string? Url = Environment.GetEnvironmentVariable(UrlVariable);
    static readonly string? ApiKey = Environment.GetEnvironmentVariable(ApiKeyVariable);

    static int _reasonShown;

    readonly string _prefix = $"scoda-contract-{Guid.NewGuid():N}"[..26];
    readonly List<ElasticsearchListingIndex> _indexes = [];

    protected override Task<IListingIndex> CreateIndexAsync(string name)
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            const string reason = $"Elasticsearch contract tests skipped: {UrlVariable} is not set, so there is no cluster to run them against (see search-index/listings/README.md).";
            // The console lists skipped tests without their reason: say it once in the run's output.
            if (Interlocked.Exchange(ref _reasonShown, 1) == 0)
            {
                TestContext.Current.SendDiagnosticMessage(reason);
            }
            Assert.Skip(reason);
        }
        var options = new ElasticsearchOptions(new Uri(Url), string.IsNullOrWhiteSpace(ApiKey) ? null : ApiKey, $"{_prefix}-{name.ToLowerInvariant()}")
        {
            // A test cluster in a container can be slow to create indices.
            RequestTimeout = TimeSpan.FromSeconds(60),
            AttemptTimeout = TimeSpan.FromSeconds(30),
        };
        var index = new ElasticsearchListingIndex(options);
        _indexes.Add(index);
        return Task.FromResult<IListingIndex>(index);
    }

    /// <summary>Elasticsearch is near real-time: a refresh makes the writes of a test visible to its next read.</summary>
    protected override Task AfterWriteAsync(IListingIndex index) => ((ElasticsearchListingIndex)index).RefreshAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        foreach (var index in _indexes)
        {
            await index.DropAsync(CancellationToken.None);
        }
    }
}
