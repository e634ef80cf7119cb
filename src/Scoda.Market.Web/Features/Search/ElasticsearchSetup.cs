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
        throw new InvalidOperationException("The Elasticsearch back end is not wired into the host yet.");
    }
}
