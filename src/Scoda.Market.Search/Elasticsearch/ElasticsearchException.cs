namespace Scoda.Market.Search.Elasticsearch;

/// <summary>
/// A request Elasticsearch refused, with the status and the error <c>type</c>/<c>reason</c> of its error body
/// (<c>{"error":{"type","reason","root_cause":[...]},"status":N}</c>).
/// </summary>
public sealed class ElasticsearchException : Exception
{
    public ElasticsearchException()
    {
    }

    public ElasticsearchException(string message)
        : base(message)
    {
    }

    public ElasticsearchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ElasticsearchException(int status, string? errorType, string? reason, string request)
        : base($"Elasticsearch answered {request} with {status}{(errorType is null ? "" : $" {errorType}")}: {reason ?? "(no reason given)"}")
    {
        Status = status;
        ErrorType = errorType;
        Reason = reason;
    }

    /// <summary>The HTTP status (or, for a bulk item, the item's status).</summary>
    public int Status { get; }

    /// <summary>Elasticsearch's error type, such as <c>index_not_found_exception</c>; null when the body had none.</summary>
    public string? ErrorType { get; }

    public string? Reason { get; }

    /// <summary>The root causes' types, as Elasticsearch lists them.</summary>
    public IReadOnlyList<string> RootCauseTypes { get; init; } = [];
}
