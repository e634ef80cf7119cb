using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace Scoda.Market.Search.Elasticsearch;

/// <summary>The one set of JSON settings for request bodies and documents (camelCase, as the mappings name fields).</summary>
internal static class ElasticsearchJson
{
    /// <summary>
    /// Web defaults (camelCase). Cyrillic and Chinese are written as UTF-8 instead of \u escapes, which keeps bulk
    /// bodies small; HTML-sensitive characters are still escaped, which is valid JSON either way.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        Converters = { new JsonStringEnumConverter() },
    };
}
