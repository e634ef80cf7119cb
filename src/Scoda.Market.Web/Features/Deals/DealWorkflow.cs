using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Storage;
using Scoda.Market.Web.Infrastructure.Pdf;

namespace Scoda.Market.Web.Features.Deals;

/// <summary>The caller's standing in one deal: the parties they may act as, and whether they may read it at all.</summary>
public sealed record DealAccess(Deal Deal, DealParty Acts, bool Reads, DealParty Side)
{
    public bool IsAdmin => (Acts & DealParty.Admin) != 0;
}

/// <summary>
/// What the sides do with a deal: the transitions they ask for (checked against <see cref="DealTransitions"/> and the
/// documents each needs), uploads and reviews of the checklist's documents. Each change runs in its own transaction
/// through <see cref="DealService"/>, so the event log, the stock ledger and the listeners commit together.
/// </summary>
public sealed class DealWorkflow(
    MarketDbContext db, DealService deals, ListingFacts listings, CurrentUser user, OrganizationAccess organizations, FileStore files, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<DealOptions> options)
{
    public const string DocumentArea = "deal-documents";
    public const string ContractArea = "deal-contracts";

    public static readonly UploadRules DocumentRules = new([FileKind.Pdf, FileKind.Png, FileKind.Jpeg], 10 * 1024 * 1024, 1);

    Guid? _actingAs;

    /// <summary>Who acts: the signed-in user, or the member <see cref="ActAs"/> named (never as a platform admin).</summary>
    Guid ActorId => _actingAs ?? user.Id;

    /// <summary>Acts for <paramref name="userId"/> outside a request (<see cref="DealActions"/>, for the demo seeder).</summary>
    internal void ActAs(Guid userId) => _actingAs = userId;

    /// <summary>The deal as the caller stands to it; null when the caller may not know it exists (404).</summary>
    public async Task<DealAccess?> AccessAsync(Guid dealId, CancellationToken ct)
    {
        var deal = await db.Deals.AsNoTracking().SingleOrDefaultAsync(d => d.Id == dealId, ct);
        if (deal is null)
        {
            return null;
        }
        var roles = await organizations.RolesByOrganizationAsync(ActorId, ct);
        var acts = DealParty.None;
        var side = DealParty.None;
        if (roles.TryGetValue(deal.BuyerOrganizationId, out var buyerRole))
        {
            side |= DealParty.Buyer;
            acts |= OrganizationAccess.Permits(buyerRole, OrganizationAction.Trade) ? DealParty.Buyer : DealParty.None;
        }
        if (roles.TryGetValue(deal.SellerOrganizationId, out var sellerRole))
        {
            side |= DealParty.Seller;
            acts |= OrganizationAccess.Permits(sellerRole, OrganizationAction.Trade) ? DealParty.Seller : DealParty.None;
        }
        if (_actingAs is null && user.IsInRole(PlatformRoles.Admin))
        {
            acts |= DealParty.Admin;
        }
        var reads = side != DealParty.None || (acts & DealParty.Admin) != 0;
        return reads ? new DealAccess(deal, acts, reads, side) : null;
    }

    /// <summary>
    /// Makes the caller's <paramref name="action"/>: 409 (<see cref="DealConflictException"/>) when the state does not
    /// allow it or its documents are missing, <see cref="DealForbiddenException"/> when the caller's side may not take it.
    /// </summary>
    public async Task<DealEvent> TransitionAsync(DealAccess access, string action, DealStatus? to, string? reason, CancellationToken ct)
    {
        var deal = access.Deal;
        var candidates = DealTransitions.All.Where(t => t.From == deal.Status && t.Action == action && (to is null || t.To == to)
            && DealTransitions.IsOpenTo(t, deal.DisputedFrom)).ToList();
        if (candidates.Count == 0)
        {
            throw DealService.Conflict(deal.Status, access.Acts, $"A deal in {deal.Status} cannot be {Describe(action)}{(to is { } target ? $" to {target}" : "")}.",
                deal.DisputedFrom);
        }
        var transition = candidates.FirstOrDefault(t => (t.By & access.Acts) != 0)
            ?? throw new DealForbiddenException(WhoMay(candidates[0]));
        var blocked = await DocumentsBlockingAsync(deal, transition.To, ct);
        if (blocked is not null)
        {
            throw DealService.Conflict(deal.Status, access.Acts, blocked, deal.DisputedFrom);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var recorded = await deals.TransitionAsync(deal, transition, ActorId, reason, ct);
        await transaction.CommitAsync(ct);
        return recorded;
    }

    /// <summary>Shipping needs the transport document uploaded (not rejected); completing needs every required document accepted.</summary>
    async Task<string?> DocumentsBlockingAsync(Deal deal, DealStatus to, CancellationToken ct)
    {
        if (to is not (DealStatus.Shipped or DealStatus.Completed) || deal.Status == DealStatus.Disputed)
        {
            return null;
        }
        var checklist = await ChecklistAsync(deal, ct);
        if (to == DealStatus.Shipped)
        {
            var transport = checklist.First(i => DealChecklist.TransportDocuments.Contains(i.Kind));
            return transport.Status is "uploaded" or "accepted" ? null : $"Upload the transport document ({transport.Kind}) before shipping.";
        }
        var missing = checklist.Where(i => i.Required && i.Status != "accepted").Select(i => i.Kind).ToList();
        return missing.Count == 0 ? null : $"Every required document must be accepted first; not yet: {string.Join(", ", missing)}.";
    }

    /// <summary>The deal's checklist with the state of the newest upload of each kind.</summary>
    public async Task<IReadOnlyList<ChecklistItem>> ChecklistAsync(Deal deal, CancellationToken ct)
    {
        var hsCode = (await listings.CommodityAsync(deal.ListingId, ct))?.HsCode;
        var uploads = await db.DealDocuments.AsNoTracking().Where(d => d.DealId == deal.Id).ToListAsync(ct);
        var newest = uploads.GroupBy(d => d.Kind).ToDictionary(g => g.Key, g => g.OrderByDescending(d => d.UploadedAt).ThenByDescending(d => d.Id).First());
        return DealChecklist.For(deal.Terms, hsCode).Select(r =>
        {
            var document = newest.GetValueOrDefault(r.Kind);
            return new ChecklistItem(r.Kind, true, r.Reason, r.Issuer, document is null ? "missing" : StatusText(document.Status), document?.Id,
                document?.FileName, document?.RejectionReason);
        }).ToList();
    }

    public async Task<DealDocument> UploadAsync(DealAccess access, string kind, AcceptedFile file, CancellationToken ct)
    {
        RequireOpenForDocuments(access);
        if ((access.Acts & DealParty.Seller) == 0)
        {
            throw new DealForbiddenException("Only the seller's owners and traders upload the deal's documents.");
        }
        var now = clock.GetUtcNow();
        var stored = await files.StoreAsync(DocumentArea, access.Deal.Id, [file], now,
            (accepted, id, sha256) => new DealDocument
            {
                Id = id, DealId = access.Deal.Id, Kind = kind, FileName = accepted.FileName, ContentType = accepted.Kind.ContentType,
                Size = accepted.File.Length, Sha256 = sha256, Status = DealDocumentStatus.Uploaded, UploadedBy = ActorId, UploadedAt = now,
            },
            async rows =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                db.DealDocuments.AddRange(rows);
                await db.SaveChangesAsync(ct);
                await deals.RecordAsync(access.Deal.Id, DealEventKinds.DocumentUploaded, ActorId, kind, rows[0].Id, ct);
                await transaction.CommitAsync(ct);
            }, ct);
        return stored[0];
    }

    /// <summary>The buyer accepts or rejects the newest upload of a kind; an older or already reviewed one is a conflict.</summary>
    public async Task<DealDocument?> ReviewAsync(DealAccess access, Guid documentId, bool accept, string? reason, CancellationToken ct)
    {
        var document = await db.DealDocuments.SingleOrDefaultAsync(d => d.Id == documentId && d.DealId == access.Deal.Id, ct);
        if (document is null)
        {
            return null;
        }
        RequireOpenForDocuments(access);
        if ((access.Acts & DealParty.Buyer) == 0)
        {
            throw new DealForbiddenException("Only the buyer's owners and traders accept or reject the deal's documents.");
        }
        var newer = await db.DealDocuments.AnyAsync(d => d.DealId == document.DealId && d.Kind == document.Kind && d.UploadedAt > document.UploadedAt, ct);
        if (document.Status != DealDocumentStatus.Uploaded || newer)
        {
            throw new DealConflictException(access.Deal.Status, DealTransitions.AllowedFor(access.Deal.Status, access.Acts, access.Deal.DisputedFrom),
                newer ? "A newer upload of this document replaces it; review that one." : $"The document was already {StatusText(document.Status)}.");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        document.Status = accept ? DealDocumentStatus.Accepted : DealDocumentStatus.Rejected;
        document.ReviewedBy = ActorId;
        document.ReviewedAt = clock.GetUtcNow();
        document.RejectionReason = accept ? null : reason!.Trim();
        await db.SaveChangesAsync(ct);
        await deals.RecordAsync(access.Deal.Id, accept ? DealEventKinds.DocumentAccepted : DealEventKinds.DocumentRejected, ActorId,
            accept ? document.Kind : $"{document.Kind}: {document.RejectionReason}", document.Id, ct);
        await transaction.CommitAsync(ct);
        return document;
    }

    public async Task<(DealDocument Document, Stream Content)?> OpenAsync(DealAccess access, Guid documentId, CancellationToken ct)
    {
        var document = await db.DealDocuments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == documentId && d.DealId == access.Deal.Id, ct);
        return document is not null && files.OpenRead(DocumentArea, access.Deal.Id, document.Id) is { } stream ? (document, stream) : null;
    }

    /// <summary>
    /// The contract PDF: generated at the first request, stored with its SHA-256 on the deal, and the same bytes served
    /// after. Two first requests at once store one file: the conditional update keeps the first, the other is deleted.
    /// Null when no text font is installed.
    /// </summary>
    public async Task<byte[]?> ContractAsync(DealAccess access, CancellationToken ct)
    {
        var deal = access.Deal;
        if (deal.ContractFileId is { } stored && files.OpenRead(ContractArea, deal.Id, stored) is { } existing)
        {
            await using (existing)
            {
                using var copy = new MemoryStream();
                await existing.CopyToAsync(copy, ct);
                return copy.ToArray();
            }
        }
        var fonts = PdfFonts.Install();
        if (!fonts.HasText)
        {
            return null;
        }
        var seller = await organizations.IdentityAsync(deal.SellerOrganizationId, ct);
        var buyer = await organizations.IdentityAsync(deal.BuyerOrganizationId, ct);
        var commodity = await listings.CommodityAsync(deal.ListingId, ct);
        var facts = deals.FactsOf(deal, deal.Status);
        var bytes = ContractDocument.Render(new ContractData(deal.Id, deal.CreatedAt, Party("Seller", seller!), Party("Buyer", buyer!), commodity, deal.Terms, facts.Total,
            facts.Deposit, options.Value.DepositShare, DealChecklist.For(deal.Terms, commodity?.HsCode)), fonts);
        var fileId = Guid.CreateVersion7(clock.GetUtcNow());
        var sha256 = await files.SaveAsync(ContractArea, deal.Id, fileId, bytes, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var won = await db.Deals.Where(d => d.Id == deal.Id && d.ContractFileId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ContractFileId, fileId).SetProperty(d => d.ContractSha256, sha256), ct) == 1;
        if (!won)
        {
            await transaction.RollbackAsync(ct);
            files.Delete(ContractArea, deal.Id, fileId);
            return await ContractAsync(access with { Deal = await db.Deals.AsNoTracking().SingleAsync(d => d.Id == deal.Id, ct) }, ct);
        }
        await deals.RecordAsync(deal.Id, DealEventKinds.ContractGenerated, ActorId, $"SHA-256 {sha256}", null, ct);
        await transaction.CommitAsync(ct);
        return bytes;
    }

    static ContractParty Party(string role, OrganizationIdentity organization) =>
        new(role, organization.Name, organization.CountryCode, organization.RegistrationNumber, organization.LegalNameRu, organization.LegalNameZh);

    static void RequireOpenForDocuments(DealAccess access)
    {
        if (access.Deal.Status is DealStatus.Cancelled or DealStatus.Completed)
        {
            throw new DealConflictException(access.Deal.Status, [], $"The deal is {StatusText(access.Deal.Status)}; its documents no longer change.");
        }
    }

    static string StatusText(Enum status) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString());

    static string Describe(string action) => action switch
    {
        DealTransitions.Ship => "shipped",
        DealTransitions.Deliver => "marked delivered",
        DealTransitions.Complete => "completed",
        DealTransitions.Cancel => "cancelled",
        DealTransitions.Dispute => "disputed",
        DealTransitions.Resolve => "resolved",
        _ => $"moved by '{action}'",
    };

    static string WhoMay(DealTransition transition) => transition.By switch
    {
        DealParty.Seller => $"Only the seller's owners and traders may {transition.Action}.",
        DealParty.Buyer => $"Only the buyer's owners and traders may {transition.Action}.",
        DealParty.Admin => $"Only a platform admin may {transition.Action}.",
        _ => $"Only the deal's owners and traders may {transition.Action}.",
    };
}

