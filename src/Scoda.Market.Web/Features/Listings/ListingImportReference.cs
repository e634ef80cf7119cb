using System.Globalization;
using System.Text;
using System.Text.Json;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Csv;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Listings;

public sealed record ReferenceSpec(
    string Key, LocalizedText Label, string Type, string? Unit, decimal? Min, decimal? Max, bool Required, IReadOnlyList<string> Options);

public sealed record ReferenceCategory(string Key, string Group, LocalizedText Name, string HsCode, string Unit, IReadOnlyList<ReferenceSpec> Specs);

public sealed record ReferenceIncoterm(string Code, bool SeaOnly);

public sealed record ReferenceCertificates(bool FreeText, int MaxCount, int MaxLength, string Separator);

/// <summary>Every code the CSV import accepts, read from where each is defined (taxonomy, Incoterms, payment terms, units, …).</summary>
public sealed record ImportReference(
    IReadOnlyList<string> Columns, IReadOnlyList<ReferenceCategory> Categories, IReadOnlyList<string> PaymentTerms, IReadOnlyList<ReferenceIncoterm> Incoterms,
    IReadOnlyList<string> DeliveryModes, IReadOnlyList<string> Units, IReadOnlyList<string> Currencies, IReadOnlyList<string> Packagings,
    ReferenceCertificates Certificates);

/// <summary>
/// What a seller needs to fill the import CSV: <c>GET /api/listings/import/reference</c> (JSON, or <c>.csv</c>) lists every
/// code, and the template carries one example row per commodity group that imports as it is.
/// </summary>
public static class ListingImportReference
{
    public static ImportReference Build()
    {
        var categories = TaxonomyFile.Categories;
        var byId = categories.ToDictionary(c => c.Id);
        return new ImportReference(
            ListingImport.Columns,
            categories.Where(c => c.IsLeaf).Select(c => new ReferenceCategory(
                c.Key, GroupOf(c, byId).Key, c.Name, c.HsCode!, c.Unit!,
                c.Specs.Select(s => new ReferenceSpec(s.Key, s.Label, s.Type, s.Unit, s.Min, s.Max, s.Required, s.Options ?? [])).ToList())).ToList(),
            [.. PaymentTerms.All.Order(StringComparer.Ordinal)],
            [.. Infrastructure.Domain.Incoterms.AnyMode.Order(StringComparer.Ordinal).Select(c => new ReferenceIncoterm(c, false)),
                .. Infrastructure.Domain.Incoterms.SeaOnly.Order(StringComparer.Ordinal).Select(c => new ReferenceIncoterm(c, true))],
            DeliveryModes,
            [.. Infrastructure.Domain.Units.All.Order(StringComparer.Ordinal)],
            [.. Infrastructure.Domain.Currencies.Supported.Order(StringComparer.Ordinal)],
            [.. ListingRules.Packagings.Order(StringComparer.Ordinal)],
            new ReferenceCertificates(true, ListingRules.MaxCertificates, ListingRules.MaxCertificateLength, ";"));
    }

    /// <summary>Delivery modes as the CSV writes them (<c>inland_waterway</c>).</summary>
    static IReadOnlyList<string> DeliveryModes => Enum.GetNames<DeliveryMode>().Select(JsonNamingPolicy.SnakeCaseLower.ConvertName).ToList();

