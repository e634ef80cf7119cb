using System.Collections.Frozen;

namespace Scoda.Market.Web.Infrastructure.Domain;

/// <summary>An amount in an ISO 4217 currency. Always <see cref="decimal"/>, never a binary float.</summary>
public readonly record struct Money(decimal Amount, string Currency)
{
    public override string ToString() => $"{Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)} {Currency}";
}

/// <summary>A price per unit of quantity, e.g. 245.50 USD per t.</summary>
public readonly record struct UnitPrice(decimal Amount, string Currency, string Unit);

/// <summary>The currencies the platform quotes and keeps FX rates for.</summary>
public static class Currencies
{
    public const string Usd = "USD";
    public const string Cny = "CNY";

    /// <summary>US dollar, yuan, the SCO members' and partners' currencies the demonstration area trades in, and euro.</summary>
    public static readonly FrozenSet<string> Supported =
        new[] { "USD", "CNY", "RUB", "KZT", "UZS", "KGS", "TJS", "INR", "PKR", "BYN", "EUR" }.ToFrozenSet(StringComparer.Ordinal);

    public static bool TryParse(string? text, out string currency)
    {
        currency = text?.Trim().ToUpperInvariant() ?? "";
        return Supported.Contains(currency);
    }
}

/// <summary>Decimal checks shared by every amount and quantity the API accepts.</summary>
public static class Decimals
{
    /// <summary>Storage keeps six decimal places (SQLite as scaled integers, PostgreSQL as numeric(18,6)).</summary>
    public const int StoredScale = 6;

    /// <summary>The largest magnitude storage keeps exactly: 10^12 − 1, with six decimals.</summary>
    public const decimal MaxMagnitude = 999_999_999_999m;

    public static int ScaleOf(decimal value) => (decimal.GetBits(value)[3] >> 16) & 0xFF;

    /// <summary>Drops trailing zeros: 12.345000 becomes 12.345, so values read back look as they were written.</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

    public static bool Fits(decimal value, int maxDecimals) =>
        Math.Abs(value) <= MaxMagnitude && ScaleOf(Normalize(value)) <= maxDecimals;
}
