using AutoMapper;
using AutoMapper.QueryableExtensions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Storage;
using Scoda.Market.Web.Infrastructure.Text;

namespace Scoda.Market.Web.Features.Organizations;

/// <summary>Know-your-business verification: an owner uploads documents, a moderator or admin decides.</summary>
public static class VerificationEndpoints
{
    public const string DocumentArea = "kyb";

    public static readonly UploadRules DocumentRules = new([FileKind.Pdf, FileKind.Png, FileKind.Jpeg], 10 * 1024 * 1024, 5);

    public static IEndpointRouteBuilder MapVerificationEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/organizations/{id:guid}/verification").WithTags("Organizations").RequireAuthorization();
        // No Accepts<>() content-type constraint: a JSON body must get the field error below, not a routing 404/415.
        api.MapPost("/", RequestVerification).WithName("RequestVerification")
            .WithSummary("Request verification: multipart/form-data with up to 5 files in 'documents' (PDF, PNG, JPEG; 10 MB each) and an optional 'note'.")
            .WithMetadata(new RequestSizeLimitAttribute(DocumentRules.MaxFiles * DocumentRules.MaxBytesPerFile + 1024 * 1024));
        api.MapGet("/documents/{documentId:guid}", DownloadDocument).WithName("DownloadVerificationDocument").WithDownloadHeaders();

