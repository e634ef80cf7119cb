using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Serialization;
using Elastic.Transport;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Scoda.Market.Search.Elasticsearch;

/// <summary>
/// Builds the official <see cref="ElasticsearchClient"/> the back end talks through: one node, API-key auth, the
/// client's source serializer set up for our documents, and under its transport a standard resilience handler.
/// </summary>
/// <remarks>
/// The transport retries nothing useful for a single node: a 429 is a "known error" it returns at once, and 502-504
/// or a refused connection only move on to another node of a pool, without delay or Retry-After. So HTTP-level retry
/// (refused connections, attempt timeouts, 408, 429, 5xx, with exponential back-off and Retry-After honoured) is the
/// Microsoft.Extensions.Http.Resilience handler wrapped around the transport's own <see cref="HttpMessageHandler"/>,
/// and the transport's request timeout bounds the whole call, retries included.
/// </remarks>
public static partial class ElasticsearchConnection
{
    /// <param name="options">Where the cluster is and how long a call may take.</param>
    /// <param name="loggers">Request outcomes at debug level, retries as warnings; never headers or bodies.</param>
    /// <param name="primaryHandler">
    /// The handler that sends the bytes, for a host that manages its handlers (IHttpClientFactory) or a test that fakes
    /// the cluster; by default the transport's own (gzip, connection pooling). Called whenever the transport renews its
    /// connection pool.
    /// </param>
    /// <param name="time">The clock of the retry delays and attempt timeouts.</param>
    public static ElasticsearchClient CreateClient(
        ElasticsearchOptions options, ILoggerFactory? loggers = null, Func<HttpMessageHandler>? primaryHandler = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Url.IsAbsoluteUri || (options.Url.Scheme != Uri.UriSchemeHttp && options.Url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("The Elasticsearch URL must be an absolute http or https URL.", nameof(options));
        }
        if (!string.IsNullOrEmpty(options.Url.UserInfo))
        {
            // Credentials in the URL would travel into every log line and trace that names the URL.
            throw new ArgumentException("The Elasticsearch URL must not carry credentials; configure an API key instead.", nameof(options));
        }
        var logger = (ILogger?)loggers?.CreateLogger(typeof(ElasticsearchConnection).FullName!) ?? NullLogger.Instance;
        var pipeline = Pipeline(options, logger, time ?? TimeProvider.System);
        var invoker = new HttpRequestInvoker((transportHandler, _) =>
        {
            HttpMessageHandler inner = transportHandler;
            if (primaryHandler is not null)
            {
                transportHandler.Dispose();
                inner = primaryHandler();
            }
            return new ResilienceHandler(pipeline) { InnerHandler = inner };
        });

        var settings = new ElasticsearchClientSettings(
                new SingleNodePool(options.Url),
                invoker,
                (_, clientSettings) => new DefaultSourceSerializer(clientSettings, ElasticsearchJson.Configure))
            .RequestTimeout(options.RequestTimeout)
            // Retries are the resilience handler's: the transport's own would only re-ask the same single node.
            .MaximumRetries(0)
            .OnRequestCompleted(details =>
            {
                // Method, path and status only: never headers (the API key) or bodies (listings, queries).
                LogCompleted(logger, details.HttpMethod, details.Uri, details.HttpStatusCode ?? 0);
            });
        if (!string.IsNullOrWhiteSpace(options.ApiKey))
        {
            // The encoded key (base64 of id:secret) as Elasticsearch hands it out; sent as "Authorization: ApiKey …".
            settings = settings.Authentication(new ApiKey(options.ApiKey.Trim()));
        }
        return new ElasticsearchClient(settings);
    }

    static ResiliencePipeline<HttpResponseMessage> Pipeline(ElasticsearchOptions options, ILogger logger, TimeProvider time) =>
        new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(0, options.MaxHttpRetries),
                Delay = options.HttpRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // Elasticsearch (or a proxy in front of it) may say when to come back after a 429 or 503.
                ShouldRetryAfterHeader = true,
                MaxDelay = options.RequestTimeout,
                OnRetry = args =>
                {
                    var request = args.Context.GetRequestMessage();
                    var outcome = args.Outcome.Result is { } response
                        ? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)
                        : args.Outcome.Exception?.GetType().Name ?? "failure";
                    LogRetrying(logger, request?.Method.Method ?? "", request?.RequestUri?.AbsolutePath ?? "", outcome, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Elasticsearch {Method} {Uri} answered {Status}")]
    static partial void LogCompleted(ILogger logger, Elastic.Transport.HttpMethod method, Uri? uri, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Elasticsearch {Method} {Path} got {Outcome}; retry {Retry} in {DelayMs:0} ms")]
    static partial void LogRetrying(ILogger logger, string method, string path, string outcome, int retry, double delayMs);
}
