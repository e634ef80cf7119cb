using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scoda.Market.Search.Embedded;

/// <summary>
/// Serialization code generated at build time for what the embedded index stores: a bulk load serializes every
/// document, and generated code does it without the reflection-based converters' warm-up.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ListingDocument))]
[JsonSerializable(typeof(ListingQuery))]
[JsonSerializable(typeof(List<long>))]
[JsonSerializable(typeof(IEnumerable<long>))]
sealed partial class EmbeddedJson : JsonSerializerContext;
