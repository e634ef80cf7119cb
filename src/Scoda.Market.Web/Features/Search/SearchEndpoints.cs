using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Search;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.FxRates;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Search;

public sealed record SearchSeller(Guid Id, string Name, bool Verified);

public sealed record SearchCategory(string Key, IReadOnlyDictionary<string, string> Name);

/// <summary>
/// One result. <c>Quantity</c> is what the listing offers, <c>Available</c> what is in stock now (on hand − reserved) and
/// <c>Reserved</c> what buyers hold; <c>Partial</c> marks a listing that has only some of the query's words.
/// </summary>
public sealed record SearchItem(
    Guid Id, IReadOnlyDictionary<string, string> Title, IReadOnlyDictionary<string, string> Headline, string? Snippet,
    IReadOnlyDictionary<string, string> Highlights, PriceResponse Price,
    NormalizedPriceResponse? NormalizedPrice, Quantity Quantity, Quantity Available, Quantity Reserved, bool Partial, string OriginCountry, string Incoterm,
    string NamedPlace, SearchCategory Category, SearchSeller Seller, IReadOnlyList<string> Warehouses, IReadOnlyList<string> Certificates, DateTimeOffset PublishedAt);

public sealed record FacetValue(string Key, string Label, long Count);

/// <summary>
/// A page of results. <c>Total</c> counts the full matches; <c>PartialTotal</c> the partial ones that follow them. A search
/// that found nothing offers a way on: <c>NoResults</c>.
/// </summary>
public sealed record SearchResponse(
    long Total, bool TotalIsLowerBound, long PartialTotal, IReadOnlyList<SearchItem> Items, IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Facets,
    string? NextCursor, NoResultsHelp? NoResults);

/// <summary>
/// What to try when nothing matched: a spelling suggestion (null when none), the filters set that could be dropped (query
/// parameter names), and a buy request prefilled from the query (for <c>POST /api/buy-requests</c>).
/// </summary>
public sealed record NoResultsHelp(string? Suggestion, IReadOnlyList<string> DropFilters, BuyRequestDraft BuyRequest);

/// <summary>The fields of a buy request that a search's query fills: the category when one was chosen, origins, the text as the note.</summary>
public sealed record BuyRequestDraft(string? CategoryKey, IReadOnlyList<string> OriginCountries, string? Incoterm, string? Note);

public static class SearchEndpoints
{
    static readonly JsonSerializerOptions CursorJson = new(JsonSerializerDefaults.Web);

    /// <summary>The least stock that counts as "in stock" (the index keeps quantities to three decimals).</summary>
    const decimal InStockMinimum = 0.001m;

