namespace Scoda.Market.Search.Elasticsearch;

/// <summary>
/// Where the Elasticsearch back end lives. The live index is the alias <see cref="IndexPrefix"/>; stored buy-request
/// queries live behind the alias <c>{IndexPrefix}-queries</c>.
/// </summary>
public sealed record ElasticsearchOptions(Uri Url, string? ApiKey, string IndexPrefix = "scoda-listings")
{
    /// <summary>How many times a bulk write is tried in all (the first try included) before its rejected items count as failed.</summary>
    public int MaxBulkAttempts { get; init; } = 3;

    /// <summary>The wait before the first retry of rejected bulk items; it doubles on each further retry.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The whole budget of one call, HTTP retries included (the transport's request timeout). Searches answer users:
    /// a cluster that hangs must fail the request, not hold it.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>One HTTP attempt's timeout; a slow attempt is cancelled and retried within <see cref="RequestTimeout"/>.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>HTTP retries after a refused connection, a timeout, 408, 429 or 5xx (Retry-After is honoured).</summary>
    public int MaxHttpRetries { get; init; } = 3;

    /// <summary>The first HTTP retry's delay when the answer names none; it grows exponentially, with jitter.</summary>
    public TimeSpan HttpRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public string Alias => IndexPrefix;

    public string QueriesAlias => $"{IndexPrefix}-queries";

    // The generated record ToString would print the API key into any log that formats the options.
    public override string ToString() =>
        $"ElasticsearchOptions {{ Url = {Url}, ApiKey = {(ApiKey is null ? "(none)" : "***")}, IndexPrefix = {IndexPrefix} }}";
}
