namespace Scoda.Market.Search.Elasticsearch;

/// <summary>
/// Where the Elasticsearch back end lives. The live index is the alias <see cref="IndexPrefix"/>; stored buy-request
/// queries live behind the alias <c>{IndexPrefix}-queries</c>.
/// </summary>
public sealed record ElasticsearchOptions(Uri Url, string? ApiKey, string IndexPrefix = "scoda-listings")
{
    /// <summary>How many times a bulk write is tried in all (the first try included) before its items count as failed.</summary>
    public int MaxBulkAttempts { get; init; } = 3;

    /// <summary>The wait before the first retry of rejected bulk items; it doubles on each further retry.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public string Alias => IndexPrefix;

    public string QueriesAlias => $"{IndexPrefix}-queries";

    // The generated record ToString would print the API key into any log that formats the options.
    public override string ToString() =>
        $"ElasticsearchOptions {{ Url = {Url}, ApiKey = {(ApiKey is null ? "(none)" : "***")}, IndexPrefix = {IndexPrefix} }}";
}
