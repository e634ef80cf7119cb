using System.Globalization;
using Scoda.Market.Search;

namespace Scoda.Market.Web.Features.BuyRequests;

/// <summary>One reason a listing matches: a stable <c>code</c> with <c>params</c> for clients to render, and the English <c>text</c>.</summary>
public sealed record MatchReason(string Code, IReadOnlyDictionary<string, string> Params, string Text);

/// <summary>A match's reasons as stored (a JSON column).</summary>
public sealed class MatchReasons : List<MatchReason>
{
    public MatchReasons() { }

    public MatchReasons(IEnumerable<MatchReason> reasons) : base(reasons) { }
}

/// <summary>The verdict on a listing for a buy request: whether it qualifies, a 0–100 score and reasons a trader reads.</summary>
public sealed record MatchVerdict(bool Qualifies, int Score, IReadOnlyList<MatchReason> Reasons);

/// <summary>
/// Scores a listing against a buy request. A stated spec outside the requested range disqualifies; everything else
/// weighs in: specs 40, Incoterm and place 20, price against target 25, quantity 15.
/// </summary>
public static class MatchScorer
{
    /// <param name="units">Spec units by key (from the category schema), so reasons read "protein 12.5% within 12–14".</param>
    public static MatchVerdict Score(BuyRequest request, ListingDocument listing, IReadOnlyDictionary<string, string?> units)
    {
        var reasons = new List<MatchReason>();
        double score = 0;

        // Specs (40): every requested range the listing states and meets counts fully; unstated ones half.
        var specPoints = 0.0;
        foreach (var (key, range) in request.SpecRanges)
        {
            var unit = units.GetValueOrDefault(key) ?? "";
            if (listing.NumericSpecs.TryGetValue(key, out var value))
            {
                var parameters = RangeParams(range, ("key", key), ("value", Format(value)), ("unit", unit));
                if ((range.Min is { } min && value < min) || (range.Max is { } max && value > max))
                {
                    return new MatchVerdict(false, 0, [new("spec_outside", parameters, $"spec {key} {WithUnit(value, unit)} outside {RangeText(range)}")]);
                }
                specPoints += 1;
                reasons.Add(new("spec_within", parameters, $"spec {key} {WithUnit(value, unit)} within {RangeText(range)}"));
            }
            else if (listing.TextSpecs.TryGetValue(key, out var option))
            {
                var parameters = Params(("key", key), ("option", option), ("options", string.Join("/", range.Options ?? [])));
                if (range.Options is { Count: > 0 } options && !options.Contains(option, StringComparer.OrdinalIgnoreCase))
                {
                    return new MatchVerdict(false, 0, [new("spec_not_among", parameters, $"spec {key} {option} not among {string.Join("/", options)}")]);
                }
                specPoints += 1;
                reasons.Add(new("spec_as_requested", parameters, $"spec {key} {option} as requested"));
            }
            else
            {
                specPoints += 0.5;
                reasons.Add(new("spec_not_stated", Params(("key", key)), $"spec {key} not stated"));
            }
        }
        score += request.SpecRanges.Count == 0 ? 40 : 40 * specPoints / request.SpecRanges.Count;

        // Incoterm and place (20).
        var samePlace = string.Equals(listing.NamedPlace.Trim(), request.NamedPlace.Trim(), StringComparison.OrdinalIgnoreCase);
        var place = Params(("incoterm", listing.Incoterm), ("place", listing.NamedPlace), ("askedIncoterm", request.Incoterm), ("askedPlace", request.NamedPlace));
        if (listing.Incoterm == request.Incoterm && samePlace)
        {
            score += 20;
            reasons.Add(new("place_matches", place, $"{request.Incoterm} {request.NamedPlace} matches"));
        }
        else if (listing.Incoterm == request.Incoterm)
        {
            score += 10;
            reasons.Add(new("place_differs", place, $"{request.Incoterm}, but at {listing.NamedPlace} rather than {request.NamedPlace}"));
        }
        else
        {
            reasons.Add(new("incoterm_differs", place, $"offered {listing.Incoterm} {listing.NamedPlace}, asked {request.Incoterm} {request.NamedPlace}"));
        }

        // Price (25): full at or below target, falling to nothing at 30 % above.
        if (listing.PriceUsd is { } price && request.TargetUsd is { } target && target > 0)
        {
            var difference = (price - target) / target * 100m;
            var rounded = Math.Round(Math.Abs(difference), 0);
            var percent = Params(("percent", Format(rounded)));
            reasons.Add(rounded == 0 ? new("price_matches", Params(), "price matches target")
                : difference > 0 ? new("price_above", percent, $"price {Format(rounded)}% above target")
                : new("price_below", percent, $"price {Format(rounded)}% below target"));
            score += difference <= 0 ? 25 : Math.Max(0, 25 * (1 - ((double)difference / 30)));
        }
        else
        {
            score += 10;
            reasons.Add(new("price_not_comparable", Params(), "price not comparable"));
        }

        // Quantity (15): stock on hand or the offered quantity against the requested quantity.
        var offered = listing.Available > 0 ? listing.Available : listing.Quantity;
        var cover = request.Quantity > 0 ? Math.Min(1m, offered / request.Quantity) : 1m;
        score += 15 * (double)cover;
        var quantity = Params(("quantity", Format(request.Quantity)), ("unit", request.QuantityUnit), ("percent", Format(Math.Round(cover * 100, 0))));
        reasons.Add(cover >= 1
            ? new("covers_full", quantity, $"covers the full {Format(request.Quantity)} {request.QuantityUnit}")
            : new("covers_part", quantity, $"covers {Format(Math.Round(cover * 100, 0))}% of {Format(request.Quantity)} {request.QuantityUnit}"));

        if (request.OriginCountries.Count > 0)
        {
            reasons.Add(new("origin", Params(("country", listing.OriginCountry)), $"origin {listing.OriginCountry}"));
        }
        if (listing.SellerVerified)
        {
            reasons.Add(new("verified_seller", Params(), "verified seller"));
        }
        return new MatchVerdict(true, (int)Math.Round(score), reasons);
    }

    static Dictionary<string, string> Params(params (string Key, string Value)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    static Dictionary<string, string> RangeParams(SpecRange range, params (string Key, string Value)[] values)
    {
        var parameters = Params(values);
        if (range.Min is { } min)
        {
            parameters["min"] = Format(min);
        }
        if (range.Max is { } max)
        {
            parameters["max"] = Format(max);
        }
        return parameters;
    }

    static string RangeText(SpecRange range) => range switch
    {
        { Min: { } min, Max: { } max } => $"{Format(min)}–{Format(max)}",
        { Min: { } min } => $"≥ {Format(min)}",
        { Max: { } max } => $"≤ {Format(max)}",
        _ => string.Join("/", range.Options ?? []),
    };

    static string WithUnit(decimal value, string unit) => unit switch
    {
        "" => Format(value),
        "%" => $"{Format(value)}%",
        _ => $"{Format(value)} {unit}",
    };

    static string Format(decimal value) => Infrastructure.Domain.Decimals.Normalize(value).ToString(CultureInfo.InvariantCulture);
}
