using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.Listings;

/// <summary>A listing request that passed every rule, with values normalized (upper-case codes, converted units).</summary>
public sealed record ListingFields(
    LocalizedText Title, LocalizedText Description, string HsCode, SpecValues Specs, string OriginCountry, string? OriginRegion,
    Quantity Quantity, Quantity MinOrder, UnitPrice Price, string Incoterm, string NamedPlace, DeliveryMode DeliveryMode,
    TextList PaymentTerms, string? Packaging, int LeadTimeDays, TextList Certificates, DateTimeOffset ValidUntil);

/// <summary>The rules a listing must meet, shared by the JSON endpoints and the CSV import.</summary>
[FeatureContract]
public static partial class ListingRules
{
    public static readonly FrozenSet<string> Packagings =
        new[] { "bulk", "bags", "big_bags", "containers", "flexitank", "bundles", "pallets", "drums" }.ToFrozenSet(StringComparer.Ordinal);

    public const int PriceDecimals = 4;
    public const int MaxTitleLength = 200;
    public const int MaxDescriptionLength = 5000;
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(366);

    public const int MaxCertificates = 20;
    public const int MaxCertificateLength = 60;

    /// <summary>Checks <paramref name="request"/> for a listing in <paramref name="category"/> (null: unknown category).</summary>
    public static ListingFields? Read(ListingRequest request, Category? category, DateTimeOffset now, ValidationErrors errors)
    {
        if (category is null)
        {
            errors.Add("categoryId", "Not a category; see GET /api/categories.");
        }
        else if (!category.IsLeaf)
        {
            errors.Add("categoryId", "Choose a commodity (a leaf of the taxonomy), not a group.");
        }
        var leaf = category is { IsLeaf: true } ? category : null;

        var title = Texts(request.Title, "title", MaxTitleLength, errors, required: true);
        var description = Texts(request.Description, "description", MaxDescriptionLength, errors, required: false);

        var hsCode = request.HsCode?.Replace(".", "", StringComparison.Ordinal).Trim() ?? leaf?.HsCode ?? "";
        if (!HsCodePattern().IsMatch(hsCode))
        {
            errors.Add("hsCode", "6 to 10 digits (the HS subheading, optionally with national digits).");
        }
        else if (leaf is not null && !hsCode.StartsWith(leaf.HsCode!, StringComparison.Ordinal))
        {
            errors.Add("hsCode", $"Does not match the category: {leaf.Name.GetValueOrDefault("en")} is HS {leaf.HsCode}.");
        }

        var specs = leaf is null ? new Dictionary<string, string>() : SpecValidation.Validate(leaf.Specs, request.Specs, errors, "specs");

        if (!CountryCode.TryParse(request.OriginCountry, out var origin))
        {
            errors.Add("originCountry", "An ISO 3166-1 alpha-2 country code.");
        }
        errors.Check(request.OriginRegion is null || request.OriginRegion.Length <= 100, "originRegion", "At most 100 characters.");

        var basis = leaf?.Unit;
        var quantity = ReadQuantity(request.Quantity, "quantity", basis, errors);
        var minOrder = ReadQuantity(request.MinOrder, "minOrder", basis, errors);
        if (quantity is { } q && minOrder is { } m && Units.TryConvert(m.Value, m.Unit, q.Unit, out var minInQuantityUnit))
        {
            errors.Check(minInQuantityUnit <= q.Value, "minOrder", "Cannot exceed the quantity offered.");
        }

        var price = ReadPrice(request.Price, basis, errors);

        var incotermOk = Incoterms.TryParse(request.Incoterm, out var incoterm);
        errors.Check(incotermOk, "incoterm", "An Incoterms 2020 rule: EXW, FCA, CPT, CIP, DAP, DPU, DDP, FAS, FOB, CFR or CIF.");
        var modeOk = EnumText.TryParse<DeliveryMode>(request.DeliveryMode?.Replace("_", "", StringComparison.Ordinal), out var mode);
        errors.Check(modeOk, "deliveryMode", "One of sea, inland_waterway, rail, road, multimodal.");
        if (incotermOk && modeOk && !Incoterms.FitsMode(incoterm, mode))
        {
            errors.Add("incoterm", $"{incoterm} is for sea and inland waterway transport only; for {request.DeliveryMode} use FCA, CPT, CIP, DAP, DPU or DDP.");
        }
        errors.RequireText(request.NamedPlace, "namedPlace", 120);

        var terms = request.PaymentTerms ?? [];
        errors.Check(terms.Count > 0, "paymentTerms", "At least one payment term.");
        foreach (var term in terms.Where(t => !PaymentTerms.All.Contains(t)))
        {
            errors.Add("paymentTerms", $"'{term}' is not one of {string.Join(", ", PaymentTerms.All.Order(StringComparer.Ordinal))}.");
        }
        errors.Check(terms.Distinct().Count() == terms.Count, "paymentTerms", "Each term once.");

        errors.Check(request.Packaging is null || Packagings.Contains(request.Packaging), "packaging",
            $"One of {string.Join(", ", Packagings.Order(StringComparer.Ordinal))}.");
        errors.Check(request.LeadTimeDays is null or (>= 0 and <= 365), "leadTimeDays", "Between 0 and 365 days.");

        var certificates = (request.Certificates ?? []).Select(c => c.Trim()).ToList();
        errors.Check(certificates.Count <= MaxCertificates, "certificates", $"At most {MaxCertificates}.");
        errors.Check(certificates.All(c => c.Length is > 0 and <= MaxCertificateLength), "certificates", $"Each between 1 and {MaxCertificateLength} characters.");

        errors.Check(request.ValidUntil is { } until && until > now && until <= now + MaxValidity, "validUntil",
            "A moment in the future, at most a year ahead.");

        if (!errors.IsValid)
        {
            return null;
        }
        return new ListingFields(
            title, description, hsCode, new SpecValues(specs), origin.Value, string.IsNullOrWhiteSpace(request.OriginRegion) ? null : request.OriginRegion.Trim(),
            quantity!.Value, minOrder!.Value, price!.Value, incoterm, request.NamedPlace!.Trim(), mode,
            new TextList(terms), request.Packaging, request.LeadTimeDays ?? 0, new TextList(certificates.Distinct(StringComparer.OrdinalIgnoreCase)),
            request.ValidUntil!.Value.ToUniversalTime());
    }

