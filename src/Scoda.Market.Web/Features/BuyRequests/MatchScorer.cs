using System.Globalization;
using Scoda.Market.Search;

namespace Scoda.Market.Web.Features.BuyRequests;

/// <summary>The verdict on a listing for a buy request: whether it qualifies, a 0–100 score and reasons a trader reads.</summary>
public sealed record MatchVerdict(bool Qualifies, int Score, IReadOnlyList<string> Reasons);

/// <summary>
/// Scores a listing against a buy request. A stated spec outside the requested range disqualifies; everything else
/// weighs in: specs 40, Incoterm and place 20, price against target 25, quantity 15.
/// </summary>
public static class MatchScorer
{
    /// <param name="units">Spec units by key (from the category schema), so reasons read "protein 12.5% within 12–14".</param>
    public static MatchVerdict Score(BuyRequest request, ListingDocument listing, IReadOnlyDictionary<string, string?> units)
    {
        var reasons = new List<string>();
        double score = 0;

        // Specs (40): every requested range the listing states and meets counts fully; unstated ones half.
        var specPoints = 0.0;
        foreach (var (key, range) in request.SpecRanges)
        {
            if (listing.NumericSpecs.TryGetValue(key, out var value))
            {
                if ((range.Min is { } min && value < min) || (range.Max is { } max && value > max))
                {
                    return new MatchVerdict(false, 0, [$"spec {key} {WithUnit(value, units.GetValueOrDefault(key))} outside {RangeText(range)}"]);
                }
                specPoints += 1;
                reasons.Add($"spec {key} {WithUnit(value, units.GetValueOrDefault(key))} within {RangeText(range)}");
            }
            else if (listing.TextSpecs.TryGetValue(key, out var option))
            {
                if (range.Options is { Count: > 0 } options && !options.Contains(option, StringComparer.OrdinalIgnoreCase))
                {
                    return new MatchVerdict(false, 0, [$"spec {key} {option} not among {string.Join("/", options)}"]);
                }
                specPoints += 1;
                reasons.Add($"spec {key} {option} as requested");
            }
            else
            {
                specPoints += 0.5;
                reasons.Add($"spec {key} not stated");
            }
        }
        score += request.SpecRanges.Count == 0 ? 40 : 40 * specPoints / request.SpecRanges.Count;

        // Incoterm and place (20).
        var samePlace = string.Equals(listing.NamedPlace.Trim(), request.NamedPlace.Trim(), StringComparison.OrdinalIgnoreCase);
        if (listing.Incoterm == request.Incoterm && samePlace)
        {
            score += 20;
            reasons.Add($"{request.Incoterm} {request.NamedPlace} matches");
        }
        else if (listing.Incoterm == request.Incoterm)
        {
            score += 10;
            reasons.Add($"{request.Incoterm}, but at {listing.NamedPlace} rather than {request.NamedPlace}");
        }
        else
        {
            reasons.Add($"offered {listing.Incoterm} {listing.NamedPlace}, asked {request.Incoterm} {request.NamedPlace}");
        }

        // Price (25): full at or below target, falling to nothing at 30 % above.
        if (listing.PriceUsd is { } price && request.TargetUsd is { } target && target > 0)
        {
            var difference = (price - target) / target * 100m;
            var rounded = Math.Round(Math.Abs(difference), 0);
            reasons.Add(rounded == 0 ? "price matches target" : difference > 0 ? $"price {rounded}% above target" : $"price {rounded}% below target");
            score += difference <= 0 ? 25 : Math.Max(0, 25 * (1 - ((double)difference / 30)));
        }
        else
        {
            score += 10;
            reasons.Add("price not comparable");
        }

        // Quantity (15): stock on hand or the offered quantity against the requested quantity.
        var offered = listing.Available > 0 ? listing.Available : listing.Quantity;
        var cover = request.Quantity > 0 ? Math.Min(1m, offered / request.Quantity) : 1m;
        score += 15 * (double)cover;
        reasons.Add(cover >= 1 ? $"covers the full {Format(request.Quantity)} {request.QuantityUnit}" : $"covers {Math.Round(cover * 100, 0)}% of {Format(request.Quantity)} {request.QuantityUnit}");

        if (request.OriginCountries.Count > 0)
        {
            reasons.Add($"origin {listing.OriginCountry}");
        }
        if (listing.SellerVerified)
        {
            reasons.Add("verified seller");
        }
        return new MatchVerdict(true, (int)Math.Round(score), reasons);
    }

    static string RangeText(SpecRange range) => range switch
    {
        { Min: { } min, Max: { } max } => $"{Format(min)}–{Format(max)}",
        { Min: { } min } => $"≥ {Format(min)}",
        { Max: { } max } => $"≤ {Format(max)}",
        _ => string.Join("/", range.Options ?? []),
    };

    static string WithUnit(decimal value, string? unit) => unit switch
    {
        null or "" => Format(value),
        "%" => $"{Format(value)}%",
        _ => $"{Format(value)} {unit}",
    };

    static string Format(decimal value) => Infrastructure.Domain.Decimals.Normalize(value).ToString(CultureInfo.InvariantCulture);
}
