using Scoda.Market.Search;
using Scoda.Market.Web.Features.Taxonomy;

namespace Scoda.Market.Benchmarks;

/// <summary>
/// Realistic multilingual listings from a fixed seed: commodities of the shipped taxonomy, sellers from SCO countries,
/// titles and descriptions in Russian, English, Chinese (and mixes), grades, regions, places and lot numbers, so the
/// vocabulary has the long tail real catalogues have. About 1 in 10,000 listings mentions the rare word "zerafshan".
/// </summary>
public sealed class ListingGenerator(int seed = 42)
{
    public const string RareWord = "zerafshan";

    readonly Random _random = new(seed);
    readonly Category[] _leaves = TaxonomyFile.Categories.Where(c => c.IsLeaf).ToArray();
    readonly Dictionary<string, string[]> _paths = TaxonomyFile.Categories.ToDictionary(
        c => c.Key, c => c.Path.Split('/', StringSplitOptions.RemoveEmptyEntries));

    static readonly string[] Origins = ["KZ", "KZ", "KZ", "RU", "RU", "RU", "UZ", "UZ", "KG", "TJ", "PK", "IN", "IR", "BY", "MN", "CN"];
    static readonly string[] Incoterms = ["DAP", "DAP", "CPT", "FCA", "FCA", "EXW", "CIF", "FOB", "CFR", "DDP", "CIP"];
    static readonly string[] Places = ["Khorgos", "Alashankou", "Zabaikalsk", "Manzhouli", "Tashkent", "Qingdao", "Aktau", "Novorossiysk", "Karachi", "Bandar Abbas", "Almaty", "Kostanay", "Novosibirsk", "Erenhot"];
    static readonly string[] Regions = ["Kostanay", "Akmola", "North Kazakhstan", "Altai", "Novosibirsk", "Omsk", "Fergana", "Samarkand", "Chui", "Sughd", "Punjab", "Sindh", "Khorasan", "Minsk", "Irkutsk", "Krasnoyarsk", "Pavlodar", "Bukhara"];
    static readonly string[] Sellers = ["Steppe Agro", "Altai Grain", "Fergana Export", "Chui Valley Trade", "Sughd Resources", "Punjab Commodities", "Angara Timber", "Minsk Fertilizers", "Irtysh Logistics", "Silk Road Minerals", "Tengri Foods", "Baikal Wood"];
    static readonly string[] EnglishWords = ["premium", "export", "grade", "new crop", "bulk", "containerized", "certified", "clean", "sorted", "high quality", "origin", "direct from producer", "stock", "spot", "forward", "contract", "monthly", "shipment", "lot"];
    static readonly string[] RussianWords = ["экспорт", "высший сорт", "урожай", "навалом", "в мешках", "сертифицирован", "очищенный", "калиброванный", "прямые поставки", "склад", "партия", "контракт", "ежемесячно", "отгрузка", "качество"];
    static readonly string[] ChineseWords = ["优质", "出口", "新货", "散装", "袋装", "认证", "现货", "长期供应", "产地直供", "精选", "批次", "月度", "装运"];
    static readonly string[] Certificates = ["SGS", "GAFTA", "Phytosanitary certificate", "Halal", "ISO 9001", "FSC", "CIQ registration", "Organic EU"];

    T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    string Words(IReadOnlyList<string> words, int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ => Pick(words)));

    public IEnumerable<ListingDocument> Generate(int count)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            var category = Pick(_leaves);
            var origin = Pick(Origins);
            var region = Pick(Regions);
            var lot = $"{origin}-{_random.Next(1000, 99999)}";
            var rare = _random.Next(10_000) == 0 ? $" {RareWord}" : "";
            var name = category.Name;
            var title = new Dictionary<string, string>();
            var description = new Dictionary<string, string>();
            switch (_random.Next(5))
            {
                case 0:
                    title["ru"] = $"{name.GetValueOrDefault("ru")} {Words(RussianWords, 2)} {region} {lot}{rare}";
                    description["ru"] = $"{Words(RussianWords, 12)} {name.GetValueOrDefault("ru")}";
                    break;
                case 1:
                    title["en"] = $"{name.GetValueOrDefault("en")} {Words(EnglishWords, 2)} {region} {lot}{rare}";
                    description["en"] = $"{Words(EnglishWords, 14)} {name.GetValueOrDefault("en")}";
                    break;
                case 2:
                    title["zh"] = $"{name.GetValueOrDefault("zh")}{Words(ChineseWords, 2)} {lot}";
                    title["en"] = $"{name.GetValueOrDefault("en")} {Words(EnglishWords, 1)} {lot}{rare}";
                    description["zh"] = $"{Words(ChineseWords, 10)}{name.GetValueOrDefault("zh")}";
                    break;
                case 3:
                    title["ru"] = $"{name.GetValueOrDefault("ru")} {region} {lot}{rare}";
                    title["en"] = $"{name.GetValueOrDefault("en")} {region} {lot}";
                    description["en"] = $"{Words(EnglishWords, 10)}";
                    description["ru"] = $"{Words(RussianWords, 10)}";
                    break;
                default:
                    title["ru"] = $"{name.GetValueOrDefault("ru")} {Words(RussianWords, 1)} {lot}";
                    title["en"] = $"{name.GetValueOrDefault("en")} {Words(EnglishWords, 1)} {lot}{rare}";
                    title["zh"] = $"{name.GetValueOrDefault("zh")}{Words(ChineseWords, 1)}";
                    description["en"] = $"{Words(EnglishWords, 8)}";
                    break;
            }
            var price = Math.Round((decimal)(80 + (_random.NextDouble() * 2000)), 2);
            var numeric = category.Specs.Where(s => s.Type == SpecField.Number)
                .ToDictionary(s => s.Key, s => Math.Round(s.Min!.Value + ((s.Max!.Value - s.Min.Value) * (decimal)_random.NextDouble()), 1));
            yield return new ListingDocument
            {
                Id = Guid.CreateVersion7(start.AddSeconds(i)),
                SellerId = Guid.NewGuid(),
                SellerName = $"{Pick(Sellers)} {origin}",
                SellerVerified = _random.Next(3) > 0,
                CategoryPath = _paths[category.Key],
                CategoryNames = name.Values.Distinct().ToList(),
                HsCode = category.HsCode!,
                Title = title,
                Description = description,
                OriginCountry = origin,
                OriginRegion = region,
                Incoterm = Pick(Incoterms),
                NamedPlace = Pick(Places),
                WarehouseCountries = _random.Next(3) == 0 ? [] : [Pick(Origins)],
                Certificates = _random.Next(2) == 0 ? [Pick(Certificates)] : [Pick(Certificates), Pick(Certificates)],
                PriceUsd = price,
                PriceCny = Math.Round(price * 7.12m, 4),
                BasisUnit = category.Unit!,
                PriceAmount = price,
                PriceCurrency = "USD",
                PriceUnit = category.Unit!,
                Quantity = _random.Next(20, 50_000),
                QuantityUnit = category.Unit!,
                Available = _random.Next(0, 20_000),
                NumericSpecs = numeric,
                TextSpecs = new Dictionary<string, string>(),
                PublishedAt = start.AddSeconds(i),
            };
        }
    }
}