    internal static LocalizedText Texts(Dictionary<string, string?>? texts, string field, int maxLength, ValidationErrors errors, bool required)
    {
        var result = new LocalizedText();
        foreach (var (language, text) in texts ?? [])
        {
            if (!LocalizedText.Languages.Contains(language))
            {
                errors.Add($"{field}.{language}", $"Languages: {string.Join(", ", LocalizedText.Languages)}.");
            }
            else if (!string.IsNullOrWhiteSpace(text))
            {
                errors.Check(text.Length <= maxLength, $"{field}.{language}", $"At most {maxLength} characters.");
                result[language] = text.Trim();
            }
        }
        errors.Check(!required || result.Keys.Any(k => k is "en" or "ru" or "zh"), field, "Write it in at least one of English, Russian or Chinese.");
        return result;
    }

    /// <summary>A positive quantity in a unit that converts to <paramref name="basis"/> (the commodity's unit).</summary>
    internal static Quantity? ReadQuantity(QuantityInput? input, string field, string? basis, ValidationErrors errors)
    {
        var ok = true;
        if (input?.Value is not { } value || value <= 0 || !Decimals.Fits(value, Units.QuantityDecimals))
        {
            errors.Add($"{field}.value", $"A positive quantity with at most {Units.QuantityDecimals} decimals.");
            ok = false;
        }
        if (!Units.IsKnown(input?.Unit))
        {
            errors.Add($"{field}.unit", $"One of {string.Join(", ", Units.All)}.");
            ok = false;
        }
        else if (basis is not null && !Units.CanConvert(input!.Unit!, basis))
        {
            errors.Add($"{field}.unit", $"This commodity trades in {basis}; use a unit that converts to it.");
            ok = false;
        }
        return ok ? new Quantity(input!.Value!.Value, input.Unit!) : null;
    }

    /// <summary>A positive price per a unit that converts to <paramref name="basis"/>, in a supported currency.</summary>
    internal static UnitPrice? ReadPrice(PriceInput? input, string? basis, ValidationErrors errors, string field = "price")
    {
        var ok = true;
        if (input?.Amount is not { } amount || amount <= 0 || !Decimals.Fits(amount, PriceDecimals))
        {
            errors.Add($"{field}.amount", $"A positive amount with at most {PriceDecimals} decimals.");
            ok = false;
        }
        if (!Currencies.TryParse(input?.Currency, out var currency))
        {
            errors.Add($"{field}.currency", $"One of {string.Join(", ", Currencies.Supported.Order(StringComparer.Ordinal))}.");
            ok = false;
        }
        if (!Units.IsKnown(input?.Unit) || (basis is not null && !Units.CanConvert(input!.Unit!, basis)))
        {
            errors.Add($"{field}.unit", basis is null ? "A unit of quantity." : $"Per {basis} or a unit that converts to it.");
            ok = false;
        }
        return ok ? new UnitPrice(input!.Amount!.Value, currency, input.Unit!) : null;
    }

    [GeneratedRegex(@"^\d{6,10}$")]
    private static partial Regex HsCodePattern();
}
