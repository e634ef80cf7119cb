using System.Globalization;
using System.Text;
using System.Text.Json;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Taxonomy;

/// <summary>
/// A listing's structured headline in every interface language, built from the taxonomy rather than from the seller's
/// own title: commodity name, the schema's key spec with its label and unit (numbers written as the language writes
/// them), origin region and country. "Wheat (common, milling), protein 14.7 % — Kostanay region, Kazakhstan".
/// </summary>
[FeatureContract]
public static class Headlines
{
    /// <summary>The interface languages a headline is built in.</summary>
    public static readonly IReadOnlyList<string> Languages = ["en", "ru", "zh"];

    /// <summary>The headline of a listing of <paramref name="category"/> with these spec values (invariant text) and origin.</summary>
    public static LocalizedText Of(Category category, IReadOnlyDictionary<string, string> specs, string originCountry, string? originRegion)
    {
        ArgumentNullException.ThrowIfNull(category);
        ArgumentNullException.ThrowIfNull(specs);
        var key = KeySpec(category.Specs, specs);
        var region = Gazetteer.Region(originCountry, originRegion);
        var country = Gazetteer.Country(originCountry);
        var headline = new LocalizedText();
        foreach (var lang in Languages)
        {
            var text = new StringBuilder(category.Name.GetValueOrDefault(lang) ?? category.Name.GetValueOrDefault("en") ?? category.Key);
            if (key is var (field, value))
            {
                text.Append(lang == "zh" ? "，" : ", ").Append(SpecText(field, value, lang));
            }
            var countryName = country?.GetValueOrDefault(lang) ?? originCountry;
            var regionName = region?.GetValueOrDefault(lang) ?? originRegion?.Trim();
            text.Append(" — ");
            if (string.IsNullOrEmpty(regionName))
            {
                text.Append(countryName);
            }
            else
            {
                // Chinese names the country first, as an address does: 哈萨克斯坦 科斯塔奈州.
                text.Append(lang == "zh" ? $"{countryName} {regionName}" : $"{regionName}, {countryName}");
            }
            headline[lang] = text.ToString();
        }
        return headline;
    }

    /// <summary>The spec a trader reads first: the first required number of the schema the listing has, else its first required option.</summary>
    static (SpecField, string)? KeySpec(SpecSchema schema, IReadOnlyDictionary<string, string> specs)
    {
        var field = schema.FirstOrDefault(f => f.Required && f.Type == SpecField.Number && specs.ContainsKey(f.Key))
            ?? schema.FirstOrDefault(f => f.Required && f.Type == SpecField.Enum && specs.ContainsKey(f.Key));
        return field is null ? null : (field, specs[field.Key]);
    }

    static string SpecText(SpecField field, string value, string lang)
    {
        var label = ShortLabel(field.Label.GetValueOrDefault(lang) ?? field.Label.GetValueOrDefault("en") ?? field.Key, lang);
        if (field.Type != SpecField.Number || !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number))
        {
            return $"{label} {value}";
        }
        var digits = Decimals.Normalize(number).ToString(CultureInfo.InvariantCulture);
        if (lang == "ru")
        {
            digits = digits.Replace('.', ',');
        }
        var unit = field.Unit is null ? "" : Gazetteer.UnitLabel(field.Unit, lang);
        return unit.Length == 0 ? $"{label} {digits}" : lang == "zh" ? $"{label} {digits}{unit}" : $"{label} {digits} {unit}";
    }

    /// <summary>"Protein (dry basis)" reads "protein" inside a headline; acronyms ("SO2", "Fe") keep their capitals.</summary>
    static string ShortLabel(string label, string lang)
    {
        var cut = label.IndexOfAny(['(', '（']);
        var text = (cut > 0 ? label[..cut] : label).Trim();
        if (lang != "zh" && text.Length > 1 && char.IsUpper(text[0]) && char.IsLower(text[1]))
        {
            text = char.ToLower(text[0], lang == "ru" ? CultureInfo.GetCultureInfo("ru") : CultureInfo.InvariantCulture) + text[1..];
        }
        return text;
    }
}

/// <summary>
/// The main producing regions of the SCO countries and the countries' names in EN/RU/ZH, from <c>gazetteer.json</c>
/// (each entry cites its source). Region text the gazetteer does not know is shown as the seller wrote it.
/// </summary>
[FeatureContract]
public static class Gazetteer
{
    sealed record Entry(string Country, string? Iso, LocalizedText Name, List<string>? Aliases, string Source);

    sealed record CountryEntry(string Code, LocalizedText Name, string Source);

    sealed record Units(Dictionary<string, LocalizedText>? SpecUnits);

    sealed record Document(List<CountryEntry> Countries, List<Entry> Regions);

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    static readonly Lazy<(Dictionary<string, LocalizedText> Countries, Dictionary<(string, string), LocalizedText> Regions)> Data = new(() =>
    {
        var document = JsonSerializer.Deserialize<Document>(TaxonomyFile.Resource("gazetteer.json"), Json)
            ?? throw new InvalidOperationException("gazetteer.json is empty.");
        var regions = new Dictionary<(string, string), LocalizedText>();
        foreach (var entry in document.Regions)
        {
            foreach (var name in entry.Name.Values.Concat(entry.Aliases ?? []))
            {
                regions.TryAdd((entry.Country, Normalize(name)), entry.Name);
            }
        }
        return (document.Countries.ToDictionary(c => c.Code, c => c.Name, StringComparer.Ordinal), regions);
    });

    static readonly Lazy<Dictionary<string, LocalizedText>> UnitLabels = new(() =>
        JsonSerializer.Deserialize<Units>(TaxonomyFile.Resource("taxonomy.json"), Json)?.SpecUnits ?? []);

    /// <summary>The country's name in every interface language, or null for a country the gazetteer does not list.</summary>
    public static LocalizedText? Country(string code) => Data.Value.Countries.GetValueOrDefault(code.ToUpperInvariant());

    /// <summary>The region's names when the text (a name or alias in any language, case and spacing aside) is a known region of that country.</summary>
    public static LocalizedText? Region(string country, string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : Data.Value.Regions.GetValueOrDefault((country.ToUpperInvariant(), Normalize(text)));

    /// <summary>A spec unit as the language writes it ("kg/hl" is "кг/гл" in Russian); the symbol itself when no label is known.</summary>
    public static string UnitLabel(string unit, string lang) =>
        UnitLabels.Value.TryGetValue(unit, out var labels) ? labels.GetValueOrDefault(lang) ?? unit : unit;

    static string Normalize(string text) => string.Join(' ', text.Trim().ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Replace('ё', 'е');
}
