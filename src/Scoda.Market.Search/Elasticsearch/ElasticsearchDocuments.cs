using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scoda.Market.Search.Elasticsearch;

/// <summary>
/// A listing as it is indexed: every field of <see cref="ListingDocument"/> (so a hit's _source reads back into one),
/// plus <c>suggest</c>, the completion inputs. Written by the client's source serializer through
/// <see cref="IndexedListingConverter"/>; hits are read back as plain <see cref="ListingDocument"/>.
/// </summary>
[JsonConverter(typeof(IndexedListingConverter))]
internal sealed record IndexedListing(ListingDocument Listing, IReadOnlyList<CompletionInput> Suggest);

/// <summary>One entry of a completion field: inputs and their weight.</summary>
internal sealed record CompletionInput(IReadOnlyList<string> Input, int Weight);

/// <summary>
/// A stored buy-request query: <c>query</c> is the percolator field (the DSL as the client writes it), and
/// <c>listingQuery</c>, kept in _source only (the mapping does not index it), the request it was made from.
/// </summary>
internal sealed record StoredQueryDocument(string Id, JsonElement Query, ListingQuery ListingQuery);

/// <summary>Writes the listing's own members, then <c>suggest</c>, as one flat object (STJ cannot flatten a member).</summary>
internal sealed class IndexedListingConverter : JsonConverter<IndexedListing>
{
    public override IndexedListing Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Hits are read as ListingDocument.");

    public override void Write(Utf8JsonWriter writer, IndexedListing value, JsonSerializerOptions options)
    {
        using var listing = JsonSerializer.SerializeToDocument(value.Listing, options);
        writer.WriteStartObject();
        foreach (var member in listing.RootElement.EnumerateObject())
        {
            member.WriteTo(writer);
        }
        writer.WritePropertyName(options.PropertyNamingPolicy?.ConvertName(nameof(IndexedListing.Suggest)) ?? nameof(IndexedListing.Suggest));
        JsonSerializer.Serialize(writer, value.Suggest, options);
        writer.WriteEndObject();
    }
}
