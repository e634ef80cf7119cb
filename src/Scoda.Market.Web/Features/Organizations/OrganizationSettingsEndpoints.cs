using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Organizations;

public sealed record MoneyInput(decimal? Amount, string? Currency);

/// <summary>
/// An organization's trading settings. <c>approvalThreshold</c>: accepting an offer whose total is above it (compared in
/// USD at the stored FX rates) needs a second Owner's approval; null turns it off.
/// </summary>
public sealed record OrganizationSettings(Money? ApprovalThreshold);

public sealed record OrganizationSettingsRequest(MoneyInput? ApprovalThreshold);

public static class OrganizationSettingsEndpoints
{
    public static IEndpointRouteBuilder MapOrganizationSettingsEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/organizations/{id:guid}/settings").WithTags("Organizations").RequireAuthorization();
        api.MapGet("/", GetSettings).WithName("GetOrganizationSettings");
        api.MapPut("/", PutSettings).WithName("PutOrganizationSettings");
        return app;
    }

    /// <summary>Members read the settings; others get 404.</summary>
    static async Task<Results<Ok<OrganizationSettings>, ProblemHttpResult>> GetSettings(Guid id, OrganizationAccess organizations, CancellationToken ct)
    {
        var access = await organizations.CheckAsync(id, OrganizationAction.Read, hideFromOutsiders: true, ct);
        return access == Access.Allowed
            ? TypedResults.Ok(new OrganizationSettings(await organizations.ApprovalThresholdAsync(id, ct)))
            : OrganizationAccess.Denied(access, "Only members read the settings.");
    }

    /// <summary>Owners change the settings.</summary>
    static async Task<Results<Ok<OrganizationSettings>, ValidationProblem, ProblemHttpResult>> PutSettings(
        Guid id, OrganizationSettingsRequest request, MarketDbContext db, OrganizationAccess organizations, TimeProvider clock, CancellationToken ct)
    {
        var access = await organizations.CheckAsync(id, OrganizationAction.Manage, hideFromOutsiders: true, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only an owner changes the organization's settings.");
        }
        var errors = new ValidationErrors();
        Money? threshold = null;
        if (request.ApprovalThreshold is { } input)
        {
            errors.Check(input.Amount is > 0 and <= Decimals.MaxMagnitude && Decimals.ScaleOf(input.Amount.Value) <= 2, "approvalThreshold.amount",
                "A positive amount with at most two decimals.");
            errors.Check(Currencies.TryParse(input.Currency, out var currency), "approvalThreshold.currency",
                $"One of {string.Join(", ", Currencies.Supported.Order(StringComparer.Ordinal))}.");
            threshold = errors.IsValid ? new Money(input.Amount!.Value, currency) : null;
        }
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        await db.Organizations.Where(o => o.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(o => o.ApprovalThresholdAmount, threshold.HasValue ? threshold.Value.Amount : null)
            .SetProperty(o => o.ApprovalThresholdCurrency, threshold.HasValue ? threshold.Value.Currency : null)
            .SetProperty(o => o.UpdatedAt, clock.GetUtcNow()), ct);
        return TypedResults.Ok(new OrganizationSettings(threshold));
    }
}
