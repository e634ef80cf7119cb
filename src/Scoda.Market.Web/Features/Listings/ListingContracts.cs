using System.Text.Json;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Listings;

public sealed record QuantityInput(decimal? Value, string? Unit);

public sealed record PriceInput(decimal? Amount, string? Currency, string? Unit);

/// <summary>Body of <c>POST /api/listings</c> and <c>PUT /api/listings/{id}</c>; also what a CSV row is read into.</summary>
public sealed record ListingRequest(
    Guid? OrganizationId,
    Guid? CategoryId,
    Dictionary<string, string?>? Title,
    Dictionary<string, string?>? Description,
    string? HsCode,
    Dictionary<string, JsonElement>? Specs,
    string? OriginCountry,
    string? OriginRegion,
    QuantityInput? Quantity,
    QuantityInput? MinOrder,
    PriceInput? Price,
    string? Incoterm,
    string? NamedPlace,
    string? DeliveryMode,
    List<string>? PaymentTerms,
    string? Packaging,
    int? LeadTimeDays,
    List<string>? Certificates,
    DateTimeOffset? ValidUntil);

public sealed record PriceResponse(decimal Amount, string Currency, string Unit);

public sealed record NormalizedPriceResponse(PriceResponse Usd, PriceResponse Cny)
{
    /// <summary>The normalized prices per basis unit, or null when the price could not be normalized.</summary>
    public static NormalizedPriceResponse? Of(decimal? usd, decimal? cny, string basisUnit) =>
        usd is { } u && cny is { } c
            ? new(new PriceResponse(u, Infrastructure.Domain.Currencies.Usd, basisUnit), new PriceResponse(c, Infrastructure.Domain.Currencies.Cny, basisUnit))
            : null;
}

public sealed record SellerResponse(Guid Id, string Name, string CountryCode, bool Verified);

public sealed record CategoryRef(Guid Id, string Key, LocalizedText Name, string? Unit);

public sealed record ListingFileResponse(Guid Id, ListingFileKind Kind, string FileName, string ContentType, long Size, DateTimeOffset UploadedAt);

public sealed record ListingResponse(
    Guid Id,
    Guid OrganizationId,
    SellerResponse Seller,
    CategoryRef Category,
    ListingStatus Status,
    LocalizedText Title,
    LocalizedText Headline,
    LocalizedText Description,
    string HsCode,
    IReadOnlyDictionary<string, object> Specs,
    string OriginCountry,
    string? OriginRegion,
    Quantity Quantity,
    Quantity MinOrder,
    PriceResponse Price,
    NormalizedPriceResponse? NormalizedPrice,
    string Incoterm,
    string NamedPlace,
    DeliveryMode DeliveryMode,
    IReadOnlyList<string> PaymentTerms,
    string? Packaging,
    int LeadTimeDays,
    IReadOnlyList<string> Certificates,
    IReadOnlyList<ListingFileResponse> Files,
    DateTimeOffset ValidUntil,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PublishedAt);

/// <summary>A row of a listings list (my listings, an organization's listings).</summary>
public sealed record ListingSummary(
    Guid Id, ListingStatus Status, LocalizedText Title, Guid CategoryId, string OriginCountry, Quantity Quantity, PriceResponse Price,
    string Incoterm, string NamedPlace, DateTimeOffset ValidUntil, DateTimeOffset CreatedAt);

public sealed record PriceChangeResponse(decimal Amount, string Currency, string Unit, DateTimeOffset ChangedAt);

/// <summary>A row the import refused: the English messages by column, and each as a code with parameters (as in a 400's <c>fieldErrors</c>).</summary>
public sealed record ImportRejection(int Row, IDictionary<string, string[]> Errors)
{
    public IReadOnlyList<FieldError> FieldErrors => FieldErrorCodes.Describe(Errors);
}

public sealed record ImportResult(int Imported, IReadOnlyList<Guid> ListingIds, IReadOnlyList<ImportRejection> Rejected);
