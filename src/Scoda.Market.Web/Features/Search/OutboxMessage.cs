using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Organizations;

namespace Scoda.Market.Web.Features.Search;

/// <summary>What changed, for the search indexer: a listing, or a seller whose listings all changed (verification, name).</summary>
public static class OutboxTopics
{
    public const string Listing = "listing";
    public const string Seller = "seller";
    public const string BuyRequest = "buy-request";
}

/// <summary>
/// A change that must reach the search index, written in the same transaction as the change itself, so the index
/// can lag but never miss one. The indexer marks rows processed; failures are retried with back-off.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public required string Topic { get; set; }
    public Guid EntityId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public string? LastError { get; set; }
}

sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.Property(m => m.Topic).HasMaxLength(32);
        builder.Property(m => m.LastError).HasMaxLength(1000);
        builder.HasIndex(m => new { m.ProcessedAt, m.Id });
    }
}

/// <summary>
/// Adds outbox rows for every tracked change that search cares about, inside the same SaveChanges (and so the same
/// transaction): listings added, changed or removed; stock movements (availability and warehouse countries); a seller's
/// name or verification. Code that changes listings with ExecuteUpdate must add its rows itself.
/// </summary>
public sealed class SearchOutboxInterceptor(TimeProvider clock) : SaveChangesInterceptor
{
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is MarketDbContext db)
        {
            Enqueue(db);
        }
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is MarketDbContext db)
        {
            Enqueue(db);
        }
        return base.SavingChanges(eventData, result);
    }

    void Enqueue(MarketDbContext db)
    {
        var changes = new HashSet<(string Topic, Guid Id)>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            switch (entry.Entity)
            {
                case Listing listing when entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted:
                    changes.Add((OutboxTopics.Listing, listing.Id));
                    break;
                case BuyRequests.BuyRequest request when entry.State is EntityState.Added or EntityState.Modified:
                    changes.Add((OutboxTopics.BuyRequest, request.Id));
                    break;
                case StockMovement movement when entry.State == EntityState.Added:
                    changes.Add((OutboxTopics.Listing, movement.ListingId));
                    break;
                case Organization organization when entry.State == EntityState.Modified
                    && (entry.Property(nameof(Organization.VerificationStatus)).IsModified || entry.Property(nameof(Organization.Name)).IsModified):
                    changes.Add((OutboxTopics.Seller, organization.Id));
                    break;
            }
        }
        var now = clock.GetUtcNow();
        foreach (var (topic, id) in changes)
        {
            db.OutboxMessages.Add(new OutboxMessage { Topic = topic, EntityId = id, CreatedAt = now });
        }
    }
}