/// <summary>One item of a deal's document checklist, with its newest upload's state (<c>missing</c> when none).</summary>
public sealed record ChecklistItem(
    string Kind, bool Required, string Reason, string? Issuer, string Status, Guid? DocumentId, string? FileName, string? RejectionReason);

/// <summary>A side of the deal asked for what only the other side (or an admin) may do: a 403 problem.</summary>
public sealed class DealForbiddenException(string detail) : Exception(detail), Infrastructure.Problems.IProblemSource
{
    public Microsoft.AspNetCore.Mvc.ProblemDetails ToProblemDetails() => new()
    {
        Status = StatusCodes.Status403Forbidden, Title = "You are not allowed to do this.", Detail = Message,
    };
}

/// <summary>
/// The sides' document and contract actions for a named member outside a request (the demo seeder carries a deal on
/// with them): the same <see cref="DealWorkflow"/> the endpoints use, with the same checks, log and files.
/// </summary>
[FeatureContract]
public sealed class DealActions(DealWorkflow workflow)
{
    /// <summary>The deal's checklist as <paramref name="userId"/> sees it; null when the user is no party of it.</summary>
    public async Task<IReadOnlyList<ChecklistItem>?> ChecklistAsync(Guid dealId, Guid userId, CancellationToken ct)
    {
        workflow.ActAs(userId);
        return await workflow.AccessAsync(dealId, ct) is { } access ? await workflow.ChecklistAsync(access.Deal, ct) : null;
    }

