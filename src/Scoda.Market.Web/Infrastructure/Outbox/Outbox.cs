using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Scoda.Market.Web.Infrastructure.Outbox;

/// <summary>What changed, for the search indexer: a listing, a seller whose listings all changed (verification, name), a buy request.</summary>
public static class OutboxTopics
{
    public const string Listing = "listing";
    public const string Seller = "seller";
    public const string BuyRequest = "buy-request";
}

/// <summary>
/// A change that must reach the search index (or, later, other nodes), written in the same transaction as the change
/// itself, so the consumer can lag but never miss one. The indexer marks rows processed; failures are retried with back-off.
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

/// <summary>One row to write: the topic and the id of what changed.</summary>
public readonly record struct OutboxChange(string Topic, Guid EntityId);

/// <summary>A feature's rule: which tracked changes of its entities go to the outbox (registered with <see cref="OutboxSetup.AddOutboxRule{TEntity}"/>).</summary>
public interface IOutboxRule
{
    OutboxChange? ChangeOf(EntityEntry entry);
}

public static class OutboxSetup
{
    /// <summary>
    /// Declares that tracked changes of <typeparamref name="TEntity"/> for which <paramref name="rule"/> returns a change
    /// are written to the outbox in the same SaveChanges. Code that changes such rows with ExecuteUpdate adds its rows itself.
    /// </summary>
    public static IServiceCollection AddOutboxRule<TEntity>(this IServiceCollection services, Func<TEntity, EntityEntry, OutboxChange?> rule)
        where TEntity : class
    {
        services.AddSingleton<IOutboxRule>(new OutboxRule<TEntity>(rule));
        return services;
    }

    /// <summary>The interceptor that applies every feature's rules (the database setup adds the interceptors to the context).</summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddSingleton<IInterceptor, OutboxInterceptor>();
        return services;
    }

    sealed class OutboxRule<TEntity>(Func<TEntity, EntityEntry, OutboxChange?> rule) : IOutboxRule
        where TEntity : class
    {
        public OutboxChange? ChangeOf(EntityEntry entry) => entry.Entity is TEntity entity ? rule(entity, entry) : null;
    }
}

/// <summary>Adds outbox rows for the tracked changes the features' rules name, inside the same SaveChanges (and so the same transaction).</summary>
sealed class OutboxInterceptor(IEnumerable<IOutboxRule> rules, TimeProvider clock) : SaveChangesInterceptor
{
    readonly IOutboxRule[] _rules = rules.ToArray();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Enqueue(eventData.Context);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Enqueue(eventData.Context);
        return base.SavingChanges(eventData, result);
    }

    void Enqueue(DbContext? db)
    {
        if (db is null || _rules.Length == 0)
        {
            return;
        }
        var changes = new HashSet<OutboxChange>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            foreach (var rule in _rules)
            {
                if (rule.ChangeOf(entry) is { } change)
                {
                    changes.Add(change);
                }
            }
        }
        var now = clock.GetUtcNow();
        foreach (var change in changes)
        {
            db.Set<OutboxMessage>().Add(new OutboxMessage { Topic = change.Topic, EntityId = change.EntityId, CreatedAt = now });
        }
    }
}