    public static IEndpointRouteBuilder MapSearchEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/search").WithTags("Search").AllowAnonymous();
        api.MapGet("/listings", SearchListings).WithName("SearchListings");
        api.MapGet("/suggest", Suggest).WithName("SuggestSearch");
        return app;
    }

    /// <summary>The query string of <c>GET /api/search/listings</c>; repeated parameters are lists.</summary>
    public sealed record SearchParameters(
        string? Q, string[]? Category, string? HsCode, string[]? Origin, string[]? Incoterm, string[]? WarehouseCountry, string[]? Certificate,
        decimal? MinPrice, decimal? MaxPrice, string? PriceCurrency, decimal? MinQuantity, bool? VerifiedOnly, string? Sort, string? Cursor,
        int? Limit, string? Lang, string[]? Facets, bool? InStock = null);

    static async Task<Results<Ok<SearchResponse>, ValidationProblem>> SearchListings(
        [AsParameters] SearchParameters p, IListingIndex index, MarketDbContext db, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        // The taxonomy only changes at start-up (reference data), so the shipped categories serve every request.
        var categories = TaxonomyFile.ByKey;
        var query = await ReadAsync(p, db, errors, ct);
        if (query is null)
        {
            return errors.ToProblem();
        }
        var page = await ListingSearch.SearchAsync(index, query, ct);
        var lang = p.Lang is "ru" or "zh" ? p.Lang : "en";
        var wanted = p.Facets is { Length: > 0 } f ? f.ToHashSet(StringComparer.Ordinal) : Scoda.Market.Search.Facets.All.ToHashSet();
        var facets = page.Facets.Where(x => wanted.Contains(x.Key)).ToDictionary(
            x => x.Key,
            x => (IReadOnlyList<FacetValue>)x.Value.Select(v => new FacetValue(v.Key, LabelOf(x.Key, v.Key, lang, categories), v.Count)).ToList());
        var items = page.Hits.Select(h => ToItem(h, lang, categories)).ToList();
        var help = page.Total == 0 && page.PartialTotal == 0 && query.After is null ? await NoResultsAsync(p, index, ct) : null;
        return TypedResults.Ok(new SearchResponse(page.Total, page.TotalIsLowerBound, page.PartialTotal, items, facets, page.Next is { } next ? Encode(next) : null, help));
    }

    static async Task<NoResultsHelp> NoResultsAsync(SearchParameters p, IListingIndex index, CancellationToken ct)
    {
        var set = new (string Name, bool IsSet)[]
        {
            ("category", p.Category is { Length: > 0 }), ("hsCode", p.HsCode is not null), ("origin", p.Origin is { Length: > 0 }),
            ("incoterm", p.Incoterm is { Length: > 0 }), ("warehouseCountry", p.WarehouseCountry is { Length: > 0 }),
            ("certificate", p.Certificate is { Length: > 0 }), ("minPrice", p.MinPrice is not null), ("maxPrice", p.MaxPrice is not null),
            ("minQuantity", p.MinQuantity is not null), ("verifiedOnly", p.VerifiedOnly == true), ("inStock", p.InStock == true),
        };
        var suggestion = string.IsNullOrWhiteSpace(p.Q) ? null : await index.SuggestSpellingAsync(p.Q, ct);
        var incoterm = p.Incoterm is [var one] && Incoterms.TryParse(one, out var code) ? code : null;
        var draft = new BuyRequestDraft(p.Category is [var category] ? category : null, (p.Origin ?? []).Select(o => o.ToUpperInvariant()).ToList(), incoterm,
            string.IsNullOrWhiteSpace(p.Q) ? null : p.Q.Trim());
        return new NoResultsHelp(suggestion, set.Where(f => f.IsSet).Select(f => f.Name).ToList(), draft);
    }

    static async Task<Ok<IReadOnlyList<string>>> Suggest(string? q, IListingIndex index, CancellationToken ct) =>
        TypedResults.Ok(string.IsNullOrWhiteSpace(q) || q.Length > SearchLimits.MaxQueryLength ? [] : await index.SuggestAsync(q, 8, ct));

    /// <summary>Validates the parameters into a query; unknown values are field errors, never an error from the engine.</summary>
    internal static async Task<ListingQuery?> ReadAsync(SearchParameters p, MarketDbContext db, ValidationErrors errors, CancellationToken ct)
    {
        var categories = TaxonomyFile.ByKey;
        errors.Check(p.Q is null || p.Q.Length <= SearchLimits.MaxQueryLength, "q", $"At most {SearchLimits.MaxQueryLength} characters.");
        foreach (var key in (p.Category ?? []).Where(k => !categories.ContainsKey(k)))
        {
            errors.Add("category", $"'{key}' is not a category key; see GET /api/categories.");
        }
        errors.Check(p.HsCode is null || (p.HsCode.Length is >= 2 and <= 10 && p.HsCode.All(char.IsAsciiDigit)), "hsCode", "2 to 10 digits (an HS prefix).");
        var origins = Codes(p.Origin, "origin", errors);
        var warehouses = Codes(p.WarehouseCountry, "warehouseCountry", errors);
        var incoterms = new List<string>();
        foreach (var term in p.Incoterm ?? [])
        {
            if (Incoterms.TryParse(term, out var code))
            {
                incoterms.Add(code);
            }
            else
            {
                errors.Add("incoterm", $"'{term}' is not an Incoterms 2020 rule.");
            }
        }
        errors.Check((p.Certificate ?? []).All(c => c.Length is > 0 and <= 60), "certificate", "Each between 1 and 60 characters.");
        errors.Check(p.MinPrice is null or >= 0, "minPrice", "Not negative.");
        errors.Check(p.MaxPrice is null or >= 0, "maxPrice", "Not negative.");
        errors.Check(p.MinPrice is null || p.MaxPrice is null || p.MinPrice <= p.MaxPrice, "maxPrice", "At least minPrice.");
        errors.Check(p.MinQuantity is null or >= 0, "minQuantity", "Not negative.");
        var currency = Currencies.Usd;
        errors.Check(p.PriceCurrency is null || Currencies.TryParse(p.PriceCurrency, out currency), "priceCurrency",
            $"One of {string.Join(", ", Currencies.Supported.Order(StringComparer.Ordinal))}.");
        var sort = p.Sort?.ToLowerInvariant() switch
        {
            null or "relevance" => ListingSort.Relevance,
            "price_asc" => ListingSort.PriceAsc,
            "price_desc" => ListingSort.PriceDesc,
            "newest" => ListingSort.Newest,
            _ => (ListingSort?)null,
        };
        errors.Check(sort is not null, "sort", "One of relevance, price_asc, price_desc, newest.");
        errors.Check(p.Limit is null or (>= 1 and <= SearchLimits.MaxLimit), "limit", $"Between 1 and {SearchLimits.MaxLimit}.");
        errors.Check(p.Lang is null or "en" or "ru" or "zh", "lang", "One of en, ru, zh.");
        foreach (var facet in (p.Facets ?? []).Where(f => !Scoda.Market.Search.Facets.All.Contains(f)))
        {
            errors.Add("facets", $"'{facet}' is not a facet. Facets: {string.Join(", ", Scoda.Market.Search.Facets.All)}.");
        }
        SearchCursor? after = null;
        if (p.Cursor is not null && (!TryDecode(p.Cursor, out after) || after!.Sort != sort))
        {
            errors.Add("cursor", "Not a cursor of this search; start again without one.");
        }
        if (!errors.IsValid)
        {
            return null;
        }

        // Prices are filtered on the normalized USD price; bounds in another currency convert at today's rate.
        decimal? ToUsd(decimal? amount, FxTable rates) => amount is { } a ? a / rates.PerUsd.GetValueOrDefault(currency, 1m) : null;
        var rates = currency == Currencies.Usd ? new FxTable(new Dictionary<string, decimal> { [Currencies.Usd] = 1m }) : await FxTable.LoadAsync(db, ct);
        return new ListingQuery
        {
            Text = string.IsNullOrWhiteSpace(p.Q) ? null : p.Q,
            Categories = p.Category ?? [],
            HsCodePrefix = p.HsCode,
            Origins = origins,
            Incoterms = incoterms,
            WarehouseCountries = warehouses,
            Certificates = p.Certificate ?? [],
            MinPriceUsd = ToUsd(p.MinPrice, rates),
            MaxPriceUsd = ToUsd(p.MaxPrice, rates),
            // In stock now: something available, at least the minimum quantity when one is asked for.
            MinAvailable = p.InStock == true ? Math.Max(p.MinQuantity ?? 0m, InStockMinimum) : p.MinQuantity,
            VerifiedOnly = p.VerifiedOnly ?? false,
            Sort = sort!.Value,
            After = after,
            Limit = p.Limit ?? 20,
            WithFacets = true,
        };
    }

    static List<string> Codes(string[]? values, string field, ValidationErrors errors)
    {
        var codes = new List<string>();
        foreach (var value in values ?? [])
        {
            if (CountryCode.TryParse(value, out var code))
            {
                codes.Add(code.Value);
            }
            else
            {
                errors.Add(field, $"'{value}' is not an ISO 3166-1 alpha-2 country code.");
            }
        }
        return codes;
    }

    static SearchItem ToItem(SearchHit hit, string lang, IReadOnlyDictionary<string, Category> categories)
    {
        var d = hit.Document;
        var highlights = hit.Highlights;
        // The snippet shows where the words were found beyond the title (which the item carries anyway): never the title again.
        var snippet = highlights.GetValueOrDefault($"description.{lang}") ?? highlights.FirstOrDefault(h => h.Key.StartsWith("description.", StringComparison.Ordinal)).Value;
        var category = categories.GetValueOrDefault(d.CategoryPath[^1]);
        return new SearchItem(
            d.Id, d.Title, d.Headline, snippet, highlights, new PriceResponse(d.PriceAmount, d.PriceCurrency, d.PriceUnit),
            NormalizedPriceResponse.Of(d.PriceUsd, d.PriceCny, d.BasisUnit),
            new Quantity(d.Quantity, d.QuantityUnit), new Quantity(d.Available, d.QuantityUnit), new Quantity(d.Reserved, d.QuantityUnit), hit.Partial, d.OriginCountry, d.Incoterm, d.NamedPlace,
            new SearchCategory(d.CategoryPath[^1], category?.Name ?? new LocalizedText()), new SearchSeller(d.SellerId, d.SellerName, d.SellerVerified),
            d.WarehouseCountries, d.Certificates, d.PublishedAt);
    }

    static string LabelOf(string facet, string key, string lang, IReadOnlyDictionary<string, Category> categories) =>
        facet == Scoda.Market.Search.Facets.Category && categories.TryGetValue(key, out var c) ? c.Name.GetValueOrDefault(lang) ?? c.Name.GetValueOrDefault("en") ?? key : key;

    static string Encode(SearchCursor cursor) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(cursor, CursorJson));

    static bool TryDecode(string text, out SearchCursor? cursor)
    {
        cursor = null;
        if (text.Length > 300)
        {
            return false;
        }
        try
        {
            cursor = JsonSerializer.Deserialize<SearchCursor>(Base64Url.DecodeFromChars(text), CursorJson);
            return cursor is not null && Enum.IsDefined(cursor.Sort);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return false;
        }
    }
}
