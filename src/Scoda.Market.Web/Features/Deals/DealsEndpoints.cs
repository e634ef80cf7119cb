using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Realtime;
using Scoda.Market.Web.Infrastructure.Storage;

namespace Scoda.Market.Web.Features.Deals;

public sealed record DealResponse(
    Guid Id, Guid RoomId, Guid OfferId, RoomListing Listing, RoomOrganization Buyer, RoomOrganization Seller, Side? MySide, DealStatus Status,
    TermSheet Terms, Money Total, Guid? ReservationId, DateTimeOffset CreatedAt);

/// <summary>A deal with everything its page shows: the held stock as warehouse and lot, what the caller may do now, the checklist and the log.</summary>
public sealed record DealDetailResponse(
    Guid Id, Guid RoomId, Guid OfferId, RoomListing Listing, RoomOrganization Buyer, RoomOrganization Seller, Side? MySide, DealStatus Status,
    TermSheet Terms, Money Total, Money Deposit, Guid? ReservationId, ReservationView? Reservation, IReadOnlyList<AllowedTransition> AllowedTransitions,
    IReadOnlyList<ChecklistItem> Checklist, IReadOnlyList<DealEventResponse> Events, string? ContractSha256, DateTimeOffset CreatedAt);

public sealed record WarehouseRef(Guid Id, string Name);

/// <summary>Stock held for the deal: <c>status</c> is active, shipped, released or expired.</summary>
public sealed record ReservationView(WarehouseRef Warehouse, string Lot, Quantity Quantity, string Status);

public sealed record TransitionRequest(string? Reason);

public sealed record ResolveRequest(string? Outcome, string? Reason);

/// <summary>The outcomes of <c>POST /api/deals/{id}/resolve</c>.</summary>
public static class ResolveOutcomes
{
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Resumed = "resumed";
}

