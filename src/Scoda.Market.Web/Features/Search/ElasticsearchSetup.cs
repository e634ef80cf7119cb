using System.Net;
using Scoda.Market.Search;
using Scoda.Market.Search.Elasticsearch;

namespace Scoda.Market.Web.Features.Search;

static class ElasticsearchSetup
{
    /// <summary>
    /// The named HTTP client whose primary handler sends the official client's requests (tests swap it with
    /// <c>AddHttpClient(name).ConfigurePrimaryHttpMessageHandler</c> to fake the cluster).
    /// </summary>
    public const string HttpClientName = "elasticsearch";

    /// <summary>Registers the Elasticsearch back end (see Scoda.Market.Search/Elasticsearch).</summary>
    public static void AddElasticsearchIndex(this IHostApplicationBuilder builder, SearchOptions.ElasticsearchSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.Url) || !Uri.TryCreate(settings.Url, UriKind.Absolute, out var url))
        {
            throw new InvalidOperationException("Search:Provider is Elasticsearch but Search:Elasticsearch:Url is not an absolute URL.");
        }
        var options = new ElasticsearchOptions(url, string.IsNullOrWhiteSpace(settings.ApiKey) ? null : settings.ApiKey, settings.IndexPrefix);
        // The handler factory owns the sockets (and lets tests replace them); retries and timeouts are set up by
        // ElasticsearchConnection around whatever handler this gives.
        builder.Services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All });
        builder.Services.AddSingleton<IListingIndex>(s =>
        {
            var handlers = s.GetRequiredService<IHttpMessageHandlerFactory>();
            return new ElasticsearchListingIndex(
                options,
                s.GetRequiredService<ILoggerFactory>(),
                s.GetRequiredService<TimeProvider>(),
                primaryHandler: () => handlers.CreateHandler(HttpClientName));
        });
    }
}
