using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace Scoda.Market.Search.Elasticsearch;

/// <summary>How the client's source serializer writes and reads our documents (camelCase, as the mappings name fields).</summary>
internal static class ElasticsearchJson
{
    /// <summary>
    /// Web-style settings on the client's <c>DefaultSourceSerializer</c>. Cyrillic and Chinese are written as UTF-8
    /// instead of \u escapes, which keeps bulk bodies small; HTML-sensitive characters are still escaped.
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = null;
        options.PropertyNameCaseInsensitive = true;
        options.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
        options.Converters.Add(new JsonStringEnumConverter());
    }
}
