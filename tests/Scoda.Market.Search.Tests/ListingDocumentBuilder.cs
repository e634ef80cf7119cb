using Scoda.Market.Search;

namespace Scoda.Market.Search.Tests;

/// <summary>Test listings with sensible defaults (Kazakh wheat, DAP Khorgos); a test sets only what it is about.</summary>
public sealed class ListingDocumentBuilder
{
    static int _sequence;
    ListingDocument _document;

    public ListingDocumentBuilder()
    {
        var n = Interlocked.Increment(ref _sequence);
        _document = new ListingDocument
        {
            Id = Guid.NewGuid(),
            SellerId = Guid.NewGuid(),
            SellerName = "Kostanay Grain Terminal LLP",
            SellerVerified = true,
            CategoryPath = ["agriculture", "grains", "wheat"],
            CategoryNames = ["Wheat", "Пшеница", "小麦"],
            HsCode = "100199",
            Title = new Dictionary<string, string> { ["en"] = "Milling wheat, class 3" },
            Description = new Dictionary<string, string> { ["en"] = "Clean grain shipped by rail from Kostanay." },
            OriginCountry = "KZ",
            OriginRegion = "Kostanay",
            Incoterm = "DAP",
            NamedPlace = "Khorgos",
            WarehouseCountries = ["KZ"],
            Certificates = ["SGS"],
            PriceUsd = 240m,
            PriceCny = 1708.8m,
            BasisUnit = "t",
            PriceAmount = 240m,
            PriceCurrency = "USD",
            PriceUnit = "t",
            Quantity = 5000m,
            QuantityUnit = "t",
            Available = 1000m,
            NumericSpecs = new Dictionary<string, decimal> { ["protein"] = 12.5m },
            TextSpecs = new Dictionary<string, string>(),
            PublishedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(n),
        };
    }

    public ListingDocumentBuilder With(Func<ListingDocument, ListingDocument> change)
    {
        _document = change(_document);
        return this;
    }

    public ListingDocumentBuilder Titled(string language, string title) =>
        With(d => d with { Title = new Dictionary<string, string> { [language] = title } });

    public ListingDocumentBuilder Described(string language, string text) =>
        With(d => d with { Description = new Dictionary<string, string> { [language] = text } });

    public ListingDocumentBuilder InCategory(string family, string group, string key, params string[] names) =>
        With(d => d with { CategoryPath = [family, group, key], CategoryNames = names });

    public ListingDocumentBuilder Barley() =>
        InCategory("agriculture", "grains", "barley", "Barley", "Ячмень", "大麦").Titled("en", "Feed barley").With(d => d with { HsCode = "100390" });

    public ListingDocumentBuilder IronOre() =>
        InCategory("minerals", "ores-and-concentrates", "iron-ore-fines", "Iron ore fines", "Железорудная мелочь", "铁矿粉")
            .Titled("en", "Iron ore fines Fe 62%").With(d => d with { HsCode = "260111", PriceUsd = 105m });

    public ListingDocumentBuilder PricedUsd(decimal price) => With(d => d with { PriceUsd = price, PriceCny = price * 7.12m, PriceAmount = price });

    public ListingDocumentBuilder From(string country) => With(d => d with { OriginCountry = country });

    public ListingDocument Build() => _document;
}
