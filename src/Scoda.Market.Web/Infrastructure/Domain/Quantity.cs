using System.Collections.Frozen;

namespace Scoda.Market.Web.Infrastructure.Domain;

/// <summary>An exact quantity with its unit: <c>{ "value": 12.345, "unit": "t" }</c>.</summary>
public readonly record struct Quantity(decimal Value, string Unit)
{
    public override string ToString() => $"{Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} {Unit}";
}

/// <summary>Units of quantity and every conversion between them: the one place that knows a tonne is 1000 kg.</summary>
public static class Units
{
    public const string Tonne = "t";
    public const string Kilogram = "kg";
    public const string CubicMetre = "m3";
    public const string Bag = "bag";

    /// <summary>Quantities keep three decimals: a kilogram of a tonne, a litre of a cubic metre.</summary>
    public const int QuantityDecimals = 3;

    // Size of each unit in its dimension's base (kg for mass, m3 for volume). Bags have no fixed size.
    static readonly FrozenDictionary<string, (string Dimension, decimal Size)> Known = new Dictionary<string, (string, decimal)>
    {
        [Tonne] = ("mass", 1000m),
        [Kilogram] = ("mass", 1m),
        [CubicMetre] = ("volume", 1m),
        [Bag] = ("count", 1m),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IReadOnlyCollection<string> All => Known.Keys;

    public static bool IsKnown(string? unit) => unit is not null && Known.ContainsKey(unit);

    public static bool CanConvert(string from, string to) =>
        Known.TryGetValue(from, out var a) && Known.TryGetValue(to, out var b) && a.Dimension == b.Dimension && a.Dimension != "count";

    /// <summary>Converts a quantity; false when the units measure different things (or bags, whose size varies).</summary>
    public static bool TryConvert(decimal value, string from, string to, out decimal converted)
    {
        converted = 0;
        if (from == to && Known.ContainsKey(from))
        {
            converted = value;
            return true;
        }
        if (!CanConvert(from, to))
        {
            return false;
        }
        converted = value * Known[from].Size / Known[to].Size;
        return true;
    }

    /// <summary>A price per <paramref name="from"/> expressed per <paramref name="to"/> (per kg → per t multiplies by 1000).</summary>
    public static bool TryConvertPrice(decimal pricePerFrom, string from, string to, out decimal pricePerTo)
    {
        pricePerTo = 0;
        if (!TryConvert(1m, to, from, out var fromPerTo))
        {
            return false;
        }
        pricePerTo = pricePerFrom * fromPerTo;
        return true;
    }
}
