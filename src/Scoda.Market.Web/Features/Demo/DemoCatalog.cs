using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.FxRates;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Demo;

/// <summary>
/// The demo catalogue: each exporter's commodities with market-like prices (USD per t or m3), terms and places, its
/// warehouses, and stock. Generated from a fixed seed, so every run produces the same marketplace. Every listing goes
/// through <see cref="ListingRules"/> like a real one.
/// </summary>
sealed class DemoCatalog(MarketDbContext db, StockLedger ledger, TimeProvider clock)
{
    sealed record Offer(string Category, decimal UsdPrice, int MinLot, int MaxLot, string Terms);

    sealed record Depot(string Name, WarehouseKind Kind, string Country, string City, decimal Lat, decimal Lon);

    sealed record Profile(string Registration, string Country, string Region, LocalizedText RegionName, string Currency, Depot[] Depots, Offer[] Offers);

    static LocalizedText L(string en, string ru, string zh) => new(new Dictionary<string, string> { ["en"] = en, ["ru"] = ru, ["zh"] = zh });

    static readonly Depot Almaty = new("Almaty Grain Terminal", WarehouseKind.Overseas, "KZ", "Almaty", 43.238900m, 76.889700m);
    static readonly Depot Khorgos = new("Khorgos Gateway dry port", WarehouseKind.Port, "KZ", "Khorgos", 44.213200m, 80.410300m);
    static readonly Depot Novosibirsk = new("Novosibirsk Rail Terminal", WarehouseKind.Overseas, "RU", "Novosibirsk", 55.008400m, 82.935700m);
    static readonly Depot Tashkent = new("Tashkent Agro Logistics Centre", WarehouseKind.Overseas, "UZ", "Tashkent", 41.299500m, 69.240100m);
    static readonly Depot Qingdao = new("Qingdao Qianwan Bonded Port Area", WarehouseKind.Bonded, "CN", "Qingdao", 36.003500m, 120.188000m);

    // Terms: incoterm|place|mode; rail and road use the multimodal rules, sea terms name a seaport.
    const string Khorgos_DAP = "DAP|Khorgos|rail", Alashankou_DAP = "DAP|Alashankou|rail", Qingdao_CIF = "CIF|Qingdao|sea",
        Zabaikalsk_CPT = "CPT|Zabaikalsk|rail", Tashkent_FCA = "FCA|Tashkent|rail", Qingdao_DAP = "DAP|Qingdao|multimodal", Karachi_FOB = "FOB|Karachi|sea",
        Klaipeda_FOB = "FOB|Klaipeda|sea", Novosibirsk_FCA = "FCA|Novosibirsk|rail", Bishkek_FCA = "FCA|Bishkek|road", Qingdao_DDP = "DDP|Qingdao|multimodal";