    /// <summary>The reference as one CSV table: a row per code, its kind first.</summary>
    public static string ToCsv(ImportReference reference)
    {
        var csv = new StringBuilder("kind,code,group,name_en,name_ru,name_zh,hs_code,unit,min,max,required,options\n");
        void Row(params string?[] cells) => csv.AppendJoin(',', cells.Select(CsvWriter.Field)).Append('\n');
        foreach (var c in reference.Categories)
        {
            Row("category", c.Key, c.Group, c.Name.GetValueOrDefault("en"), c.Name.GetValueOrDefault("ru"), c.Name.GetValueOrDefault("zh"), c.HsCode, c.Unit, null, null, null, null);
            foreach (var s in c.Specs)
            {
                Row("spec", s.Key, c.Key, s.Label.GetValueOrDefault("en"), s.Label.GetValueOrDefault("ru"), s.Label.GetValueOrDefault("zh"), null, s.Unit,
                    Number(s.Min), Number(s.Max), s.Required ? "yes" : "no", string.Join(';', s.Options));
            }
        }
        foreach (var term in reference.PaymentTerms)
        {
            Row("payment_term", term);
        }
        foreach (var incoterm in reference.Incoterms)
        {
            Row("incoterm", incoterm.Code, incoterm.SeaOnly ? "sea_and_inland_waterway_only" : "any_mode");
        }
        foreach (var (kind, codes) in new[] { ("delivery_mode", reference.DeliveryModes), ("unit", reference.Units), ("currency", reference.Currencies), ("packaging", reference.Packagings) })
        {
            foreach (var code in codes)
            {
                Row(kind, code);
            }
        }
        Row("certificate", "", "free_text", $"Any name, at most {reference.Certificates.MaxLength} characters, at most {reference.Certificates.MaxCount}, separated by ';'");
        return csv.ToString();
    }

    /// <summary>The template: the header and one example row per commodity group (the group's first commodity), valid as written.</summary>
    public static string Template(DateTimeOffset now)
    {
        var categories = TaxonomyFile.Categories;
        var byId = categories.ToDictionary(c => c.Id);
        var csv = new StringBuilder(string.Join(',', ListingImport.Columns)).Append('\n');
        foreach (var leaf in categories.Where(c => c.IsLeaf).GroupBy(c => GroupOf(c, byId).Key).Select(g => g.First()))
        {
            var specs = string.Join(';', leaf.Specs.Where(s => s.Required).Select(s => $"{s.Key}={ExampleValue(s)}"));
            var unit = leaf.Unit!;
            var cells = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["category"] = leaf.Key,
                ["title_en"] = $"{leaf.Name.GetValueOrDefault("en")} (example)",
                ["title_ru"] = $"{leaf.Name.GetValueOrDefault("ru")} (пример)",
                ["hs_code"] = leaf.HsCode!,
                ["specs"] = specs,
                ["origin_country"] = "KZ",
                ["origin_region"] = "Kostanay region",
                ["quantity"] = "1000",
                ["quantity_unit"] = unit,
                ["min_order"] = "100",
                ["min_order_unit"] = unit,
                ["price"] = "250",
                ["currency"] = "USD",
                ["price_unit"] = unit,
                ["incoterm"] = "DAP",
                ["named_place"] = "Khorgos",
                ["delivery_mode"] = "rail",
                ["payment_terms"] = "tt_advance;lc_sight",
                ["lead_time_days"] = "14",
                ["certificates"] = "SGS",
                ["valid_until"] = now.UtcDateTime.Date.AddDays(90).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            };
            csv.AppendJoin(',', ListingImport.Columns.Select(c => CsvWriter.Field(cells.GetValueOrDefault(c)))).Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>The middle of a number spec's range (rounded to a tenth), or its first option.</summary>
    static string ExampleValue(SpecField spec) => spec.Type == SpecField.Number
        ? Number(Math.Round(((spec.Min ?? 0) + (spec.Max ?? spec.Min ?? 0)) / 2, 1))!
        : spec.Options is [var first, ..] ? first : "";

    static Category GroupOf(Category category, Dictionary<Guid, Category> byId)
    {
        // The commodity group is the second level of the tree (Agriculture › Grains): a root's child.
        var node = category;
        while (node.ParentId is { } parent && byId[parent].ParentId is not null)
        {
            node = byId[parent];
        }
        return node;
    }

    static string? Number(decimal? value) => value is { } v ? Decimals.Normalize(v).ToString(CultureInfo.InvariantCulture) : null;
}
