using System.Globalization;
using System.Text.Json;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.Taxonomy;

/// <summary>Checks spec values against a category's schema. A value is a number or option in the schema's unit, or
/// <c>{ "value": 12.5, "unit": "%" }</c> when the sender wants the unit checked.</summary>
[FeatureContract]
public static class SpecValidation
{
    /// <summary>Returns the valid specs as invariant strings by key; adds a field error per problem.</summary>
    public static Dictionary<string, string> Validate(
        SpecSchema schema, IReadOnlyDictionary<string, JsonElement>? specs, ValidationErrors errors, string field, bool requireAll = true)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        specs ??= new Dictionary<string, JsonElement>();
        foreach (var key in specs.Keys.Where(k => schema.All(f => f.Key != k)))
        {
            errors.Add($"{field}.{key}", $"Not a parameter of this category. Known: {string.Join(", ", schema.Select(f => f.Key))}.");
        }
        foreach (var spec in schema)
        {
            var path = $"{field}.{spec.Key}";
            if (!specs.TryGetValue(spec.Key, out var raw) || raw.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                errors.Check(!spec.Required || !requireAll, path, "Required for this category.");
                continue;
            }
            if (Check(spec, raw, out var value, out var problem))
            {
                result[spec.Key] = value;
            }
            else
            {
                errors.Add(path, problem);
            }
        }
        return result;
    }

    /// <summary>Checks one value; <paramref name="value"/> is its invariant text.</summary>
    public static bool Check(SpecField spec, JsonElement raw, out string value, out string problem)
    {
        value = "";
        problem = "";
        if (raw.ValueKind == JsonValueKind.Object)
        {
            if (!raw.TryGetProperty("value", out var inner))
            {
                problem = "Give { \"value\": ..., \"unit\": ... } or a plain value.";
                return false;
            }
            if (raw.TryGetProperty("unit", out var unit) && unit.ValueKind == JsonValueKind.String && unit.GetString() != spec.Unit)
            {
                problem = spec.Unit is null ? "This parameter has no unit." : $"Expected in {spec.Unit}, not {unit.GetString()}.";
                return false;
            }
            raw = inner;
        }
        return CheckText(spec, raw.ValueKind switch
        {
            JsonValueKind.Number => raw.GetRawText(),
            JsonValueKind.String => raw.GetString(),
            _ => null,
        }, out value, out problem);
    }

    /// <summary>Checks a value given as text (CSV import, or a JSON string).</summary>
    public static bool CheckText(SpecField spec, string? text, out string value, out string problem)
    {
        value = "";
        problem = "";
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            problem = "A value is required.";
            return false;
        }
        if (spec.Type == SpecField.Enum)
        {
            var option = spec.Options?.FirstOrDefault(o => string.Equals(o, text, StringComparison.OrdinalIgnoreCase));
            if (option is null)
            {
                problem = $"One of {string.Join(", ", spec.Options ?? [])}.";
                return false;
            }
            value = option;
            return true;
        }
        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || !Decimals.Fits(number, 4))
        {
            problem = $"A number in {spec.Unit} with at most 4 decimals.";
            return false;
        }
        if (number < spec.Min || number > spec.Max)
        {
            problem = $"Between {spec.Min?.ToString(CultureInfo.InvariantCulture)} and {spec.Max?.ToString(CultureInfo.InvariantCulture)} {spec.Unit}.";
            return false;
        }
        value = Decimals.Normalize(number).ToString(CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>Stored spec values as the API returns them: numbers as numbers, options as strings.</summary>
    public static Dictionary<string, object> ToResponse(SpecSchema schema, IReadOnlyDictionary<string, string> specs) =>
        specs.ToDictionary(
            s => s.Key,
            s => schema.FirstOrDefault(f => f.Key == s.Key)?.Type == SpecField.Number
                && decimal.TryParse(s.Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
                    ? (object)number
                    : s.Value,
            StringComparer.Ordinal);
}
