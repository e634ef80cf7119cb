using Scoda.Market.Search;
using Scoda.Market.Search.Elasticsearch;

namespace Scoda.Market.Web.Features.Search;

static class ElasticsearchSetup
{
    /// <summary>The named <see cref="HttpClient"/> the Elasticsearch back end talks through (tests swap its handler).</summary>
    public const string HttpClientName = "elasticsearch";

    /// <summary>Registers the Elasticsearch back end (see Scoda.Market.Search/Elasticsearch).</summary>
    public static void AddElasticsearchIndex(this IHostApplicationBuilder builder, SearchOptions.ElasticsearchSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.Url) || !Uri.TryCreate(settings.Url, UriKind.Absolute, out var url))
        {
            throw new InvalidOperationException("Search:Provider is Elasticsearch but Search:Elasticsearch:Url is not an absolute URL.");
        }
        var options = new ElasticsearchOptions(url, string.IsNullOrWhiteSpace(settings.ApiKey) ? null : settings.ApiKey, settings.IndexPrefix);
        // Searches answer users: a cluster that hangs must fail the request, not hold it for the default 100 s.
        builder.Services.AddHttpClient(HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton<IListingIndex>(s => new ElasticsearchListingIndex(
            s.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            options,
            s.GetRequiredService<ILoggerFactory>(),
            s.GetRequiredService<TimeProvider>()));
    }
}
