namespace Scoda.Market.Web.Features.Search;

static class ElasticsearchSetup
{
    /// <summary>Registers the Elasticsearch back end (see Scoda.Market.Search/Elasticsearch).</summary>
    public static void AddElasticsearchIndex(this IHostApplicationBuilder builder, SearchOptions.ElasticsearchSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.Url) || !Uri.TryCreate(settings.Url, UriKind.Absolute, out _))
        {
            throw new InvalidOperationException("Search:Provider is Elasticsearch but Search:Elasticsearch:Url is not an absolute URL.");
        }
        // The REST client and index definition are not in this build yet (CHANGELOG, issue 4): refuse to start rather
        // than pretend to index into a cluster.
        throw new InvalidOperationException(
            "Search:Provider=Elasticsearch is not available in this build yet; use Search:Provider=Embedded (the default).");
    }
}
