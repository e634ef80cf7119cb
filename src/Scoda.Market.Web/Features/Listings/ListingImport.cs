using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Features.FxRates;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Csv;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Text;
using static Scoda.Market.Web.Features.Listings.ListingsEndpoints;

namespace Scoda.Market.Web.Features.Listings;

/// <summary>
/// <c>POST /api/listings/import?organizationId=</c>: a CSV of listings (a file in 'file', or a text/csv body). Valid rows
/// become drafts together in one transaction; each invalid row is reported with its line number and field errors.
/// </summary>
public static class ListingImport
{
    public const int MaxRows = 2000;
    public const long MaxBytes = 5 * 1024 * 1024;

    /// <summary>Columns in the order of the template; a list cell separates values with ';', specs are key=value pairs.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "category", "title_en", "title_ru", "title_zh", "description_en", "description_ru", "description_zh", "hs_code", "specs",
        "origin_country", "origin_region", "quantity", "quantity_unit", "min_order", "min_order_unit", "price", "currency", "price_unit",
        "incoterm", "named_place", "delivery_mode", "payment_terms", "packaging", "lead_time_days", "certificates", "valid_until",
    ];

    static readonly string[] TextLanguages = ["en", "ru", "zh"];

    static readonly string[] Required = ["category", "quantity", "quantity_unit", "price", "currency", "price_unit", "incoterm", "named_place", "valid_until"];

    public static IEndpointRouteBuilder MapListingImportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/listings/import", Import).WithTags("Listings").WithName("ImportListings").RequireAuthorization()
            .WithSummary("CSV with the columns of GET /api/listings/import/template; valid rows become drafts.")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBytes + 64 * 1024));
        app.MapGet("/api/listings/import/template", (TimeProvider clock) => TypedResults.Text(ListingImportReference.Template(clock.GetUtcNow()), "text/csv"))
            .WithTags("Listings").WithName("ListingImportTemplate").AllowAnonymous()
            .WithSummary("The import columns and one example row per commodity group.");
        app.MapGet("/api/listings/import/reference", () => TypedResults.Ok(ListingImportReference.Build()))
            .WithTags("Listings").WithName("ListingImportReference").AllowAnonymous()
            .WithSummary("Every code the import accepts: categories with HS and unit, spec keys with units and ranges, payment terms, Incoterms, delivery modes, units, currencies, packagings, certificates.");
        app.MapGet("/api/listings/import/reference.csv", () => TypedResults.Text(ListingImportReference.ToCsv(ListingImportReference.Build()), "text/csv"))
            .WithTags("Listings").WithName("ListingImportReferenceCsv").AllowAnonymous();
        return app;
    }

    static async Task<Results<Ok<ImportResult>, ValidationProblem, ProblemHttpResult>> Import(
        Guid? organizationId, HttpRequest request, ListingContext c, CancellationToken ct)
    {
        if (organizationId is not { } orgId)
        {
            return ValidationErrors.For("organizationId", "Required: the organization the drafts belong to.");
        }
        var access = await c.Organizations.CheckAsync(orgId, OrganizationAction.Trade, hideFromOutsiders: false, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only an owner or trader of the organization can import listings for it.");
        }
        var text = await ReadBodyAsync(request, ct);
        if (text is null)
        {
            return ValidationErrors.For("file", $"Send a UTF-8 CSV of at most {MaxBytes / (1024 * 1024)} MB as 'file' in multipart/form-data, or as a text/csv body.");
        }
        if (InputText.Problem(text) is { } unsafeText)
        {
            return ValidationErrors.For("file", unsafeText);
        }

        List<(int Line, IReadOnlyList<string> Fields)> records;
        try
        {
            records = CsvReader.Read(new StringReader(text)).ToList();
        }
        catch (FormatException ex)
        {
            return ValidationErrors.For("file", ex.Message);
        }
        if (records.Count == 0)
        {
            return ValidationErrors.For("file", "The file is empty; the first line names the columns.");
        }
        var header = records[0].Fields.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var headerErrors = new ValidationErrors();
        foreach (var unknown in header.Where(h => !Columns.Contains(h)))
        {
            headerErrors.Add("file", $"Unknown column '{unknown}'. Columns: {string.Join(", ", Columns)}.");
        }
        foreach (var missing in Required.Where(r => !header.Contains(r)))
        {
            headerErrors.Add("file", $"Missing column '{missing}'.");
        }
        headerErrors.Check(header.Distinct().Count() == header.Count, "file", "A column is named twice.");
        headerErrors.Check(records.Count - 1 <= MaxRows, "file", $"At most {MaxRows} rows per file.");
        if (!headerErrors.IsValid)
        {
            return headerErrors.ToProblem();
        }

        var categories = await c.Db.Categories.AsNoTracking().ToDictionaryAsync(k => k.Key, ct);
        var rates = await FxTable.LoadAsync(c.Db, ct);
        var rejected = new List<ImportRejection>();
        var created = new List<Guid>();
        foreach (var (line, fields) in records.Skip(1))
        {
            var errors = new ValidationErrors();
            if (fields.Count != header.Count)
            {
                rejected.Add(new ImportRejection(line, new ValidationErrors().Add("row", $"Has {fields.Count} fields; the header has {header.Count}.").ToDictionary()));
                continue;
            }
            var cells = header.Zip(fields).ToDictionary(p => p.First, p => p.Second.Trim(), StringComparer.Ordinal);
            var row = ToRequest(cells, orgId, categories, errors, out var category);
            var valid = ListingRules.Read(row, category, c.Now, errors);
            if (valid is null)
            {
                rejected.Add(new ImportRejection(line, errors.ToDictionary()));
                continue;
            }
            created.Add(ListingWriter.NewDraft(orgId, category!, valid, rates, c.User.Id, c.Now, c.Db).Id);
        }
        // All valid rows in one SaveChanges: one transaction, so a failure leaves no half-imported file.
        await c.Db.SaveChangesAsync(ct);
        return TypedResults.Ok(new ImportResult(created.Count, created, rejected));
    }

    static ListingRequest ToRequest(Dictionary<string, string> cells, Guid organizationId, Dictionary<string, Taxonomy.Category> categories,
        ValidationErrors errors, out Taxonomy.Category? category)
    {
        string? Cell(string name) => cells.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
        decimal? Number(string name)
        {
            var text = Cell(name);
            if (text is null)
            {
                return null;
            }
            if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
            errors.Add(name, "Not a number (use a dot for decimals, no thousands separators).");
            return null;
        }
        List<string> List(string name) => (Cell(name) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        Dictionary<string, string?> Texts(string prefix) => TextLanguages
            .Where(l => Cell($"{prefix}_{l}") is not null).ToDictionary(l => l, l => Cell($"{prefix}_{l}"));

        category = Cell("category") is { } key && categories.TryGetValue(key, out var found) ? found : null;
        if (category is null)
        {
            errors.Add("category", "Not a category key (e.g. wheat, iron-ore); see GET /api/categories.");
        }
        var specs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var pair in List("specs"))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0)
            {
                errors.Add("specs", $"'{pair}' is not key=value.");
                continue;
            }
            specs[parts[0]] = JsonSerializer.SerializeToElement(parts[1]);
        }
        DateTimeOffset? validUntil = null;
        if (Cell("valid_until") is { } until)
        {
            if (DateTimeOffset.TryParse(until, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                validUntil = parsed;
            }
            else
            {
                errors.Add("validUntil", "An ISO 8601 date, e.g. 2027-03-31.");
            }
        }
        int? leadTime = null;
        if (Cell("lead_time_days") is { } lead)
        {
            leadTime = int.TryParse(lead, NumberStyles.None, CultureInfo.InvariantCulture, out var days) ? days : -1;
        }
        return new ListingRequest(
            organizationId, category?.Id, Texts("title"), Texts("description"), Cell("hs_code"), specs,
            Cell("origin_country"), Cell("origin_region"),
            new QuantityInput(Number("quantity"), Cell("quantity_unit")),
            new QuantityInput(Number("min_order") ?? Number("quantity"), Cell("min_order_unit") ?? Cell("quantity_unit")),
            new PriceInput(Number("price"), Cell("currency"), Cell("price_unit")),
            Cell("incoterm"), Cell("named_place"), Cell("delivery_mode") ?? "sea", List("payment_terms") is { Count: > 0 } terms ? terms : ["tt_advance"],
            Cell("packaging"), leadTime, List("certificates"), validUntil);
    }

    static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file");
            if (file is null || file.Length == 0 || file.Length > MaxBytes)
            {
                return null;
            }
            using var reader = new StreamReader(file.OpenReadStream(), new UTF8Encoding(false, throwOnInvalidBytes: true));
            return await ReadTextAsync(reader);
        }
        if (request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true && request.ContentLength is null or <= MaxBytes)
        {
            using var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            var text = await ReadTextAsync(reader);
            return text is { Length: > 0 } && Encoding.UTF8.GetByteCount(text) <= MaxBytes ? text : null;
        }
        return null;
    }

    static async Task<string?> ReadTextAsync(StreamReader reader)
    {
        try
        {
            return await reader.ReadToEndAsync();
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
