using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.FxRates;

/// <summary>A price expressed per tonne (or m3 for timber) in USD and CNY, for sorting and filtering across currencies.</summary>
public readonly record struct NormalizedPrice(decimal Usd, decimal Cny, string Unit);

/// <summary>FX rates by currency (units per USD) and the one conversion every feature uses.</summary>
[FeatureContract]
public sealed class FxTable(IReadOnlyDictionary<string, decimal> perUsd)
{
    public IReadOnlyDictionary<string, decimal> PerUsd { get; } = perUsd;

    public static async Task<FxTable> LoadAsync(MarketDbContext db, CancellationToken ct) =>
        new(await db.FxRates.AsNoTracking().ToDictionaryAsync(r => r.Currency, r => r.PerUsd, ct));

    /// <summary>The amount in US dollars at the stored rate; null when the currency has no rate.</summary>
    public decimal? ToUsd(Money money) =>
        PerUsd.TryGetValue(money.Currency, out var rate) && rate > 0 ? money.Amount / rate : null;

    /// <summary>Null when a rate is missing or the price unit does not convert to the basis unit.</summary>
    public NormalizedPrice? Normalize(UnitPrice price, string basisUnit)
    {
        if (!PerUsd.TryGetValue(price.Currency, out var rate) || rate <= 0 || !PerUsd.TryGetValue(Currencies.Cny, out var cnyRate)
            || !Units.TryConvertPrice(price.Amount, price.Unit, basisUnit, out var perBasis))
        {
            return null;
        }
        var usd = perBasis / rate;
        return new NormalizedPrice(Math.Round(usd, 4, MidpointRounding.ToEven), Math.Round(usd * cnyRate, 4, MidpointRounding.ToEven), basisUnit);
    }
}