    static readonly Profile[] Profiles =
    [
        new("180940012345", "KZ", "Kostanay", L("Kostanay region", "Костанайская обл.", "科斯塔奈州"), "USD", [Almaty, Khorgos],
            [new("wheat", 238m, 500, 20000, Khorgos_DAP), new("durum-wheat", 310m, 500, 5000, Alashankou_DAP), new("barley", 205m, 500, 15000, Khorgos_DAP), new("flaxseed", 515m, 200, 8000, Khorgos_DAP)]),
        new("150540067890", "KZ", "Pavlodar", L("Pavlodar region", "Павлодарская обл.", "巴甫洛达尔州"), "KZT", [Khorgos],
            [new("sunflower-seeds", 430m, 200, 6000, Khorgos_DAP), new("sunflower-oil-crude", 1040m, 100, 3000, Alashankou_DAP), new("rapeseed", 470m, 300, 8000, Khorgos_DAP), new("wheat", 232m, 1000, 30000, Alashankou_DAP)]),
        new("1175476012345", "RU", "Novosibirsk", L("Novosibirsk oblast", "Новосибирская обл.", "新西伯利亚州"), "RUB", [Novosibirsk],
            [new("wheat", 228m, 1000, 30000, Zabaikalsk_CPT), new("barley", 198m, 1000, 20000, Zabaikalsk_CPT), new("rapeseed", 480m, 500, 10000, Zabaikalsk_CPT), new("soybeans", 425m, 500, 10000, Zabaikalsk_CPT)]),
        new("1033801012345", "RU", "Irkutsk", L("Irkutsk oblast", "Иркутская обл.", "伊尔库茨克州"), "USD", [Novosibirsk],
            [new("sawn-pine", 235m, 40, 2000, Zabaikalsk_CPT), new("sawn-spruce", 220m, 40, 2000, Zabaikalsk_CPT), new("sawn-larch", 305m, 40, 1500, Zabaikalsk_CPT),
             new("sawn-siberian-cedar", 460m, 20, 600, Zabaikalsk_CPT), new("birch-plywood", 560m, 20, 800, Novosibirsk_FCA)]),
        new("305123456", "UZ", "Fergana", L("Fergana region", "Ферганская обл.", "费尔干纳州"), "USD", [Tashkent],
            [new("cotton-lint", 1720m, 50, 3000, Tashkent_FCA), new("dried-apricots", 2150m, 10, 300, Tashkent_FCA), new("raisins", 1850m, 10, 400, Tashkent_FCA), new("mung-beans", 980m, 20, 1000, Tashkent_FCA)]),
        new("01234567890123", "KG", "Chui", L("Chui region", "Чуйская обл.", "楚河州"), "USD", [Khorgos],
            [new("walnuts-in-shell", 2450m, 10, 400, Bishkek_FCA), new("walnut-kernels", 6100m, 5, 150, Bishkek_FCA), new("lentils", 640m, 50, 2000, Khorgos_DAP), new("chickpeas", 690m, 50, 3000, Khorgos_DAP)]),
        new("0310012345", "TJ", "Sughd", L("Sughd region", "Согдийская обл.", "索格德州"), "USD", [Tashkent],
            [new("fluorspar-acid-grade", 470m, 500, 10000, Qingdao_DAP), new("fluorspar-metallurgical", 330m, 500, 15000, Qingdao_DAP), new("dried-apricots", 2050m, 10, 200, Tashkent_FCA)]),
        new("0123456", "PK", "Punjab", L("Punjab", "Пенджаб", "旁遮普"), "USD", [Qingdao],
            [new("chickpeas", 720m, 100, 5000, Karachi_FOB), new("mung-beans", 940m, 100, 3000, Karachi_FOB), new("almond-kernels", 5200m, 10, 200, Qingdao_CIF), new("chrome-ore", 265m, 2000, 30000, Karachi_FOB)]),
        new("191234567", "BY", "Soligorsk", L("Soligorsk", "Солигорск", "索利戈尔斯克"), "USD", [Qingdao],
            [new("potash-mop", 298m, 2000, 50000, Klaipeda_FOB), new("potash-mop", 318m, 500, 20000, Qingdao_DAP), new("birch-plywood", 545m, 20, 1000, Qingdao_DAP)]),
        new("91370211MA3D67890Y", "CN", "Qingdao", L("Qingdao bonded zone", "Циндао, бондовая зона", "青岛保税区"), "CNY", [Qingdao],
            [new("iron-ore-fines", 104m, 5000, 80000, Qingdao_DDP), new("iron-ore-concentrate", 118m, 5000, 60000, Qingdao_DDP), new("copper-concentrate", 2350m, 500, 10000, Qingdao_DDP),
             new("manganese-ore", 182m, 2000, 30000, Qingdao_DDP), new("thermal-coal", 92m, 10000, 100000, Qingdao_DDP)]),
    ];

    const int ListingsPerSeller = 22;

