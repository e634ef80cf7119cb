using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.Taxonomy;

/// <summary>
/// The commodity taxonomy shipped as <c>Features/Taxonomy/taxonomy.json</c> (sources cited in its header). Applied at
/// start when its checksum differs from the one stored: categories are upserted by key, never deleted, because
/// listings keep pointing at them.
/// </summary>
[FeatureContract]
public sealed class TaxonomyFile : IReferenceData
{
    sealed record Node(string Key, LocalizedText Name, string? HsCode, string? Unit, List<SpecField>? Specs, List<Node>? Children);

    sealed record Document(int Version, List<Node> Categories);

    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    static readonly Lazy<(string Checksum, IReadOnlyList<Category> Categories)> Shipped = new(Load);

    public string Name => "taxonomy";

    /// <summary>Every category of the shipped file, parents before children.</summary>
    public static IReadOnlyList<Category> Categories => Shipped.Value.Categories;

    static readonly Lazy<IReadOnlyDictionary<string, Category>> Keyed = new(() => Categories.ToDictionary(c => c.Key, StringComparer.Ordinal));

    /// <summary>The shipped categories by key; the database holds the same after start-up.</summary>
    public static IReadOnlyDictionary<string, Category> ByKey => Keyed.Value;

    public async Task ApplyAsync(MarketDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (checksum, categories) = Shipped.Value;
        var revision = await db.ReferenceDataRevisions.SingleOrDefaultAsync(r => r.Name == Name, ct);
        if (revision?.Checksum == checksum)
        {
            return;
        }
        var existing = await db.Categories.ToDictionaryAsync(c => c.Key, ct);
        foreach (var shipped in categories)
        {
            if (existing.TryGetValue(shipped.Key, out var stored))
            {
                stored.ParentId = shipped.ParentId;
                stored.Path = shipped.Path;
                stored.Name = shipped.Name;
                stored.HsCode = shipped.HsCode;
                stored.Unit = shipped.Unit;
                stored.Specs = shipped.Specs;
                stored.SortOrder = shipped.SortOrder;
            }
            else
            {
                db.Categories.Add(new Category
                {
                    Id = shipped.Id, Key = shipped.Key, ParentId = shipped.ParentId, Path = shipped.Path, Name = shipped.Name,
                    HsCode = shipped.HsCode, Unit = shipped.Unit, Specs = shipped.Specs, SortOrder = shipped.SortOrder,
                });
            }
        }
        if (revision is null)
        {
            db.ReferenceDataRevisions.Add(new ReferenceDataRevision { Name = Name, Checksum = checksum, AppliedAt = clock.GetUtcNow() });
        }
        else
        {
            revision.Checksum = checksum;
            revision.AppliedAt = clock.GetUtcNow();
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A data file of this feature embedded in the host assembly (taxonomy.json, gazetteer.json).</summary>
    internal static byte[] Resource(string name)
    {
        var assembly = typeof(TaxonomyFile).Assembly;
        using var stream = assembly.GetManifestResourceStream($"{assembly.GetName().Name}.Features.Taxonomy.{name}")
            ?? throw new InvalidOperationException($"{name} is not embedded in the host assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    static (string, IReadOnlyList<Category>) Load()
    {
        var bytes = Resource("taxonomy.json");
        var document = JsonSerializer.Deserialize<Document>(bytes, JsonOptions)
            ?? throw new InvalidOperationException("taxonomy.json is empty.");

        var categories = new List<Category>();
        var order = 0;
        void Walk(Node node, Category? parent)
        {
            var category = new Category
            {
                Id = Category.IdFor(node.Key),
                Key = node.Key,
                ParentId = parent?.Id,
                Path = $"{parent?.Path ?? "/"}{node.Key}/",
                Name = node.Name,
                HsCode = node.HsCode,
                Unit = node.Unit,
                Specs = new SpecSchema(node.Specs ?? []),
                SortOrder = order++,
            };
            categories.Add(category);
            foreach (var child in node.Children ?? [])
            {
                Walk(child, category);
            }
        }
        foreach (var root in document.Categories)
        {
            Walk(root, null);
        }
        return (Convert.ToHexStringLower(SHA256.HashData(bytes)), categories);
    }
}
