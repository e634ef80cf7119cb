namespace Scoda.Market.Search;

/// <summary>Which listings a text query matches: those with every word (the default), or those with some words but not all.</summary>
public enum WordMatch
{
    All,
    Some,
}

public enum ListingSort
{
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
}

/// <summary>A search over published listings. Filters combine with AND; values inside one filter with OR.</summary>
public sealed record ListingQuery
{
    /// <summary>Free text in any language; null or empty lists by the sort alone.</summary>
    public string? Text { get; init; }

    /// <summary>Category keys; a listing matches when any of them is on its category path (descendants included).</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    public string? HsCodePrefix { get; init; }
    public IReadOnlyList<string> Origins { get; init; } = [];
    public IReadOnlyList<string> Incoterms { get; init; } = [];
    public IReadOnlyList<string> WarehouseCountries { get; init; } = [];
    public IReadOnlyList<string> Certificates { get; init; } = [];

    /// <summary>Bounds on the normalized price per basis unit, in USD (the caller converts other currencies).</summary>
    public decimal? MinPriceUsd { get; init; }
    public decimal? MaxPriceUsd { get; init; }

    /// <summary>Minimum available stock, in the listing's quantity unit basis (t or m3).</summary>
    public decimal? MinAvailable { get; init; }

    public bool VerifiedOnly { get; init; }

    /// <summary>
    /// <see cref="WordMatch.Some"/>: the partial matches of a text of two or more words (at least one word, not all of
    /// them), ranked by how many words they have and in which fields; nothing for a text of one word.
    /// </summary>
    public WordMatch Words { get; init; } = WordMatch.All;
    public ListingSort Sort { get; init; } = ListingSort.Relevance;

    /// <summary>The position after which the page starts (from <see cref="SearchPage.Next"/>).</summary>
    public SearchCursor? After { get; init; }

    public int Limit { get; init; } = 20;

    public bool WithFacets { get; init; } = true;
}

/// <summary>search_after position: the last hit's sort value and its id as the tie-breaker.</summary>
/// <remarks><paramref name="Partial"/>: the position is among the partial matches that follow the full ones (see <see cref="ListingSearch"/>).</remarks>
public sealed record SearchCursor(ListingSort Sort, decimal Value, Guid Id, bool Partial = false);

public sealed record FacetCount(string Key, long Count);

public static class Facets
{
    public const string Category = "category";
    public const string Origin = "origin";
    public const string Incoterm = "incoterm";
    public const string WarehouseCountry = "warehouseCountry";
    public const string Certificate = "certificate";

    public static readonly IReadOnlyList<string> All = [Category, Origin, Incoterm, WarehouseCountry, Certificate];
}

/// <summary>One result: the document, its score (relevance sort) and highlighted snippets by field ("title.ru" ...).</summary>
public sealed record SearchHit(ListingDocument Document, double Score, IReadOnlyDictionary<string, string> Highlights)
{
    /// <summary>The listing has some of the query's words but not all (it follows the full matches).</summary>
    public bool Partial { get; init; }
}

/// <summary>
/// A page of results. <see cref="Total"/> is exact up to <see cref="SearchLimits.TrackTotalHits"/>; past that it is
/// that number and <see cref="TotalIsLowerBound"/> is true (as Elasticsearch's track_total_hits).
/// </summary>
public sealed record SearchPage(
    long Total, bool TotalIsLowerBound, IReadOnlyList<SearchHit> Hits, IReadOnlyDictionary<string, IReadOnlyList<FacetCount>> Facets, SearchCursor? Next)
{
    /// <summary>How many partial matches follow the full ones (see <see cref="ListingSearch"/>); 0 when none were looked for.</summary>
    public long PartialTotal { get; init; }
}

public static class SearchLimits
{
    public const int TrackTotalHits = 10_000;
    public const int MaxLimit = 100;
    public const int MaxQueryLength = 200;
}
