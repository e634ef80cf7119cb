using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Features.Deals;

public sealed record DealResponse(
    Guid Id, Guid RoomId, Guid OfferId, RoomListing Listing, RoomOrganization Buyer, RoomOrganization Seller, Side? MySide, DealStatus Status,
    TermSheet Terms, Money Total, Guid? ReservationId, DateTimeOffset CreatedAt);

public static class DealsEndpoints
{
    public static IHostApplicationBuilder AddDeals(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DealOptions.Section).Get<DealOptions>() ?? new DealOptions();
        if (options.DepositShare is <= 0 or > 1)
        {
            throw new InvalidOperationException($"Deals:DepositShare must be above 0 and at most 1 (it is {options.DepositShare}).");
        }
        builder.Services.Configure<DealOptions>(o => o.DepositShare = options.DepositShare);
        builder.Services.AddScoped<DealService>();
        builder.Services.AddSingleton<DealEventPublisher>();
        builder.Services.AddSingleton<IInterceptor>(s => s.GetRequiredService<DealEventPublisher>());
        builder.Services.AddSingleton<IRealtimeSink, DealsRealtimeSink>();
        builder.Services.AddScoped<DealSummaries>();
        return builder;
    }

    public static IEndpointRouteBuilder MapDealsEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/deals").WithTags("Deals").RequireAuthorization();
        api.MapGet("/", ListDeals).WithName("ListDeals");
        api.MapGet("/{id:guid}", GetDeal).WithName("GetDeal");
        app.MapHub<DealsHub>("/hubs/deals");
        return app;
    }

    /// <summary>Deals of the caller's organizations, newest first; <paramref name="role"/> narrows to one side.</summary>
    static async Task<Results<Ok<Page<DealResponse>>, ValidationProblem>> ListDeals(
        string? role, string? cursor, int? limit, MarketDbContext db, CurrentUser user, OrganizationAccess organizations, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        Side? side = null;
        if (role is not null)
        {
            errors.Check(EnumText.TryParse<Side>(role, out var parsed), "role", "buyer or seller.");
            side = parsed;
        }
        if (!PageRequest.TryParse(cursor, limit, errors, out var page) || !errors.IsValid)
        {
            return errors.ToProblem();
        }
        var mine = organizations.OrganizationsOf(user.Id);
        var query = db.Deals.Where(d =>
            (side != Side.Seller && mine.Contains(d.BuyerOrganizationId)) || (side != Side.Buyer && mine.Contains(d.SellerOrganizationId)));
        var deals = await ProjectAsync(db, organizations, user.Id, query.PageNewestFirst(page, d => d.CreatedAt, d => d.Id), ct);
        return TypedResults.Ok(page.ToPage(deals, d => new Cursor(d.CreatedAt, d.Id)));
    }

    /// <summary>One deal; another organization's deal is simply not found.</summary>
    static async Task<Results<Ok<DealResponse>, ProblemHttpResult>> GetDeal(Guid id, MarketDbContext db, CurrentUser user, OrganizationAccess organizations, CancellationToken ct)
    {
        var mine = organizations.OrganizationsOf(user.Id);
        var deal = (await ProjectAsync(db, organizations, user.Id,
            db.Deals.Where(d => d.Id == id && (mine.Contains(d.BuyerOrganizationId) || mine.Contains(d.SellerOrganizationId))), ct)).SingleOrDefault();
        return deal is null ? Problems.NotFound("Deal") : TypedResults.Ok(deal);
    }

    static async Task<List<DealResponse>> ProjectAsync(MarketDbContext db, OrganizationAccess organizations, Guid userId, IQueryable<Deal> deals, CancellationToken ct)
    {
        var mine = await organizations.OrganizationsOf(userId).ToListAsync(ct);
        var rows = await deals.AsNoTracking().Select(d => new
        {
            Deal = d,
            Listing = new RoomListing(d.ListingId, d.Listing!.Title, d.Listing.Category!.Key, d.Listing.Category.Unit),
            Buyer = new RoomOrganization(d.BuyerOrganizationId, d.BuyerOrganization!.Name, d.BuyerOrganization.CountryCode,
                d.BuyerOrganization.VerificationStatus == VerificationStatus.Verified),
            Seller = new RoomOrganization(d.SellerOrganizationId, d.SellerOrganization!.Name, d.SellerOrganization.CountryCode,
                d.SellerOrganization.VerificationStatus == VerificationStatus.Verified),
        }).ToListAsync(ct);
        return rows.Select(r => new DealResponse(
            r.Deal.Id, r.Deal.RoomId, r.Deal.OfferId, r.Listing, r.Buyer, r.Seller,
            mine.Contains(r.Deal.BuyerOrganizationId) ? Side.Buyer : mine.Contains(r.Deal.SellerOrganizationId) ? Side.Seller : null,
            r.Deal.Status, r.Deal.Terms, new Money(r.Deal.TotalAmount, r.Deal.Currency), r.Deal.ReservationId, r.Deal.CreatedAt)).ToList();
    }
}