    /// <summary>Adds the catalogue for every demo seller that has no listings yet; returns listings, warehouses and lots added.</summary>
    public async Task<(int Listings, int Warehouses, int Lots)> SeedAsync(Guid demoUser, CancellationToken ct)
    {
        var random = new Random(2026);
        var categories = await db.Categories.AsNoTracking().ToDictionaryAsync(c => c.Key, ct);
        var rates = await FxTable.LoadAsync(db, ct);
        var (listings, warehouses, lots) = (0, 0, 0);
        foreach (var profile in Profiles)
        {
            var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.RegistrationNumber == profile.Registration, ct);
            if (organization is null || await db.Listings.AnyAsync(l => l.OrganizationId == organization.Id, ct))
            {
                continue;
            }
            var depots = new List<Warehouse>();
            foreach (var depot in profile.Depots)
            {
                var warehouse = new Warehouse
                {
                    Id = Guid.CreateVersion7(clock.GetUtcNow()), OrganizationId = organization.Id, Name = depot.Name, Kind = depot.Kind,
                    CountryCode = depot.Country, City = depot.City, Latitude = depot.Lat, Longitude = depot.Lon, CreatedAt = clock.GetUtcNow(),
                };
                db.Warehouses.Add(warehouse);
                depots.Add(warehouse);
            }
            await db.SaveChangesAsync(ct);
            warehouses += depots.Count;

            for (var i = 0; i < ListingsPerSeller; i++)
            {
                var offer = profile.Offers[i % profile.Offers.Length];
                var category = categories[offer.Category];
                var request = Generate(profile, offer, category, rates, random, i);
                var errors = new ValidationErrors();
                var fields = ListingRules.Read(request, category, clock.GetUtcNow(), errors)
                    ?? throw new InvalidOperationException($"Demo listing {offer.Category} is invalid: {JsonSerializer.Serialize(errors.ToDictionary())}");
                var listing = ListingWriter.NewDraft(organization.Id, category, fields, rates, demoUser, clock.GetUtcNow(), db);
                // Most offers are live; a few are still drafts or paused, as on any real catalogue.
                listing.Status = (i % 11) switch { 3 => ListingStatus.Draft, 7 => ListingStatus.Paused, _ => ListingStatus.Published };
                listing.PublishedAt = listing.Status == ListingStatus.Draft ? null : clock.GetUtcNow();
                await db.SaveChangesAsync(ct);
                listings++;

                if (random.NextDouble() < 0.7)
                {
                    var depot = depots[random.Next(depots.Count)];
                    var share = (decimal)(0.2 + (random.NextDouble() * 0.8));
                    var stock = Math.Max(1m, Math.Round(listing.Quantity * share, 0));
                    var lot = $"{profile.Country}-{profile.Registration[^4..]}-2026-{i + 1:D3}";
                    await ledger.ReceiveAsync(depot, listing.Id, listing.QuantityUnit, lot, $"SGS {profile.Country}/{random.Next(10000, 99999)}", stock,
                        new StockLedger.Actor(demoUser, "Opening stock"), ct);
                    lots++;
                }
            }
        }
        return (listings, warehouses, lots);
    }

    static ListingRequest Generate(Profile profile, Offer offer, Category category, FxTable rates, Random random, int index)
    {
        var quantity = RoundLot(offer.MinLot + (random.NextDouble() * (offer.MaxLot - offer.MinLot)));
        var minOrder = Math.Min(quantity, RoundLot(offer.MinLot));
        var usd = offer.UsdPrice * (decimal)(0.94 + (random.NextDouble() * 0.12));
        var currency = index % 3 == 0 ? profile.Currency : Currencies.Usd;
        var amount = Math.Round(usd * rates.PerUsd.GetValueOrDefault(currency, 1m), currency == Currencies.Usd ? 2 : 0);
        var specs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var spec in category.Specs.Where(s => s.Required || random.NextDouble() < 0.6))
        {
            specs[spec.Key] = spec.Type == SpecField.Enum
                ? JsonSerializer.SerializeToElement(spec.Options![random.Next(spec.Options.Count)])
                : JsonSerializer.SerializeToElement(Math.Round(spec.Min!.Value + ((spec.Max!.Value - spec.Min.Value) * (decimal)(0.3 + (random.NextDouble() * 0.4))), 1));
        }
        var headline = category.Specs.FirstOrDefault(s => s.Type == SpecField.Number && specs.ContainsKey(s.Key));
        string Title(string language)
        {
            var name = category.Name.GetValueOrDefault(language) ?? category.Name["en"];
            var spec = headline is null ? "" : $", {headline.Label.GetValueOrDefault(language) ?? headline.Key} {specs[headline.Key].GetDecimal().ToString(CultureInfo.InvariantCulture)} {headline.Unit}";
            var origin = profile.RegionName.GetValueOrDefault(language) ?? profile.RegionName["en"];
            return language switch
            {
                "ru" => $"{name}{spec} — {origin}, 2026",
                "zh" => $"{name}{spec}（{origin}，2026年）",
                _ => $"{name}{spec} — {origin}, 2026",
            };
        }
        // Languages as sellers write them: Russian-speaking exporters in Russian (often with English), Chinese firms in Chinese and English.
        string[] languages = (profile.Country, index % 4) switch
        {
            ("CN", _) => ["zh", "en"],
            ("PK", _) => ["en"],
            (_, 0) => ["ru"],
            (_, 1) => ["ru", "en"],
            (_, 2) => ["en", "zh"],
            _ => ["ru", "en", "zh"],
        };
        var terms = offer.Terms.Split('|');
        var unit = category.Unit!;
        return new ListingRequest(
            null, category.Id, languages.ToDictionary(l => l, l => (string?)Title(l)),
            languages.ToDictionary(l => l, l => (string?)(l switch
            {
                "ru" => "Поставка партиями, инспекция SGS на станции погрузки, документы на китайскую таможню готовим сами.",
                "zh" => "分批发货，装运站SGS检验，可提供中国海关所需全部单证。",
                _ => "Shipped in lots with SGS inspection at the loading station; we prepare all documents for Chinese customs.",
            })),
            null, specs, profile.Country, profile.RegionName["en"],
            new QuantityInput(quantity, unit), new QuantityInput(minOrder, unit), new PriceInput(amount, currency, unit),
            terms[0], terms[1], terms[2], index % 2 == 0 ? ["lc_sight", "tt_against_documents"] : ["tt_advance"],
            unit == Units.CubicMetre ? "bundles" : index % 3 == 0 ? "big_bags" : "bulk",
            7 + (index * 3 % 40), ["SGS", "Phytosanitary certificate"], DateTimeOffset.UtcNow.AddDays(30 + (index * 7 % 150)));
    }

    static decimal RoundLot(double value) => value < 100 ? Math.Round((decimal)value, 0) : Math.Round((decimal)value / 50m, 0) * 50m;
}
