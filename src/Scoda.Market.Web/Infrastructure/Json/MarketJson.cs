using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Scoda.Market.Web.Infrastructure.Text;

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
        // A null where the contract has a non-nullable member (Identity's `required string Email`, our non-nullable
        // record members) fails binding with the field's path instead of an ArgumentNullException deep inside.
        options.RespectNullableAnnotations = true;
    }

    /// <summary>
    /// Adds the input checks of <see cref="CheckInput"/> to every contract <paramref name="options"/> resolves. Call it
    /// after everyone else has configured the options: Identity adds a source-generated context for its request types,
    /// which must be covered too.
    /// </summary>
    public static void AddInputChecks(JsonSerializerOptions options) =>
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(CheckInput);

    /// <summary>The field a read failure is about, as our validation errors name fields: <c>$.price.amount</c> → <c>price.amount</c>.</summary>
    public static string FieldOf(JsonException json)
    {
        var path = json.Path is null or "$" ? "" : json.Path.StartsWith("$.", StringComparison.Ordinal) ? json.Path[2..] : json.Path.TrimStart('$');
        if (json is JsonInputException { Member: { Length: > 0 } member })
        {
            path = path.Length == 0 ? member : member.StartsWith('[') ? $"{path}{member}" : $"{path}.{member}";
        }
        return path;
    }

    /// <summary>What to tell the client; the serializer's own messages name .NET types ("could not be converted to System.Decimal").</summary>
    public static string MessageOf(JsonException json) => json is JsonInputException
        ? json.Message
        : "Not a valid value here: wrong type, out of range, malformed JSON, unknown field, or null where a value is required.";

    /// <summary>
    /// Every object read from a client is checked once it is built: its text by <see cref="InputText"/>, and its lists
    /// and dictionaries for nulls the contract does not allow (<c>certificates: [null]</c>). Writing is left alone: a
    /// response is never refused for what the server itself holds.
    /// </summary>
    static void CheckInput(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }
        var checks = new List<(string Name, Func<object, object?> Get, ValueCheck Check)>();
        foreach (var property in typeInfo.Properties)
        {
            if (!property.PropertyType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) is not null)
            {
                property.IsGetNullable = true;
            }
            if (property.Get is { } get && ValueCheck.For(property) is { } check)
            {
                checks.Add((property.Name, get, check));
            }
        }
        if (checks.Count == 0)
        {
            return;
        }
        var previous = typeInfo.OnDeserialized;
        typeInfo.OnDeserialized = value =>
        {
            previous?.Invoke(value);
            foreach (var (name, get, check) in checks)
            {
                if (get(value) is { } member && check.Problem(member) is { } problem)
                {
                    throw new JsonInputException(problem.Message, problem.Field is null ? name : $"{name}{problem.Field}");
                }
            }
        };
    }

    /// <summary>Writes decimals without trailing zeros: 12.345 t stays "12.345", not "12.345000" from numeric(18,6).</summary>
    sealed class NormalizedDecimalConverter : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            // "NaN", "1e308", 40 nines: a client's mistake, reported with the field's path (JsonException), never a 500.
            // The message leaves the value out: it may be a megabyte long.
            if (reader.TokenType == JsonTokenType.String)
            {
                return decimal.TryParse(reader.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed)
                    ? parsed
                    : throw new JsonInputException("Not a decimal number (digits with an optional '.' and sign; no exponent, NaN or Infinity).");
            }
            if (reader.TokenType == JsonTokenType.Number)
            {
                return reader.TryGetDecimal(out var number)
                    ? number
                    : throw new JsonInputException("Out of range for a decimal number.");
            }
            throw new JsonInputException("A decimal number, as a JSON number or string.");
        }

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(Domain.Decimals.Normalize(value));
    }
}

/// <summary>
/// A value refused with a message meant for the client (no .NET type names, no echo of the value). When it is found
/// after an object was read, <see cref="Member"/> names the member relative to that object (<c>certificates[0]</c>).
/// </summary>
public sealed class JsonInputException(string message, string? member = null) : JsonException(message)
{
    public string? Member { get; } = member;
}

