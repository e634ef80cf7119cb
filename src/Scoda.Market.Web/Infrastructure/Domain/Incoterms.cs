using System.Collections.Frozen;

namespace Scoda.Market.Web.Infrastructure.Domain;

/// <summary>How goods reach the named place; decides which Incoterms fit.</summary>
public enum DeliveryMode
{
    Sea,
    InlandWaterway,
    Rail,
    Road,
    Multimodal,
}

/// <summary>Incoterms 2020 rules.</summary>
public static class Incoterms
{
    /// <summary>Usable for any mode of transport.</summary>
    public static readonly FrozenSet<string> AnyMode = new[] { "EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Sea and inland waterway only (ICC Incoterms 2020): goods are delivered at or on board a vessel.</summary>
    public static readonly FrozenSet<string> SeaOnly = new[] { "FAS", "FOB", "CFR", "CIF" }.ToFrozenSet(StringComparer.Ordinal);

    public static bool TryParse(string? text, out string incoterm)
    {
        incoterm = text?.Trim().ToUpperInvariant() ?? "";
        return AnyMode.Contains(incoterm) || SeaOnly.Contains(incoterm);
    }

    /// <summary>False for a sea-only rule with a place reached by rail or road (Khorgos, Alashankou, the SCO trains).</summary>
    public static bool FitsMode(string incoterm, DeliveryMode mode) =>
        !SeaOnly.Contains(incoterm) || mode is DeliveryMode.Sea or DeliveryMode.InlandWaterway;
}

/// <summary>Payment terms used in commodity contracts.</summary>
public static class PaymentTerms
{
    public static readonly FrozenSet<string> All = new[]
    {
        "tt_advance", "tt_against_documents", "lc_sight", "lc_deferred", "cad", "dp",
    }.ToFrozenSet(StringComparer.Ordinal);
}
