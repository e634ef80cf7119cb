using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.FxRates;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Outbox;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.BuyRequests;

public sealed record BuyRequestInput(
    Guid? OrganizationId, Guid? CategoryId, Dictionary<string, JsonElement>? SpecRanges, QuantityInput? Quantity, PriceInput? TargetPrice,
    string? Incoterm, string? NamedPlace, DateTimeOffset? DeliveryBy, List<string>? OriginCountries, string? Note);

public sealed record BuyRequestResponse(
    Guid Id, Guid OrganizationId, SellerResponse Buyer, CategoryRef Category, IReadOnlyDictionary<string, SpecRange> SpecRanges, Quantity Quantity,
    PriceResponse TargetPrice, string Incoterm, string NamedPlace, DateTimeOffset DeliveryBy, IReadOnlyList<string> OriginCountries, string? Note,
    BuyRequestStatus Status, DateTimeOffset CreatedAt, int MatchCount);

public sealed record MatchedListing(
    Guid Id, LocalizedText Title, PriceResponse Price, NormalizedPriceResponse? NormalizedPrice, Quantity Quantity, string OriginCountry,
    string Incoterm, string NamedPlace, SellerResponse Seller);

public sealed record BuyRequestMatch(MatchedListing Listing, int Score, IReadOnlyList<MatchReason> Reasons, DateTimeOffset CreatedAt);

public sealed record MatchedBuyRequest(
    Guid Id, SellerResponse Buyer, CategoryRef Category, Quantity Quantity, PriceResponse TargetPrice, string Incoterm, string NamedPlace, DateTimeOffset DeliveryBy);

public sealed record ListingMatch(MatchedBuyRequest BuyRequest, int Score, IReadOnlyList<MatchReason> Reasons, DateTimeOffset CreatedAt);

/// <summary>What every buy-request handler needs, resolved from services as one parameter.</summary>
public sealed record BuyRequestContext(MarketDbContext Db, OrganizationAccess Organizations, TimeProvider Clock)
{
    public DateTimeOffset Now => Clock.GetUtcNow();
}

/// <summary>Buy requests (RFQ) and the matches between them and listings.</summary>
public static class BuyRequestsEndpoints
{
    public static readonly TimeSpan MaxHorizon = TimeSpan.FromDays(731);

    public static IHostApplicationBuilder AddBuyRequests(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<BuyRequestContext>();
        builder.Services.AddScoped<Matchmaker>();
        builder.Services.AddScoped<MatchSummaries>();
        // A new or changed buy request is stored as a standing query and matched.
        builder.Services.AddOutboxRule<BuyRequest>((request, entry) =>
            entry.State is EntityState.Added or EntityState.Modified ? new OutboxChange(OutboxTopics.BuyRequest, request.Id) : null);
        return builder;
    }

