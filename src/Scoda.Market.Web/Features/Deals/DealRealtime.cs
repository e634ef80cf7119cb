using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Features.Deals;

/// <summary>One entry of a deal's event log, as <c>GET /api/deals/{id}</c> lists it and <c>/hubs/deals</c> pushes it.</summary>
public sealed record DealEventResponse(
    Guid DealId, long Sequence, string Kind, DealStatus? From, DealStatus? To, Guid? ActorUserId, DealActorSide ActorSide, string? Reason, Guid? DocumentId,
    DateTimeOffset At)
{
    public static DealEventResponse Of(DealEvent e) => new(e.DealId, e.Sequence, e.Kind, e.FromStatus, e.ToStatus, e.ActorUserId,
        e.ActorSide ?? (e.ActorUserId is null ? DealActorSide.System : DealActorSide.Admin), e.Reason, e.DocumentId, e.At);
}

/// <summary>Server → client calls of <c>/hubs/deals</c>.</summary>
public interface IDealClient
{
    Task DealEvent(DealEventResponse dealEvent);
}

/// <summary>
/// Live deal events. <c>JoinDeal(dealId, afterSequence)</c> checks the caller belongs to one of the two organizations
/// (else <c>not_found</c>), adds the connection to the deal's group and returns the events it missed.
/// </summary>
[Authorize]
public sealed class DealsHub(MarketDbContext db, OrganizationAccess organizations) : Hub<IDealClient>
{
    public static string GroupOf(Guid dealId) => $"deal:{dealId:N}";

    public async Task<IReadOnlyList<DealEventResponse>> JoinDeal(Guid dealId, long afterSequence)
    {
        var userId = CurrentUser.IdOf(Context.User!) ?? throw new HubException("forbidden: sign in first.");
        var mine = organizations.OrganizationsOf(userId);
        if (!await db.Deals.AnyAsync(d => d.Id == dealId && (mine.Contains(d.BuyerOrganizationId) || mine.Contains(d.SellerOrganizationId)), Context.ConnectionAborted))
        {
            throw new HubException("not_found: Deal was not found.");
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(dealId), Context.ConnectionAborted);
        return (await db.DealEvents.AsNoTracking().Where(e => e.DealId == dealId && e.Sequence > afterSequence)
            .OrderBy(e => e.Sequence).Take(500).ToListAsync(Context.ConnectionAborted)).Select(DealEventResponse.Of).ToList();
    }

    public Task LeaveDeal(Guid dealId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(dealId), Context.ConnectionAborted);
}

/// <summary>
/// Holds the deal events staged in a context's transaction and hands them to the realtime bus once that transaction
/// commits (dropped when it rolls back), so nothing is announced that was not stored: callers of
/// <see cref="DealService.AdvanceBySystemAsync"/> commit their own transactions.
/// </summary>
public sealed class DealEventPublisher(IRealtimeBus bus, IOptions<JsonOptions> json) : DbTransactionInterceptor
{
    public const string Topic = "deal";
    public const string EventKind = "event";

    readonly ConditionalWeakTable<DbContext, List<DealEvent>> _staged = new();
    readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    internal void Stage(DbContext db, DealEvent recorded)
    {
        var list = _staged.GetOrCreateValue(db);
        lock (list)
        {
            list.Add(recorded);
        }
    }

    List<RealtimeMessage> Take(DbContext? db)
    {
        if (db is null || !_staged.TryGetValue(db, out var list))
        {
            return [];
        }
        _staged.Remove(db);
        lock (list)
        {
            return list.Select(e => new RealtimeMessage(Topic, e.DealId, EventKind, JsonSerializer.Serialize(DealEventResponse.Of(e), _json),
                e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        }
    }

    public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        Take(eventData.Context); // left over from a transaction that never ended on this (pooled) context
        return result;
    }

    public override ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        Take(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (Take(eventData.Context) is { Count: > 0 } messages)
        {
            bus.PublishAsync(messages, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    public override async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (Take(eventData.Context) is { Count: > 0 } messages)
        {
            await bus.PublishAsync(messages, CancellationToken.None);
        }
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Take(eventData.Context);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Take(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Take(eventData.Context);

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Take(eventData.Context);
        return Task.CompletedTask;
    }
}

/// <summary>Hands deal events from the bus to this host's connections that joined the deal.</summary>
sealed class DealsRealtimeSink(IHubContext<DealsHub, IDealClient> hub, IServiceScopeFactory scopes, IOptions<JsonOptions> json) : IRealtimeSink
{
    readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    public string Topic => DealEventPublisher.Topic;

    public async Task DeliverAsync(RealtimeMessage message, CancellationToken ct)
    {
        var group = hub.Clients.Group(DealsHub.GroupOf(message.Target));
        if (message.Kind == DealEventPublisher.EventKind)
        {
            await group.DealEvent(JsonSerializer.Deserialize<DealEventResponse>(message.Json, _json)!);
        }
        else if (RealtimeKinds.IsSequenceReference(message, DealEventPublisher.EventKind, out var sequence))
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
            if (await db.DealEvents.AsNoTracking().SingleOrDefaultAsync(e => e.DealId == message.Target && e.Sequence == sequence, ct) is { } stored)
            {
                await group.DealEvent(DealEventResponse.Of(stored));
            }
        }
    }
}
