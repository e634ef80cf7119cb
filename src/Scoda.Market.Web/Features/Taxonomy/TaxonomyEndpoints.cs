using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;

namespace Scoda.Market.Web.Features.Taxonomy;

public sealed record SpecFieldResponse(string Key, LocalizedText Label, string Type, string? Unit, decimal? Min, decimal? Max, bool Required, IReadOnlyList<string>? Options);

public sealed record CategoryResponse(
    Guid Id, string Key, LocalizedText Name, string? HsCode, string? Unit, IReadOnlyList<SpecFieldResponse> SpecSchema, IReadOnlyList<CategoryResponse> Children);

public static class TaxonomyEndpoints
{
    public static IHostApplicationBuilder AddTaxonomy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReferenceData<TaxonomyFile>();
        return builder;
    }

    public static IEndpointRouteBuilder MapTaxonomyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/categories", GetCategories).WithTags("Taxonomy").WithName("GetCategories").AllowAnonymous();
        return app;
    }

    static async Task<IResult> GetCategories(MarketDbContext db, HttpContext http, CancellationToken ct)
    {
        var all = await db.Categories.AsNoTracking().OrderBy(c => c.SortOrder).ToListAsync(ct);
        var children = all.ToLookup(c => c.ParentId);
        IReadOnlyList<CategoryResponse> Build(Guid? parent) => children[parent]
            .Select(c => new CategoryResponse(c.Id, c.Key, c.Name, c.HsCode, c.Unit,
                c.Specs.Select(s => new SpecFieldResponse(s.Key, s.Label, s.Type, s.Unit, s.Min, s.Max, s.Required, s.Options)).ToList(),
                Build(c.Id)))
            .ToList();
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(Build(null));
    }
}
