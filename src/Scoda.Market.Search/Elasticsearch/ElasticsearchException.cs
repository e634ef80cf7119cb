namespace Scoda.Market.Search.Elasticsearch;

/// <summary>
/// A request Elasticsearch refused, with the status and the error <c>type</c>/<c>reason</c> of its error body
/// (<c>{"error":{"type","reason","root_cause":[...]},"status":N}</c>), or one nothing answered (status 0, the
/// transport's exception inside).
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

    public ElasticsearchException(int status, string? errorType, string? reason, string request, Exception? innerException = null)
        : base(status == 0
            ? $"Elasticsearch did not answer {request}: {reason ?? "(no reason given)"}"
            : $"Elasticsearch answered {request} with {status}{(errorType is null ? "" : $" {errorType}")}: {reason ?? "(no reason given)"}", innerException)
    {
        Status = status;
        ErrorType = errorType;
        Reason = reason;
        Request = request;
    }

    /// <summary>The HTTP status (or, for a bulk item, the item's status); 0 when nothing answered.</summary>
    public int Status { get; }

    /// <summary>Elasticsearch's error type, such as <c>index_not_found_exception</c>; null when the body had none.</summary>
    public string? ErrorType { get; }

    public string? Reason { get; }

    /// <summary>What was asked (method and path, or what the back end was doing).</summary>
    public string Request { get; } = "";

    /// <summary>The root causes' types, as Elasticsearch lists them.</summary>
    public IReadOnlyList<string> RootCauseTypes { get; init; } = [];
}
