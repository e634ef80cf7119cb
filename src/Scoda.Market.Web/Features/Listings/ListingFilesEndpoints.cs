using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Storage;
using static Scoda.Market.Web.Features.Listings.ListingsEndpoints;

namespace Scoda.Market.Web.Features.Listings;

/// <summary>Photos of the goods and documents (certificates, specification sheets) attached to a listing.</summary>
public static class ListingFilesEndpoints
{
    public const string Area = "listings";
    public const int MaxFilesPerListing = 20;

    public static readonly UploadRules PhotoRules = new([FileKind.Jpeg, FileKind.Png], 5 * 1024 * 1024, 10);
    public static readonly UploadRules DocumentRules = new([FileKind.Pdf, FileKind.Jpeg, FileKind.Png], 10 * 1024 * 1024, 10);

    public static IEndpointRouteBuilder MapListingFilesEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/listings/{id:guid}/files").WithTags("Listings").RequireAuthorization();
        api.MapPost("/", UploadFiles).WithName("UploadListingFiles")
            .WithSummary("multipart/form-data: 'kind' (photo|document) and up to 10 files in 'files' (photos JPEG/PNG 5 MB, documents PDF/JPEG/PNG 10 MB).")
            .WithMetadata(new RequestSizeLimitAttribute(110L * 1024 * 1024));
        api.MapGet("/{fileId:guid}", DownloadFile).WithName("DownloadListingFile").AllowAnonymous().WithDownloadHeaders();
        api.MapDelete("/{fileId:guid}", DeleteFile).WithName("DeleteListingFile");
        return app;
    }

    static async Task<Results<Ok<ListingResponse>, ValidationProblem, ProblemHttpResult>> UploadFiles(
        Guid id, HttpRequest request, ListingContext c, FileStore files, CancellationToken ct)
    {
        var (listing, denied) = await FindForChangeAsync(c, id, ct);
        if (denied is not null)
        {
            return denied;
        }
        if (!request.HasFormContentType)
        {
            return ValidationErrors.For("files", "Send multipart/form-data with 'kind' and 'files'.");
        }
        var form = await request.ReadFormAsync(ct);
        var errors = new ValidationErrors();
        if (!EnumText.TryParse<ListingFileKind>(form["kind"].ToString(), out var kind))
        {
            return ValidationErrors.For("kind", "One of photo, document.");
        }
        var accepted = await FileStore.CheckAsync(form.Files.GetFiles("files"), "files", kind == ListingFileKind.Photo ? PhotoRules : DocumentRules, errors, ct);
        var existing = await c.Db.ListingFiles.CountAsync(f => f.ListingId == id, ct);
        errors.Check(existing + accepted.Count <= MaxFilesPerListing, "files", $"A listing keeps at most {MaxFilesPerListing} files.");
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        await files.StoreAsync(Area, id, accepted, c.Now,
            (file, fileId, sha256) => new ListingFile
            {
                Id = fileId, ListingId = id, Kind = kind, FileName = file.FileName, ContentType = file.Kind.ContentType, Size = file.File.Length,
                Sha256 = sha256, UploadedAt = c.Now, UploadedBy = c.User.Id,
            },
            async rows =>
            {
                c.Db.ListingFiles.AddRange(rows);
                await c.Db.SaveChangesAsync(ct);
            }, ct);
        return TypedResults.Ok(await LoadResponseAsync(c, listing!.Id, ct));
    }

    static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadFile(
        Guid id, Guid fileId, ListingContext c, FileStore files, CancellationToken ct)
    {
        if (!await IsReadableAsync(c, id, ct))
        {
            return Problems.NotFound("Listing");
        }
        var file = await c.Db.ListingFiles.AsNoTracking().SingleOrDefaultAsync(f => f.Id == fileId && f.ListingId == id, ct);
        var stream = file is null ? null : files.OpenRead(Area, id, file.Id);
        return file is null || stream is null ? Problems.NotFound("File") : TypedResults.File(stream, file.ContentType, file.FileName);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> DeleteFile(Guid id, Guid fileId, ListingContext c, FileStore files, CancellationToken ct)
    {
        var (_, denied) = await FindForChangeAsync(c, id, ct);
        if (denied is not null)
        {
            return denied;
        }
        var file = await c.Db.ListingFiles.SingleOrDefaultAsync(f => f.Id == fileId && f.ListingId == id, ct);
        if (file is null)
        {
            return Problems.NotFound("File");
        }
        c.Db.ListingFiles.Remove(file);
        await c.Db.SaveChangesAsync(ct);
        files.Delete(Area, id, fileId);
        return TypedResults.NoContent();
    }
}
