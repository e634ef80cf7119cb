namespace Scoda.Market.Search;

/// <summary>
/// What the search index knows about one published listing. Only published listings are indexed: drafts, paused,
/// closed and expired listings are deleted from the index, so they can never appear in results or facet counts.
/// </summary>
public sealed record ListingDocument
{
    public required Guid Id { get; init; }
    public required Guid SellerId { get; init; }
    public required string SellerName { get; init; }
    public required bool SellerVerified { get; init; }

    /// <summary>The category and its ancestors' keys, root first (agriculture, grains, wheat).</summary>
    public required IReadOnlyList<string> CategoryPath { get; init; }

    /// <summary>Category names in every language, searched as text (so "小麦" finds a listing titled only in Russian).</summary>
    public required IReadOnlyList<string> CategoryNames { get; init; }

    public required string HsCode { get; init; }

    /// <summary>
    /// The headline built from the taxonomy in every interface language (en, ru, zh): commodity, key spec, origin. Searched
    /// as text, so a Chinese query finds a listing its seller titled only in Russian.
    /// </summary>
    public IReadOnlyDictionary<string, string> Headline { get; init; } = new Dictionary<string, string>();

    /// <summary>Title and description by language (en, ru, zh, kk, uz).</summary>
    public required IReadOnlyDictionary<string, string> Title { get; init; }
    public required IReadOnlyDictionary<string, string> Description { get; init; }

    public required string OriginCountry { get; init; }
    public string? OriginRegion { get; init; }
    public required string Incoterm { get; init; }
    public required string NamedPlace { get; init; }
    public required IReadOnlyList<string> WarehouseCountries { get; init; }
    public required IReadOnlyList<string> Certificates { get; init; }

    /// <summary>Normalized price per basis unit (t, or m3 for timber) in USD; null when it cannot be normalized.</summary>
    public decimal? PriceUsd { get; init; }
    public decimal? PriceCny { get; init; }
    public required string BasisUnit { get; init; }

    /// <summary>The price as the seller set it.</summary>
    public required decimal PriceAmount { get; init; }
    public required string PriceCurrency { get; init; }
    public required string PriceUnit { get; init; }

    public required decimal Quantity { get; init; }
    public required string QuantityUnit { get; init; }

    /// <summary>Stock available (on hand − reserved) across warehouses, in the quantity unit.</summary>
    public required decimal Available { get; init; }

    /// <summary>Stock held for buyers (reservations), in the quantity unit; on hand is available + reserved. Not searched.</summary>
    public decimal Reserved { get; init; }

    /// <summary>Spec values: numbers for number specs, text for options.</summary>
    public required IReadOnlyDictionary<string, decimal> NumericSpecs { get; init; }
    public required IReadOnlyDictionary<string, string> TextSpecs { get; init; }

    public required DateTimeOffset PublishedAt { get; init; }
}
