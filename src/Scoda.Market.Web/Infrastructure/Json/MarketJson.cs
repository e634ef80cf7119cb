using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scoda.Market.Web.Infrastructure.Json;

/// <summary>The JSON rules of the public contract, shared by the HTTP API and the hubs.</summary>
public static class MarketJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        // A misspelt field is a client bug worth a 400, not a silently ignored value.
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // Money and quantities may come as strings ("245.50") so clients never round-trip through a binary float.
        options.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        options.Converters.Add(new NormalizedDecimalConverter());
    }

    /// <summary>Writes decimals without trailing zeros: 12.345 t stays "12.345", not "12.345000" from numeric(18,6).</summary>
    sealed class NormalizedDecimalConverter : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String
                ? decimal.Parse(reader.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture)
                : reader.GetDecimal();

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(Domain.Decimals.Normalize(value));
    }
}
