using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Search;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Notifications;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Search;

/// <summary>The filters of a saved search: the query parameters of <c>GET /api/search/listings</c>, minus paging and sort.</summary>
public sealed record SavedSearchQuery(
    string? Q = null, string[]? Category = null, string? HsCode = null, string[]? Origin = null, string[]? Incoterm = null,
    string[]? WarehouseCountry = null, string[]? Certificate = null, decimal? MinPrice = null, decimal? MaxPrice = null, string? PriceCurrency = null,
    decimal? MinQuantity = null, bool? VerifiedOnly = null, bool? InStock = null)
{
    public SearchEndpoints.SearchParameters ToParameters() => new(
        Q, Category, HsCode, Origin, Incoterm, WarehouseCountry, Certificate, MinPrice, MaxPrice, PriceCurrency, MinQuantity, VerifiedOnly,
        null, null, null, null, null, InStock);
}

/// <summary>A buyer organization's standing search: stored in the index as a query, so a newly published listing that matches alerts its members.</summary>
public sealed class SavedSearch
{
    public const int MaxNameLength = 100;

    /// <summary>How many saved searches one organization may keep (each is percolated against every indexed listing).</summary>
    public const int MaxPerOrganization = 50;

    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string Name { get; set; }
    public required SavedSearchQuery Query { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A listing a saved search has already alerted about: each listing alerts a saved search once, however often it is re-indexed.</summary>
public sealed class SavedSearchAlert
{
    public Guid SavedSearchId { get; set; }
    public Guid ListingId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

sealed class SavedSearchConfiguration : IEntityTypeConfiguration<SavedSearch>
{
    public void Configure(EntityTypeBuilder<SavedSearch> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(SavedSearch.MaxNameLength);
        builder.Property(s => s.Query).HasJsonRecordConversion();
        builder.HasIndex(s => new { s.OrganizationId, s.CreatedAt });
        builder.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class SavedSearchAlertConfiguration : IEntityTypeConfiguration<SavedSearchAlert>
{
    public void Configure(EntityTypeBuilder<SavedSearchAlert> builder)
    {
        builder.HasKey(a => new { a.SavedSearchId, a.ListingId });
        builder.HasOne<SavedSearch>().WithMany().HasForeignKey(a => a.SavedSearchId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed record SavedSearchRequest(Guid? OrganizationId, string? Name, SavedSearchQuery? Query);

public sealed record SavedSearchResponse(Guid Id, Guid OrganizationId, string Name, SavedSearchQuery Query, DateTimeOffset CreatedAt);

/// <summary>
/// The alerts of saved searches: a listing being indexed (only published listings are) is percolated against the stored
/// queries, and the saved searches among them notify their organization's members once per listing.
/// </summary>
public sealed class SavedSearchAlerts(MarketDbContext db, Notifier notifier, TimeProvider clock)
{
    public const string Kind = "saved_search_match";

    public async Task MatchListingAsync(ListingDocument listing, IReadOnlyList<Guid> storedQueryIds, CancellationToken ct)
    {
        var searches = await db.SavedSearches.AsNoTracking()
            .Where(s => storedQueryIds.Contains(s.Id) && s.OrganizationId != listing.SellerId)
            .Where(s => !db.SavedSearchAlerts.Any(a => a.SavedSearchId == s.Id && a.ListingId == listing.Id))
            .ToListAsync(ct);
        if (searches.Count == 0)
        {
            return;
        }
        var now = clock.GetUtcNow();
        db.SavedSearchAlerts.AddRange(searches.Select(s => new SavedSearchAlert { SavedSearchId = s.Id, ListingId = listing.Id, CreatedAt = now }));
        await db.SaveChangesAsync(ct);
        foreach (var search in searches)
        {
            await notifier.NotifyOrganizationsAsync([search.OrganizationId], Kind, Text(search.Name, listing), $"/listings/{listing.Id}", ct);
        }
    }

    /// <summary>
    /// The alert as a coded text: <c>listing</c> is the English headline (else the seller's own title) and
    /// <c>listing_{language}</c> the headline in each interface language, so every reader gets it in theirs.
    /// </summary>
    public static NotificationText Text(string searchName, ListingDocument listing)
    {
        var title = listing.Title.Values.FirstOrDefault(t => !string.IsNullOrWhiteSpace(t)) ?? "";
        var english = listing.Headline.GetValueOrDefault("en") is { Length: > 0 } headline ? headline : title;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["search"] = searchName, ["listing"] = english, ["title"] = title, ["listingId"] = listing.Id.ToString(), ["seller"] = listing.SellerName,
        };
        foreach (var (language, text) in listing.Headline.Where(h => !string.IsNullOrWhiteSpace(h.Value)))
        {
            parameters[$"listing_{language}"] = text;
        }
        return new NotificationText(Kind, parameters, $"New listing for your saved search \"{searchName}\": {english}");
    }
}

/// <summary><c>/api/saved-searches</c>: an organization's saved searches; outsiders get 404.</summary>
public static class SavedSearchesEndpoints
{
    public static IEndpointRouteBuilder MapSavedSearchesEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/saved-searches").WithTags("Search").RequireAuthorization();
        api.MapPost("/", Create).WithName("CreateSavedSearch");
        api.MapGet("/", List).WithName("ListSavedSearches");
        api.MapDelete("/{id:guid}", Delete).WithName("DeleteSavedSearch");
        return app;
    }

    static async Task<Results<Created<SavedSearchResponse>, ValidationProblem, ProblemHttpResult>> Create(
        SavedSearchRequest request, MarketDbContext db, OrganizationAccess organizations, IListingIndex index, TimeProvider clock, CancellationToken ct)
    {
        if (request.OrganizationId is not { } organizationId)
        {
            return ValidationErrors.For("organizationId", "Required: the organization the search is saved for.");
        }
        var access = await organizations.CheckAsync(organizationId, OrganizationAction.Read, hideFromOutsiders: true, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only members save searches for the organization.");
        }
        var errors = new ValidationErrors();
        var name = request.Name?.Trim();
        errors.RequireText(name, "name", SavedSearch.MaxNameLength);
        var saved = request.Query ?? new SavedSearchQuery();
        errors.Check(!string.IsNullOrWhiteSpace(saved.Q) || saved.Category is { Length: > 0 } || saved.Origin is { Length: > 0 } || saved.HsCode is not null,
            "query", "Name at least a text (q), a category, an origin or an HS code: a search for everything would alert on every listing.");
        var query = await SearchEndpoints.ReadAsync(saved.ToParameters(), db, errors, ct);
        if (query is null || !errors.IsValid)
        {
            return errors.ToProblem();
        }
        if (await db.SavedSearches.CountAsync(s => s.OrganizationId == organizationId, ct) >= SavedSearch.MaxPerOrganization)
        {
            return Problems.Conflict($"An organization keeps at most {SavedSearch.MaxPerOrganization} saved searches; delete one first.");
        }
        var now = clock.GetUtcNow();
        var search = new SavedSearch { Id = Guid.CreateVersion7(now), OrganizationId = organizationId, Name = name!, Query = saved, CreatedAt = now };
        db.SavedSearches.Add(search);
        await db.SaveChangesAsync(ct);
        // Percolation alerts on listings indexed from now on; those already indexed are what the search itself shows.
        await index.StoreQueryAsync(new StoredQuery(search.Id, query with { WithFacets = false, After = null }), ct);
        return TypedResults.Created($"/api/saved-searches/{search.Id}", ToResponse(search));
    }

    static async Task<Results<Ok<Page<SavedSearchResponse>>, ValidationProblem, ProblemHttpResult>> List(
        Guid? organizationId, string? cursor, int? limit, MarketDbContext db, OrganizationAccess organizations, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Check(organizationId is not null, "organizationId", "Required.");
        if (!PageRequest.TryParse(cursor, limit, errors, out var page) || !errors.IsValid)
        {
            return errors.ToProblem();
        }
        var access = await organizations.CheckAsync(organizationId!.Value, OrganizationAction.Read, hideFromOutsiders: true, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only members see the organization's saved searches.");
        }
        var rows = await db.SavedSearches.AsNoTracking().Where(s => s.OrganizationId == organizationId)
            .PageNewestFirst(page, s => s.CreatedAt, s => s.Id).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows.Select(ToResponse).ToList(), r => new Cursor(r.CreatedAt, r.Id)));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, MarketDbContext db, OrganizationAccess organizations, IListingIndex index, CancellationToken ct)
    {
        var search = await db.SavedSearches.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (search is null)
        {
            return Problems.NotFound("Saved search");
        }
        var access = await organizations.CheckAsync(search.OrganizationId, OrganizationAction.Read, hideFromOutsiders: true, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only members delete the organization's saved searches.");
        }
        db.SavedSearches.Remove(search);
        await db.SaveChangesAsync(ct);
        await index.DeleteQueryAsync(search.Id, ct);
        return TypedResults.NoContent();
    }

    static SavedSearchResponse ToResponse(SavedSearch s) => new(s.Id, s.OrganizationId, s.Name, s.Query, s.CreatedAt);
}