    public static IEndpointRouteBuilder MapBuyRequestsEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/buy-requests").WithTags("Buy requests").RequireAuthorization();
        api.MapPost("/", Create).WithName("CreateBuyRequest");
        api.MapGet("/", List).WithName("ListBuyRequests");
        api.MapGet("/{id:guid}", Get).WithName("GetBuyRequest");
        api.MapPost("/{id:guid}/close", Close).WithName("CloseBuyRequest");
        api.MapGet("/{id:guid}/matches", MatchesOfBuyRequest).WithName("BuyRequestMatches");
        app.MapGet("/api/listings/{id:guid}/matches", MatchesOfListing).WithTags("Buy requests").WithName("ListingMatches").RequireAuthorization();
        return app;
    }

    static async Task<Results<Created<BuyRequestResponse>, ValidationProblem, ProblemHttpResult>> Create(BuyRequestInput input, BuyRequestContext c, CancellationToken ct)
    {
        if (input.OrganizationId is not { } organizationId)
        {
            return ValidationErrors.For("organizationId", "Required: the buying organization.");
        }
        var access = await c.Organizations.CheckAsync(organizationId, OrganizationAction.Trade, hideFromOutsiders: false, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only an owner or trader of the organization can post buy requests for it.");
        }
        var category = input.CategoryId is { } categoryId ? await c.Db.Categories.FindAsync([categoryId], ct) : null;
        var errors = new ValidationErrors();
        var request = Read(input, category, c.Now, errors);
        if (request is null)
        {
            return errors.ToProblem();
        }
        var rates = await FxTable.LoadAsync(c.Db, ct);
        request.Id = Guid.CreateVersion7(c.Now);
        request.OrganizationId = organizationId;
        request.TargetUsd = rates.Normalize(new UnitPrice(request.TargetAmount, request.TargetCurrency, request.TargetUnit), category!.Unit!)?.Usd;
        request.CreatedAt = request.UpdatedAt = c.Now;
        // The outbox row written with it makes the indexer store the standing query and look for matches.
        c.Db.BuyRequests.Add(request);
        await c.Db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/buy-requests/{request.Id}", await LoadAsync(c, request.Id, ct));
    }

    static async Task<Results<Ok<Page<BuyRequestResponse>>, ValidationProblem, ProblemHttpResult>> List(
        Guid? organizationId, string? cursor, int? limit, BuyRequestContext c, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (organizationId is null)
        {
            errors.Add("organizationId", "Required.");
        }
        if (!PageRequest.TryParse(cursor, limit, errors, out var page) || !errors.IsValid)
        {
            return errors.ToProblem();
        }
        var access = await c.Organizations.CheckAsync(organizationId!.Value, OrganizationAction.Read, hideFromOutsiders: true, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only members see the organization's buy requests.");
        }
        var query = c.Db.BuyRequests.AsNoTracking().Where(b => b.OrganizationId == organizationId);
        var ids = await query.PageNewestFirst(page, b => b.CreatedAt, b => b.Id).Select(b => b.Id).ToListAsync(ct);
        var rows = new List<BuyRequestResponse>();
        foreach (var id in ids)
        {
            rows.Add(await LoadAsync(c, id, ct));
        }
        return TypedResults.Ok(page.ToPage(rows, r => new Cursor(r.CreatedAt, r.Id)));
    }

    /// <summary>Open buy requests are a marketplace's RFQ board: any signed-in trader may read one.</summary>
    static async Task<Results<Ok<BuyRequestResponse>, ProblemHttpResult>> Get(Guid id, BuyRequestContext c, CancellationToken ct)
    {
        var request = await c.Db.BuyRequests.AsNoTracking().Where(b => b.Id == id).Select(b => new { b.Status, b.OrganizationId }).SingleOrDefaultAsync(ct);
        if (request is null || (request.Status != BuyRequestStatus.Open && !await c.Organizations.IsMemberAsync(request.OrganizationId, ct)))
        {
            return Problems.NotFound("Buy request");
        }
        return TypedResults.Ok(await LoadAsync(c, id, ct));
    }

    static async Task<Results<Ok<BuyRequestResponse>, ProblemHttpResult>> Close(Guid id, BuyRequestContext c, CancellationToken ct)
    {
        var request = await c.Db.BuyRequests.SingleOrDefaultAsync(b => b.Id == id, ct);
        if (request is null)
        {
            return Problems.NotFound("Buy request");
        }
        var access = await c.Organizations.CheckAsync(request.OrganizationId, OrganizationAction.Trade, hideFromOutsiders: false, ct);
        if (access != Access.Allowed)
        {
            return Problems.Forbidden("Only the buyer's owners and traders can close its buy request.");
        }
        if (request.Status == BuyRequestStatus.Closed)
        {
            return Problems.Conflict("The buy request is already closed.");
        }
        request.Status = BuyRequestStatus.Closed;
        request.UpdatedAt = c.Now;
        await c.Db.SaveChangesAsync(ct);
        return TypedResults.Ok(await LoadAsync(c, id, ct));
    }

    static async Task<Results<Ok<IReadOnlyList<BuyRequestMatch>>, ProblemHttpResult>> MatchesOfBuyRequest(Guid id, BuyRequestContext c, CancellationToken ct)
    {
        var organizationId = await c.Db.BuyRequests.Where(b => b.Id == id).Select(b => (Guid?)b.OrganizationId).SingleOrDefaultAsync(ct);
        if (organizationId is null || !await c.Organizations.IsMemberAsync(organizationId.Value, ct))
        {
            return Problems.NotFound("Buy request");
        }
        var matches = await c.Db.Matches.AsNoTracking().Include(m => m.Listing).ThenInclude(l => l!.Organization)
            .Where(m => m.BuyRequestId == id && m.Listing!.Status == ListingStatus.Published)
            .ToListAsync(ct);
        IReadOnlyList<BuyRequestMatch> result = matches.OrderByDescending(m => m.Score).ThenByDescending(m => m.CreatedAt)
            .Select(m => new BuyRequestMatch(ListingOf(m.Listing!), m.Score, m.Reasons, m.CreatedAt)).ToList();
        return TypedResults.Ok(result);
    }

    static async Task<Results<Ok<IReadOnlyList<ListingMatch>>, ProblemHttpResult>> MatchesOfListing(Guid id, BuyRequestContext c, CancellationToken ct)
    {
        var organizationId = await c.Db.Listings.Where(l => l.Id == id).Select(l => (Guid?)l.OrganizationId).SingleOrDefaultAsync(ct);
        if (organizationId is null || !await c.Organizations.IsMemberAsync(organizationId.Value, ct))
        {
            return Problems.NotFound("Listing");
        }
        var matches = await c.Db.Matches.AsNoTracking().Include(m => m.BuyRequest).ThenInclude(b => b!.Organization)
            .Include(m => m.BuyRequest).ThenInclude(b => b!.Category)
            .Where(m => m.ListingId == id && m.BuyRequest!.Status == BuyRequestStatus.Open)
            .ToListAsync(ct);
        IReadOnlyList<ListingMatch> result = matches.OrderByDescending(m => m.Score).ThenByDescending(m => m.CreatedAt)
            .Select(m => new ListingMatch(BuyRequestOf(m.BuyRequest!), m.Score, m.Reasons, m.CreatedAt)).ToList();
        return TypedResults.Ok(result);
    }

    /// <summary>Checks the input against the category; null with field errors when anything is off.</summary>
    static BuyRequest? Read(BuyRequestInput input, Category? category, DateTimeOffset now, ValidationErrors errors)
    {
        if (category is not { IsLeaf: true })
        {
            errors.Add("categoryId", "A commodity (a leaf of the taxonomy); see GET /api/categories.");
        }
        var ranges = new SpecRanges();
        foreach (var (key, raw) in input.SpecRanges ?? [])
        {
            var field = category?.Specs.FirstOrDefault(s => s.Key == key);
            var path = $"specRanges.{key}";
            if (category is null)
            {
                continue;
            }
            if (field is null)
            {
                errors.Add(path, $"Not a parameter of this category. Known: {string.Join(", ", category.Specs.Select(s => s.Key))}.");
                continue;
            }
            if (ReadRange(field, raw, path, errors) is { } range)
            {
                ranges[key] = range;
            }
        }
        decimal quantity = 0;
        if (input.Quantity?.Value is not { } q || q <= 0 || !Decimals.Fits(q, Units.QuantityDecimals))
        {
            errors.Add("quantity.value", "A positive quantity with at most 3 decimals.");
        }
        else if (!Units.IsKnown(input.Quantity.Unit) || (category?.Unit is { } basis && !Units.CanConvert(input.Quantity.Unit!, basis)))
        {
            errors.Add("quantity.unit", $"A unit that converts to {category?.Unit ?? "the commodity's unit"}.");
        }
        else
        {
            quantity = q;
        }
        var targetOk = input.TargetPrice?.Amount is { } amount && amount > 0 && Decimals.Fits(amount, ListingRules.PriceDecimals);
        errors.Check(targetOk, "targetPrice.amount", "A positive amount with at most 4 decimals.");
        errors.Check(Currencies.TryParse(input.TargetPrice?.Currency, out var currency), "targetPrice.currency",
            $"One of {string.Join(", ", Currencies.Supported.Order(StringComparer.Ordinal))}.");
        errors.Check(Units.IsKnown(input.TargetPrice?.Unit) && (category?.Unit is not { } b || Units.CanConvert(input.TargetPrice!.Unit!, b)), "targetPrice.unit",
            "Per a unit that converts to the commodity's unit.");
        errors.Check(Incoterms.TryParse(input.Incoterm, out var incoterm), "incoterm", "An Incoterms 2020 rule.");
        errors.RequireText(input.NamedPlace, "namedPlace", 120);
        errors.Check(input.DeliveryBy is { } by && by > now && by <= now + MaxHorizon, "deliveryBy", "A date in the future, within two years.");
        var origins = new TextList();
        foreach (var origin in input.OriginCountries ?? [])
        {
            if (CountryCode.TryParse(origin, out var code))
            {
                origins.Add(code.Value);
            }
            else
            {
                errors.Add("originCountries", $"'{origin}' is not an ISO 3166-1 alpha-2 country code.");
            }
        }
        errors.Check(input.Note is null || input.Note.Length <= 2000, "note", "At most 2000 characters.");
        if (!errors.IsValid)
        {
            return null;
        }
        return new BuyRequest
        {
            CategoryId = category!.Id, Category = category, SpecRanges = ranges, Quantity = quantity, QuantityUnit = input.Quantity!.Unit!,
            TargetAmount = input.TargetPrice!.Amount!.Value, TargetCurrency = currency, TargetUnit = input.TargetPrice.Unit!, Incoterm = incoterm,
            NamedPlace = input.NamedPlace!.Trim(), DeliveryBy = input.DeliveryBy!.Value.ToUniversalTime(), OriginCountries = origins,
            Note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim(), Status = BuyRequestStatus.Open,
        };
    }

    static SpecRange? ReadRange(SpecField field, JsonElement raw, string path, ValidationErrors errors)
    {
        if (raw.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, field.Type == SpecField.Number ? "Give { \"min\": …, \"max\": … }." : "Give { \"options\": [ … ] }.");
            return null;
        }
        if (field.Type == SpecField.Enum)
        {
            var options = raw.TryGetProperty("options", out var o) && o.ValueKind == JsonValueKind.Array
                ? o.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : null).ToList()
                : [];
            var valid = options.Count > 0 && options.All(x => x is not null && field.Options!.Contains(x));
            errors.Check(valid, path, $"Options among {string.Join(", ", field.Options ?? [])}.");
            return valid ? new SpecRange(null, null, options!) : null;
        }
        decimal? Bound(string name)
        {
            if (!raw.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (SpecValidation.CheckText(field, value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText(), out var text, out var problem))
            {
                return decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            }
            errors.Add(path, $"{name}: {problem}");
            return null;
        }
        var min = Bound("min");
        var max = Bound("max");
        if (min is null && max is null)
        {
            errors.Add(path, "Give a min, a max or both.");
            return null;
        }
        if (min > max)
        {
            errors.Add(path, "min is above max.");
            return null;
        }
        return new SpecRange(min, max, null);
    }

    static async Task<BuyRequestResponse> LoadAsync(BuyRequestContext c, Guid id, CancellationToken ct)
    {
        var b = await c.Db.BuyRequests.AsNoTracking().Include(x => x.Organization).Include(x => x.Category).SingleAsync(x => x.Id == id, ct);
        var matches = await c.Db.Matches.CountAsync(m => m.BuyRequestId == id, ct);
        return new BuyRequestResponse(
            b.Id, b.OrganizationId, Party(b.Organization!), new CategoryRef(b.Category!.Id, b.Category.Key, b.Category.Name, b.Category.Unit), b.SpecRanges,
            new Quantity(b.Quantity, b.QuantityUnit), new PriceResponse(b.TargetAmount, b.TargetCurrency, b.TargetUnit), b.Incoterm, b.NamedPlace, b.DeliveryBy,
            b.OriginCountries, b.Note, b.Status, b.CreatedAt, matches);
    }

    static MatchedListing ListingOf(Listing l) => new(
        l.Id, l.Title, new PriceResponse(l.PriceAmount, l.PriceCurrency, l.PriceUnit),
        NormalizedPriceResponse.Of(l.NormalizedPriceUsd, l.NormalizedPriceCny, l.NormalizedUnit),
        new Quantity(l.Quantity, l.QuantityUnit), l.OriginCountry, l.Incoterm, l.NamedPlace, Party(l.Organization!));

    static MatchedBuyRequest BuyRequestOf(BuyRequest b) => new(
        b.Id, Party(b.Organization!), new CategoryRef(b.Category!.Id, b.Category.Key, b.Category.Name, b.Category.Unit), new Quantity(b.Quantity, b.QuantityUnit),
        new PriceResponse(b.TargetAmount, b.TargetCurrency, b.TargetUnit), b.Incoterm, b.NamedPlace, b.DeliveryBy);

    static SellerResponse Party(Organization o) => new(o.Id, o.Name, o.CountryCode, o.VerificationStatus == VerificationStatus.Verified);

}