    /// <summary>The seller's member <paramref name="userId"/> uploads a document of <paramref name="kind"/> (type from its bytes, as an upload).</summary>
    public async Task<Guid> UploadAsync(Guid dealId, Guid userId, string kind, string fileName, byte[] content, CancellationToken ct)
    {
        workflow.ActAs(userId);
        var access = await workflow.AccessAsync(dealId, ct) ?? throw new InvalidOperationException($"User {userId} is no party of deal {dealId}.");
        var file = new FormFile(new MemoryStream(content), 0, content.Length, "file", fileName)
        {
            Headers = new HeaderDictionary(), ContentType = "application/octet-stream",
        };
        var errors = new Infrastructure.Problems.ValidationErrors();
        var accepted = await FileStore.CheckAsync([file], "file", DealWorkflow.DocumentRules, errors, ct);
        if (!errors.IsValid)
        {
            throw new InvalidOperationException($"{fileName} is no document the deal takes: {string.Join(" ", errors.ToDictionary().SelectMany(e => e.Value))}");
        }
        return (await workflow.UploadAsync(access, kind, accepted[0], ct)).Id;
    }

    /// <summary>The contract as a party downloads it (generated and its SHA-256 stored at the first request); null without fonts.</summary>
    public async Task<byte[]?> ContractAsync(Guid dealId, Guid userId, CancellationToken ct)
    {
        workflow.ActAs(userId);
        var access = await workflow.AccessAsync(dealId, ct) ?? throw new InvalidOperationException($"User {userId} is no party of deal {dealId}.");
        return await workflow.ContractAsync(access, ct);
    }
}