        var admin = app.MapGroup("/api/admin/organizations").WithTags("Administration").RequireAuthorization(AuthSetup.VerifierPolicy);
        admin.MapGet("/", VerificationQueue).WithName("VerificationQueue");
        admin.MapGet("/{id:guid}", GetForReview).WithName("GetOrganizationForReview");
        admin.MapPost("/{id:guid}/verification", Decide).WithName("DecideVerification");
        return app;
    }

    static async Task<Results<Ok<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> RequestVerification(
        Guid id, HttpRequest request, MarketDbContext db, CurrentUser user, OrganizationAccess organizations,
        FileStore files, TimeProvider clock, IMapper mapper, CancellationToken ct)
    {
        var access = await organizations.CheckAsync(id, OrganizationAction.Manage, hideFromOutsiders: false, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only an owner can request verification.");
        }
        if (!request.HasFormContentType)
        {
            return ValidationErrors.For("documents", "Send the documents as multipart/form-data in the field 'documents'.");
        }
        var form = await request.ReadFormAsync(ct);
        var errors = new ValidationErrors();
        var note = form["note"].ToString();
        errors.Check(note.Length <= 2000, "note", "At most 2000 characters.");
        errors.Check(InputText.IsAcceptable(note), "note", InputText.Problem(note) ?? "");
        var accepted = await FileStore.CheckAsync(form.Files.GetFiles("documents"), "documents", DocumentRules, errors, ct);
        errors.Check(form.Files.All(f => f.Name == "documents"), "documents", "Files go in the field 'documents'.");
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }

        var organization = await db.Organizations.SingleAsync(o => o.Id == id, ct);
        if (organization.VerificationStatus is VerificationStatus.Pending or VerificationStatus.Verified)
        {
            return Problems.Conflict(organization.VerificationStatus == VerificationStatus.Pending
                ? "Verification is already pending; wait for the decision."
                : "The organization is already verified.");
        }

        var now = clock.GetUtcNow();
        try
        {
            await files.StoreAsync(DocumentArea, id, accepted, now,
                (file, documentId, sha256) => new VerificationDocument
                {
                    Id = documentId, OrganizationId = id, FileName = file.FileName, ContentType = file.Kind.ContentType, Size = file.File.Length,
                    Sha256 = sha256, UploadedBy = user.Id, UploadedAt = now,
                },
                async documents =>
                {
                    db.VerificationDocuments.AddRange(documents);
                    organization.VerificationStatus = VerificationStatus.Pending;
                    organization.VerificationNote = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
                    organization.VerificationRequestedAt = now;
                    organization.VerificationDecidedAt = null;
                    organization.VerificationDecidedBy = null;
                    organization.Version = Guid.NewGuid();
                    await db.SaveChangesAsync(ct);
                }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The organization was changed by someone else meanwhile; reload and try again.");
        }
        return TypedResults.Ok(await OrganizationsEndpoints.LoadAsync(db, mapper, id, ct));
    }

    static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadDocument(
        Guid id, Guid documentId, MarketDbContext db, CurrentUser user, IAuthorizationService authorization, OrganizationAccess organizations, FileStore files, CancellationToken ct)
    {
        var verifier = (await authorization.AuthorizeAsync(user.Principal, AuthSetup.VerifierPolicy)).Succeeded;
        if (!verifier)
        {
            var access = await organizations.CheckAsync(id, OrganizationAction.Read, hideFromOutsiders: true, ct);
            if (access != Access.Allowed)
            {
                return OrganizationAccess.Denied(access, "Only members and verifiers see verification documents.");
            }
        }
        var document = await db.VerificationDocuments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == documentId && d.OrganizationId == id, ct);
        var stream = document is null ? null : files.OpenRead(DocumentArea, id, document.Id);
        if (document is null || stream is null)
        {
            return Problems.NotFound("Document");
        }
        return TypedResults.File(stream, document.ContentType, document.FileName);
    }

    static async Task<Results<Ok<Page<VerificationQueueItem>>, ValidationProblem>> VerificationQueue(
        string? status, string? cursor, int? limit, MarketDbContext db, IMapper mapper, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var wanted = VerificationStatus.Pending;
        if (status is not null && !EnumText.TryParse(status, out wanted))
        {
            errors.Add("status", "One of unverified, pending, verified, rejected.");
        }
        if (!PageRequest.TryParse(cursor, limit, errors, out var page))
        {
            return errors.ToProblem();
        }
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }

        var query = db.Organizations.AsNoTracking().Where(o => o.VerificationStatus == wanted);
        var rows = await query.PageOldestFirst(page, o => o.CreatedAt, o => o.Id)
            .ProjectTo<VerificationQueueItem>(mapper.ConfigurationProvider).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, r => new Cursor(r.CreatedAt, r.Id)));
    }

    static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> GetForReview(
        Guid id, MarketDbContext db, IMapper mapper, CancellationToken ct) =>
        await db.Organizations.AnyAsync(o => o.Id == id, ct)
            ? TypedResults.Ok(await OrganizationsEndpoints.LoadAsync(db, mapper, id, ct))
            : Problems.NotFound("Organization");

    static async Task<Results<Ok<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> Decide(
        Guid id, VerificationDecisionRequest request, MarketDbContext db, CurrentUser user, TimeProvider clock, IMapper mapper,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var decision = request.Decision?.Trim().ToLowerInvariant() switch
        {
            "verified" => VerificationStatus.Verified,
            "rejected" => VerificationStatus.Rejected,
            _ => (VerificationStatus?)null,
        };
        errors.Check(decision is not null, "decision", "One of verified, rejected.");
        errors.Check(request.Note is null || request.Note.Length <= 2000, "note", "At most 2000 characters.");
        errors.Check(decision != VerificationStatus.Rejected || !string.IsNullOrWhiteSpace(request.Note), "note",
            "Say why it is rejected, so the organization can fix it.");
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        var organization = await db.Organizations.SingleOrDefaultAsync(o => o.Id == id, ct);
        if (organization is null)
        {
            return Problems.NotFound("Organization");
        }
        if (organization.VerificationStatus != VerificationStatus.Pending)
        {
            return Problems.Conflict($"Only a pending request can be decided; this one is {organization.VerificationStatus.ToString().ToLowerInvariant()}.");
        }
        organization.VerificationStatus = decision!.Value;
        organization.VerificationNote = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim();
        organization.VerificationDecidedAt = clock.GetUtcNow();
        organization.VerificationDecidedBy = user.Id;
        organization.Version = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The organization was changed meanwhile; reload and decide again.");
        }
        return TypedResults.Ok(await OrganizationsEndpoints.LoadAsync(db, mapper, id, ct));
    }
}
