using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.FxRates;

public sealed record FxRateResponse(string Currency, decimal PerUsd, DateTimeOffset AsOf, DateTimeOffset UpdatedAt);

public sealed record FxRateInput(string? Currency, decimal? PerUsd, DateTimeOffset? AsOf);

public sealed record UpdateFxRatesRequest(IReadOnlyList<FxRateInput>? Rates);

public sealed record FxRatesUpdated(IReadOnlyList<FxRateResponse> Rates, int ListingsRepriced);

public static class FxRatesEndpoints
{
    public static IEndpointRouteBuilder MapFxRatesEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/fx-rates", async (MarketDbContext db, CancellationToken ct) => TypedResults.Ok(await ListAsync(db, ct)))
            .WithTags("FX rates").WithName("GetFxRates").AllowAnonymous();
        app.MapPut("/api/admin/fx-rates", UpdateRates).WithTags("Administration").WithName("UpdateFxRates").RequireAuthorization(AuthSetup.AdminPolicy);
        return app;
    }

    static async Task<List<FxRateResponse>> ListAsync(MarketDbContext db, CancellationToken ct) =>
        await db.FxRates.AsNoTracking().OrderBy(r => r.Currency)
            .Select(r => new FxRateResponse(r.Currency, r.PerUsd, r.AsOf, r.UpdatedAt)).ToListAsync(ct);

    static async Task<Results<Ok<FxRatesUpdated>, ValidationProblem>> UpdateRates(
        UpdateFxRatesRequest request, MarketDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var now = clock.GetUtcNow();
        var rates = request.Rates ?? [];
        errors.Check(rates.Count > 0, "rates", "Give at least one rate.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rates.Count; i++)
        {
            var rate = rates[i];
            if (!Currencies.TryParse(rate.Currency, out var currency))
            {
                errors.Add($"rates[{i}].currency", $"One of {string.Join(", ", Currencies.Supported.Order(StringComparer.Ordinal))}.");
            }
            else
            {
                errors.Check(seen.Add(currency), $"rates[{i}].currency", "Given twice.");
                errors.Check(currency != Currencies.Usd || rate.PerUsd == 1m, $"rates[{i}].perUsd", "USD is 1 by definition.");
            }
            errors.Check(rate.PerUsd is > 0 && Decimals.Fits(rate.PerUsd.Value, 6), $"rates[{i}].perUsd", "A positive number with at most 6 decimals.");
            errors.Check(rate.AsOf is { } asOf && asOf <= now.AddDays(1) && asOf >= now.AddYears(-1), $"rates[{i}].asOf", "A date within the past year.");
        }
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var stored = await db.FxRates.ToDictionaryAsync(r => r.Currency, ct);
        foreach (var rate in rates)
        {
            var currency = rate.Currency!.Trim().ToUpperInvariant();
            if (!stored.TryGetValue(currency, out var row))
            {
                db.FxRates.Add(row = new FxRate { Currency = currency });
                stored[currency] = row;
            }
            row.PerUsd = rate.PerUsd!.Value;
            row.AsOf = rate.AsOf!.Value.ToUniversalTime();
            row.UpdatedAt = now;
            row.UpdatedBy = user.Id;
        }
        await db.SaveChangesAsync(ct);
        // Normalized prices follow the rates in the same transaction, so sorting by price never mixes old and new rates.
        var repriced = await ListingPricing.RepriceAllAsync(db, new FxTable(stored.ToDictionary(r => r.Key, r => r.Value.PerUsd)), ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(new FxRatesUpdated(await ListAsync(db, ct), repriced));
    }
}