/// <summary>What to check in one member of an incoming object, decided once per property from its type and nullability.</summary>
sealed class ValueCheck
{
    bool _text;
    bool _json;
    bool _elementsMayBeNull = true;
    bool _list;
    bool _dictionary;

    public static ValueCheck? For(JsonPropertyInfo property)
    {
        var type = property.PropertyType;
        var check = new ValueCheck();
        if (type == typeof(string))
        {
            check._text = true;
            return check;
        }
        if (type == typeof(JsonElement) || type == typeof(JsonElement?))
        {
            check._json = true;
            return check;
        }
        if (DictionaryValueType(type) is { } valueType)
        {
            check._dictionary = true;
            check._text = valueType == typeof(string);
            check._json = valueType == typeof(JsonElement);
            check._elementsMayBeNull = ElementMayBeNull(property, valueType, genericIndex: 1);
            return check;
        }
        if (type != typeof(string) && ListElementType(type) is { } elementType)
        {
            check._list = true;
            check._text = elementType == typeof(string);
            check._json = elementType == typeof(JsonElement);
            check._elementsMayBeNull = ElementMayBeNull(property, elementType, genericIndex: 0);
            return check._text || check._json || !check._elementsMayBeNull ? check : null;
        }
        return null;
    }

    public (string? Field, string Message)? Problem(object value)
    {
        switch (value)
        {
            case string text when _text:
                return InputText.Problem(text) is { } textProblem ? (null, textProblem) : null;
            case JsonElement json when _json:
                return JsonProblem(json, "");
            case IDictionary dictionary when _dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = (string)entry.Key;
                    if (InputText.Problem(key) is { } keyProblem)
                    {
                        return (null, $"A key: {keyProblem}");
                    }
                    if (ElementProblem(entry.Value, $".{key}") is { } valueProblem)
                    {
                        return valueProblem;
                    }
                }
                return null;
            case IEnumerable list when _list:
                var index = 0;
                foreach (var element in list)
                {
                    if (ElementProblem(element, $"[{index}]") is { } elementProblem)
                    {
                        return elementProblem;
                    }
                    index++;
                }
                return null;
            default:
                return null;
        }
    }

    (string? Field, string Message)? ElementProblem(object? element, string at) => element switch
    {
        null when !_elementsMayBeNull => (at, "null is not allowed here."),
        string text when _text => InputText.Problem(text) is { } problem ? (at, problem) : null,
        JsonElement json when _json => JsonProblem(json, at),
        _ => null,
    };

    static (string? Field, string Message)? JsonProblem(JsonElement json, string at) =>
        InputText.ProblemIn(json, at) is { } problem ? (problem.At.Length == 0 ? null : problem.At, problem.Message) : null;

    static Type? DictionaryValueType(Type type)
    {
        foreach (var candidate in (Type[])[type, .. type.GetInterfaces()])
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IDictionary<,>) && candidate.GetGenericArguments()[0] == typeof(string))
            {
                return candidate.GetGenericArguments()[1];
            }
        }
        return null;
    }

    static Type? ListElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }
        foreach (var candidate in (Type[])[type, .. type.GetInterfaces()])
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                return candidate.GetGenericArguments()[0];
            }
        }
        return null;
    }

    /// <summary>Value-type elements are never null; reference elements may be null only when annotated <c>?</c>.</summary>
    static bool ElementMayBeNull(JsonPropertyInfo property, Type elementType, int genericIndex)
    {
        if (elementType.IsValueType)
        {
            return Nullable.GetUnderlyingType(elementType) is not null;
        }
        if (property.AttributeProvider is not PropertyInfo info)
        {
            return true;
        }
        // NullabilityInfoContext is not thread-safe, and contracts may be resolved concurrently.
        var nullability = new NullabilityInfoContext().Create(info);
        var element = nullability.ElementType
            ?? (nullability.GenericTypeArguments.Length > genericIndex ? nullability.GenericTypeArguments[genericIndex] : null);
        // A type derived from a generic collection (LocalizedText : Dictionary<string, string>) carries no annotation here.
        return element is null || element.ReadState != NullabilityState.NotNull;
    }
}