public sealed record ReviewRequest(string? Reason);

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
        builder.Services.AddScoped<DealWorkflow>();
        builder.Services.AddScoped<DealActions>();
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
        foreach (var action in new[] { DealTransitions.Ship, DealTransitions.Deliver, DealTransitions.Complete, DealTransitions.Cancel, DealTransitions.Dispute })
        {
            api.MapPost($"/{{id:guid}}/{action}", (Guid id, TransitionRequest? request, DealWorkflow workflow, CancellationToken ct) =>
                    TransitionAsync(id, action, null, request?.Reason, workflow, ct))
                .WithName($"Deal{char.ToUpperInvariant(action[0])}{action[1..]}");
        }
        api.MapPost("/{id:guid}/resolve", Resolve).WithName("ResolveDeal");
        api.MapGet("/{id:guid}/contract", Contract).WithName("GetDealContract").WithDownloadHeaders();
        api.MapPost("/{id:guid}/documents", UploadDocument).WithName("UploadDealDocument")
            .WithSummary("Upload one checklist document: multipart/form-data with 'kind' and 'file' (PDF, PNG, JPEG; 10 MB).")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(DealWorkflow.DocumentRules.MaxBytesPerFile + 1024 * 1024));
        api.MapGet("/{id:guid}/documents/{documentId:guid}", DownloadDocument).WithName("DownloadDealDocument").WithDownloadHeaders();
        api.MapPost("/{id:guid}/documents/{documentId:guid}/accept", (Guid id, Guid documentId, DealWorkflow workflow, CancellationToken ct) =>
            ReviewAsync(id, documentId, true, null, workflow, ct)).WithName("AcceptDealDocument");
        api.MapPost("/{id:guid}/documents/{documentId:guid}/reject", (Guid id, Guid documentId, ReviewRequest? request, DealWorkflow workflow, CancellationToken ct) =>
            ReviewAsync(id, documentId, false, request?.Reason, workflow, ct)).WithName("RejectDealDocument");
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

    /// <summary>One deal with its checklist and log; another organization's deal is simply not found.</summary>
    static async Task<Results<Ok<DealDetailResponse>, ProblemHttpResult>> GetDeal(
        Guid id, MarketDbContext db, CurrentUser user, OrganizationAccess organizations, DealWorkflow workflow, DealService deals, StockLedger ledger, CancellationToken ct)
    {
        if (await workflow.AccessAsync(id, ct) is not { } access)
        {
            return Problems.NotFound("Deal");
        }
        return TypedResults.Ok(await DetailAsync(access, db, user, organizations, workflow, deals, ledger, ct));
    }

    static async Task<DealDetailResponse> DetailAsync(
        DealAccess access, MarketDbContext db, CurrentUser user, OrganizationAccess organizations, DealWorkflow workflow, DealService deals, StockLedger ledger,
        CancellationToken ct)
    {
        var deal = access.Deal;
        var summary = (await ProjectAsync(db, organizations, user.Id, db.Deals.Where(d => d.Id == deal.Id), ct)).Single();
        ReservationView? reservation = null;
        if (deal.ReservationId is { } reservationId && await ledger.HeldAsync(reservationId, ct) is { } held)
        {
            reservation = new ReservationView(new WarehouseRef(held.WarehouseId, held.WarehouseName), held.LotNumber, new Quantity(held.Quantity, held.Unit),
                System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(held.Status.ToString()));
        }
        var events = await db.DealEvents.AsNoTracking().Where(e => e.DealId == deal.Id).OrderBy(e => e.Sequence).Take(500).ToListAsync(ct);
        return new DealDetailResponse(summary.Id, summary.RoomId, summary.OfferId, summary.Listing, summary.Buyer, summary.Seller, summary.MySide, deal.Status,
            deal.Terms, summary.Total, deals.FactsOf(deal, deal.Status).Deposit, deal.ReservationId, reservation,
            DealTransitions.AllowedFor(deal.Status, access.Acts, deal.DisputedFrom), await workflow.ChecklistAsync(deal, ct), events.Select(DealEventResponse.Of).ToList(),
            deal.ContractSha256, deal.CreatedAt);
    }

    static async Task<Results<Ok<DealEventResponse>, ValidationProblem, ProblemHttpResult>> TransitionAsync(
        Guid id, string action, DealStatus? to, string? reason, DealWorkflow workflow, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Check(reason is null || reason.Length <= DealService.MaxReasonLength, "reason", $"At most {DealService.MaxReasonLength} characters.");
        errors.Check(action != DealTransitions.Dispute || !string.IsNullOrWhiteSpace(reason), "reason", "Say what the dispute is about.");
        if (await workflow.AccessAsync(id, ct) is not { } access)
        {
            return Problems.NotFound("Deal");
        }
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        return TypedResults.Ok(DealEventResponse.Of(await workflow.TransitionAsync(access, action, to, reason, ct)));
    }

    /// <summary>
    /// A platform admin ends a dispute: <c>outcome</c> completed, cancelled, or resumed (back to the state the dispute was
    /// opened from), with the reason.
    /// </summary>
    static async Task<Results<Ok<DealEventResponse>, ValidationProblem, ProblemHttpResult>> Resolve(
        Guid id, ResolveRequest request, DealWorkflow workflow, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Check(request.Outcome is ResolveOutcomes.Completed or ResolveOutcomes.Cancelled or ResolveOutcomes.Resumed, "outcome",
            "completed, cancelled or resumed.");
        errors.Check(!string.IsNullOrWhiteSpace(request.Reason), "reason", "Say how the dispute was resolved.");
        errors.Check(request.Reason is null || request.Reason.Length <= DealService.MaxReasonLength, "reason", $"At most {DealService.MaxReasonLength} characters.");
        if (await workflow.AccessAsync(id, ct) is not { } access)
        {
            return Problems.NotFound("Deal");
        }
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        DealStatus? to = request.Outcome switch
        {
            ResolveOutcomes.Completed => DealStatus.Completed,
            ResolveOutcomes.Cancelled => DealStatus.Cancelled,
            // Not disputed: no resolve transition exists, and the workflow answers 409 naming what is allowed.
            _ => access.Deal.DisputedFrom ?? DealStatus.Disputed,
        };
        return TypedResults.Ok(DealEventResponse.Of(await workflow.TransitionAsync(access, DealTransitions.Resolve, to, request.Reason, ct)));
    }

    static async Task<Results<Created<ChecklistItem>, ValidationProblem, ProblemHttpResult>> UploadDocument(
        Guid id, HttpRequest request, DealWorkflow workflow, CancellationToken ct)
    {
        if (await workflow.AccessAsync(id, ct) is not { } access)
        {
            return Problems.NotFound("Deal");
        }
        if (!request.HasFormContentType)
        {
            return ValidationErrors.For("file", "Send the document as multipart/form-data with the fields 'kind' and 'file'.");
        }
        var form = await request.ReadFormAsync(ct);
        var errors = new ValidationErrors();
        var kind = form["kind"].ToString();
        var checklist = await workflow.ChecklistAsync(access.Deal, ct);
        errors.Check(checklist.Any(i => i.Kind == kind), "kind", $"One of this deal's checklist: {string.Join(", ", checklist.Select(i => i.Kind))}.");
        errors.Check(form.Files.All(f => f.Name == "file"), "file", "The document goes in the field 'file'.");
        var accepted = await FileStore.CheckAsync(form.Files.GetFiles("file"), "file", DealWorkflow.DocumentRules, errors, ct);
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        var document = await workflow.UploadAsync(access, kind, accepted[0], ct);
        var item = (await workflow.ChecklistAsync(access.Deal, ct)).Single(i => i.Kind == kind);
        return TypedResults.Created($"/api/deals/{id}/documents/{document.Id}", item);
    }

    /// <summary>The contract PDF for both parties (outsiders 404); its SHA-256 is in <c>X-Content-SHA256</c> and on the deal.</summary>
    static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Contract(Guid id, DealWorkflow workflow, HttpResponse response, CancellationToken ct)
    {
        if (await workflow.AccessAsync(id, ct) is not { } access)
        {
            return Problems.NotFound("Deal");
        }
        if (await workflow.ContractAsync(access, ct) is not { } bytes)
        {
            return TypedResults.Problem(title: "The contract cannot be drawn: no font is installed on this host.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        response.Headers["X-Content-SHA256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        return TypedResults.File(bytes, "application/pdf", $"contract-{id:N}.pdf");
    }

    static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadDocument(Guid id, Guid documentId, DealWorkflow workflow, CancellationToken ct)
    {
        if (await workflow.AccessAsync(id, ct) is not { } access || await workflow.OpenAsync(access, documentId, ct) is not { } opened)
        {
            return Problems.NotFound("Document");
        }
        return TypedResults.File(opened.Content, opened.Document.ContentType, opened.Document.FileName);
    }

    static async Task<Results<Ok<ChecklistItem>, ValidationProblem, ProblemHttpResult>> ReviewAsync(
        Guid id, Guid documentId, bool accept, string? reason, DealWorkflow workflow, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Check(accept || !string.IsNullOrWhiteSpace(reason), "reason", "Say why the document is rejected.");
        errors.Check(reason is null || reason.Length <= DealService.MaxReasonLength, "reason", $"At most {DealService.MaxReasonLength} characters.");
        if (await workflow.AccessAsync(id, ct) is not { } access)
        {
            return Problems.NotFound("Deal");
        }
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        if (await workflow.ReviewAsync(access, documentId, accept, reason, ct) is not { } document)
        {
            return Problems.NotFound("Document");
        }
        return TypedResults.Ok((await workflow.ChecklistAsync(access.Deal, ct)).Single(i => i.Kind == document.Kind));
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
