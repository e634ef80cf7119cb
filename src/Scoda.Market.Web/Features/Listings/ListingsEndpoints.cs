using AutoMapper;
using AutoMapper.QueryableExtensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.FxRates;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Commands;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Outbox;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Listings;

public static class ListingsEndpoints
{
    public static IHostApplicationBuilder AddListings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ListingContext>();
        builder.Services.AddScoped<ListingFacts>();
        builder.Services.AddScoped<ListingSummaries>();
        // Search indexes every listing change (added, edited, removed).
        builder.Services.AddOutboxRule<Listing>((listing, entry) =>
            entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted ? new OutboxChange(OutboxTopics.Listing, listing.Id) : null);
        builder.Services.AddSingleton<ListingExpiryWorker>();
        builder.Services.AddHostedService(s => s.GetRequiredService<ListingExpiryWorker>());
        return builder;
    }

    public static IEndpointRouteBuilder MapListingsEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/listings").WithTags("Listings").RequireAuthorization();
        api.MapPost("/", CreateListing).WithName("CreateListing");
        api.MapGet("/{id:guid}", GetListing).WithName("GetListing").AllowAnonymous();
        api.MapPut("/{id:guid}", UpdateListing).WithName("UpdateListing");
        api.MapPost("/{id:guid}/publish", (Guid id, ListingContext c, CancellationToken ct) => ChangeStatus(id, ListingStatus.Published, c, ct)).WithName("PublishListing");
        api.MapPost("/{id:guid}/pause", (Guid id, ListingContext c, CancellationToken ct) => ChangeStatus(id, ListingStatus.Paused, c, ct)).WithName("PauseListing");
        api.MapPost("/{id:guid}/close", (Guid id, ListingContext c, CancellationToken ct) => ChangeStatus(id, ListingStatus.Closed, c, ct)).WithName("CloseListing");
        api.MapGet("/{id:guid}/price-history", GetPriceHistory).WithName("GetListingPriceHistory").AllowAnonymous();
        app.MapGet("/api/organizations/{id:guid}/listings", ListOrganizationListings).WithTags("Listings").WithName("ListOrganizationListings").AllowAnonymous();
        app.MapListingFilesEndpoints();
        app.MapListingImportEndpoints();
        return app;
    }

    /// <summary>What every listing handler needs, resolved from services as one parameter.</summary>
    public sealed record ListingContext(MarketDbContext Db, CurrentUser User, OrganizationAccess Organizations, ListingFacts Listings, TimeProvider Clock, IMapper Mapper)
    {
        public DateTimeOffset Now => Clock.GetUtcNow();
    }

    static async Task<Results<Created<ListingResponse>, ValidationProblem, ProblemHttpResult>> CreateListing(
        ListingRequest request, ListingContext c, CancellationToken ct)
    {
        if (request.OrganizationId is not { } organizationId)
        {
            return ValidationErrors.For("organizationId", "Required: the exporter organization that offers the goods.");
        }
        var access = await c.Organizations.CheckAsync(organizationId, OrganizationAction.Trade, hideFromOutsiders: false, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only an owner or trader of the organization can list for it.");
        }
        var category = request.CategoryId is { } categoryId ? await c.Db.Categories.FindAsync([categoryId], ct) : null;
        var errors = new ValidationErrors();
        var fields = ListingRules.Read(request, category, c.Now, errors);
        if (fields is null)
        {
            return errors.ToProblem();
        }
        var listing = await ListingWriter.CreateDraftAsync(c.Db, organizationId, category!, fields, c.User.Id, c.Now, ct);
        return TypedResults.Created($"/api/listings/{listing.Id}", await LoadResponseAsync(c, listing.Id, ct));
    }

    static async Task<Results<Ok<ListingResponse>, ProblemHttpResult>> GetListing(Guid id, ListingContext c, CancellationToken ct)
    {
        if (!await IsReadableAsync(c, id, ct))
        {
            return Problems.NotFound("Listing");
        }
        return TypedResults.Ok(await LoadResponseAsync(c, id, ct));
    }

    static async Task<Results<Ok<ListingResponse>, ValidationProblem, ProblemHttpResult>> UpdateListing(
        Guid id, ListingRequest request, ListingContext c, CancellationToken ct)
    {
        var (listing, denied) = await FindForChangeAsync(c, id, ct);
        if (denied is not null)
        {
            return denied;
        }
        if (request.OrganizationId is { } organizationId && organizationId != listing!.OrganizationId)
        {
            return ValidationErrors.For("organizationId", "A listing cannot move to another organization.");
        }
        if (listing!.Status == ListingStatus.Closed)
        {
            return Problems.Conflict("A closed listing cannot be changed; create a new one.");
        }
        var category = request.CategoryId is { } categoryId ? await c.Db.Categories.FindAsync([categoryId], ct) : listing.Category;
        var errors = new ValidationErrors();
        var fields = ListingRules.Read(request with { CategoryId = category?.Id }, category, c.Now, errors);
        if (fields is null)
        {
            return errors.ToProblem();
        }
        ListingWriter.Apply(c.Db, listing, category!, fields, await FxTable.LoadAsync(c.Db, ct), c.User.Id, c.Now);
        if (listing.Status == ListingStatus.Expired)
        {
            // A new validity revives an expired listing, but the seller decides when it goes live again.
            listing.Status = ListingStatus.Paused;
        }
        try
        {
            await c.Db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The listing was changed by someone else meanwhile; reload and try again.");
        }
        return TypedResults.Ok(await LoadResponseAsync(c, id, ct));
    }

    static async Task<Results<Ok<ListingResponse>, ProblemHttpResult>> ChangeStatus(Guid id, ListingStatus target, ListingContext c, CancellationToken ct)
    {
        var (listing, denied) = await FindForChangeAsync(c, id, ct);
        if (denied is not null)
        {
            return denied;
        }
        var from = listing!.Status;
        var allowed = (from, target) switch
        {
            (ListingStatus.Draft or ListingStatus.Paused, ListingStatus.Published) => listing.ValidUntil > c.Now,
            (ListingStatus.Published, ListingStatus.Paused) => true,
            (ListingStatus.Draft or ListingStatus.Published or ListingStatus.Paused or ListingStatus.Expired, ListingStatus.Closed) => true,
            _ => false,
        };
        if (!allowed)
        {
            return Problems.Conflict(from == ListingStatus.Expired && target == ListingStatus.Published
                ? "The listing expired; extend validUntil first."
                : $"A {Lower(from)} listing cannot be {Verb(target)}.");
        }
        listing.Status = target;
        listing.UpdatedAt = c.Now;
        listing.PublishedAt = target == ListingStatus.Published ? c.Now : listing.PublishedAt;
        listing.Version = Guid.NewGuid();
        try
        {
            await c.Db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The listing was changed by someone else meanwhile; reload and try again.");
        }
        return TypedResults.Ok(await LoadResponseAsync(c, id, ct));
    }

    static async Task<Results<Ok<IReadOnlyList<PriceChangeResponse>>, ProblemHttpResult>> GetPriceHistory(
        Guid id, ListingContext c, CancellationToken ct)
    {
        if (!await IsReadableAsync(c, id, ct))
        {
            return Problems.NotFound("Listing");
        }
        IReadOnlyList<PriceChangeResponse> history = await c.Db.ListingPriceChanges.AsNoTracking().Where(p => p.ListingId == id)
            .OrderBy(p => p.ChangedAt).ThenBy(p => p.Id)
            .ProjectTo<PriceChangeResponse>(c.Mapper.ConfigurationProvider).ToListAsync(ct);
        return TypedResults.Ok(history);
    }

    static async Task<Results<Ok<Page<ListingSummary>>, ValidationProblem, ProblemHttpResult>> ListOrganizationListings(
        Guid id, string? status, string? cursor, int? limit, ListingContext c, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        ListingStatus? wanted = null;
        if (status is not null)
        {
            if (EnumText.TryParse<ListingStatus>(status, out var parsed))
            {
                wanted = parsed;
            }
            else
            {
                errors.Add("status", "One of draft, published, paused, closed, expired.");
            }
        }
        if (!PageRequest.TryParse(cursor, limit, errors, out var page) || !errors.IsValid)
        {
            return errors.ToProblem();
        }
        if (!await c.Db.Organizations.AnyAsync(o => o.Id == id, ct))
        {
            return Problems.NotFound("Organization");
        }
        var member = await c.Organizations.IsMemberAsync(id, ct);
        var query = c.Db.Listings.AsNoTracking().Where(l => l.OrganizationId == id);
        // Outsiders see what is on the market; drafts and paused listings stay private to the seller.
        query = member ? query : query.Where(l => l.Status == ListingStatus.Published);
        if (wanted is { } s)
        {
            query = query.Where(l => l.Status == s);
        }
        var rows = await query.PageNewestFirst(page, l => l.CreatedAt, l => l.Id)
            .ProjectTo<ListingSummary>(c.Mapper.ConfigurationProvider).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, r => new Cursor(r.CreatedAt, r.Id)));
    }

    /// <summary>Loads a listing for a change by an owner or trader of its organization. Outsiders learn nothing about drafts.</summary>
    internal static async Task<(Listing? Listing, ProblemHttpResult? Denied)> FindForChangeAsync(ListingContext c, Guid id, CancellationToken ct)
    {
        var listing = await c.Db.Listings.Include(l => l.Category).SingleOrDefaultAsync(l => l.Id == id, ct);
        if (listing is null)
        {
            return (null, Problems.NotFound("Listing"));
        }
        var access = await c.Organizations.CheckAsync(listing.OrganizationId, OrganizationAction.Trade, hideFromOutsiders: true, ct);
        return access switch
        {
            Access.Allowed => (listing, null),
            Access.Forbidden => (null, Problems.Forbidden("Only an owner or trader of the seller can change this listing.")),
            _ when listing.Status == ListingStatus.Published => (null, Problems.Forbidden("Only the seller can change this listing.")),
            _ => (null, Problems.NotFound("Listing")),
        };
    }

    internal static Task<bool> IsReadableAsync(ListingContext c, Guid id, CancellationToken ct) => c.Listings.IsReadableAsync(id, ct);

    internal static async Task<ListingResponse> LoadResponseAsync(ListingContext c, Guid id, CancellationToken ct)
    {
        var listing = await c.Db.Listings.AsNoTracking().Include(l => l.Organization).Include(l => l.Category).Include(l => l.Files)
            .AsSplitQuery().SingleAsync(l => l.Id == id, ct);
        return c.Mapper.Map<ListingResponse>(listing);
    }

    static string Lower(ListingStatus status) => status.ToString().ToLowerInvariant();

    static string Verb(ListingStatus status) => status switch
    {
        ListingStatus.Published => "published",
        ListingStatus.Paused => "paused",
        _ => "closed",
    };
}

