using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Features.LiveSessions;

/// <summary>The kinds of realtime message live sessions send through the bus (topic <see cref="LiveFloor.RealtimeTopic"/>).</summary>
public static class LiveMessages
{
    public const string Event = "event";
    public const string Viewers = "viewers";
}

/// <summary>The session's log: numbered per session, stored in one transaction per write, published after commit.</summary>
public sealed partial class LiveFloor
{
    public const string RealtimeTopic = "live";
    public const int MaxEventsPerRead = 500;

    static readonly JsonElement HiddenPayload = JsonDocument.Parse("""{"hidden":true}""").RootElement.Clone();

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction under the session's lock; the events it appends are published
    /// after the commit, in sequence order. A throw rolls everything back and publishes nothing.
    /// </summary>
    async Task<T> WriteAsync<T>(Guid sessionId, Func<LogBatch, Task<T>> work, CancellationToken ct)
    {
        using var held = await locks.EnterAsync(sessionId, ct);
        var batch = new LogBatch(db, clock, sessionId, _json);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var result = await work(batch);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            await bus.PublishAsync(batch.Events.Select(e => ToMessage(ToResponse(e, moderator: false))).ToList(), ct);
            return result;
        }
        catch
        {
            db.ChangeTracker.Clear();
            throw;
        }
    }

    /// <summary>The events one write appends, each with the session's next sequence number.</summary>
    sealed class LogBatch(MarketDbContext db, TimeProvider clock, Guid sessionId, JsonSerializerOptions json)
    {
        public List<LiveEvent> Events { get; } = [];

        public async Task<long> NextSequenceAsync()
        {
            // The conditional update takes the row's write lock (PostgreSQL) or the database's (SQLite) until commit.
            await db.LiveSessions.Where(s => s.Id == sessionId).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSequence, x => x.LastSequence + 1));
            return await db.LiveSessions.Where(s => s.Id == sessionId).Select(s => s.LastSequence).SingleAsync();
        }

        public async Task<LiveEvent> AppendAsync(string type, Guid? actor, string? role, string? clientMessageId, object payload)
        {
            var sequence = await NextSequenceAsync();
            return Add(sequence, type, actor, role, clientMessageId, payload);
        }

        public LiveEvent Add(long sequence, string type, Guid? actor, string? role, string? clientMessageId, object payload)
        {
            var now = clock.GetUtcNow();
            var stored = new LiveEvent
            {
                Id = Guid.CreateVersion7(now), SessionId = sessionId, Sequence = sequence, Type = type, ActorUserId = actor, ActorRole = role,
                ClientMessageId = clientMessageId, Payload = JsonSerializer.Serialize(payload, json), At = now,
            };
            db.LiveEvents.Add(stored);
            Events.Add(stored);
            return stored;
        }
    }

    public static LiveEventResponse ToResponse(LiveEvent e, bool moderator)
    {
        var hidden = e.HiddenAt is not null;
        var payload = hidden && !moderator ? HiddenPayload : JsonDocument.Parse(e.Payload).RootElement.Clone();
        return new LiveEventResponse(e.SessionId, e.Sequence, e.Type, e.ActorUserId is { } user ? new LiveActor(user, e.ActorRole ?? LiveRoles.Viewer) : null,
            e.At, payload, hidden);
    }

    RealtimeMessage ToMessage(LiveEventResponse e) =>
        new(RealtimeTopic, e.SessionId, LiveMessages.Event, JsonSerializer.Serialize(e, _json), e.Sequence.ToString(CultureInfo.InvariantCulture));

    /// <summary>One stored event as every viewer sees it (the sink reads a body too big for NOTIFY back from here).</summary>
    public async Task<LiveEventResponse?> StoredEventAsync(Guid sessionId, long sequence, CancellationToken ct) =>
        await db.LiveEvents.AsNoTracking().SingleOrDefaultAsync(e => e.SessionId == sessionId && e.Sequence == sequence, ct) is { } e
            ? ToResponse(e, moderator: false)
            : null;

    /// <summary>Stores an event once per client message id: a retry returns the stored one (the unique index decides).</summary>
    async Task<LiveEventResponse> AppendOnceAsync(Guid sessionId, Guid userId, bool moderator, string clientMessageId, Func<LogBatch, Task<LiveEvent>> append, CancellationToken ct)
    {
        try
        {
            return ToResponse(await WriteAsync(sessionId, append, ct), moderator);
        }
        catch (DbUpdateException)
        {
            var stored = await db.LiveEvents.AsNoTracking().SingleOrDefaultAsync(e => e.SessionId == sessionId && e.ClientMessageId == clientMessageId, ct)
                ?? throw new LiveSessionException(LiveErrors.Conflict, "The event could not be stored; try again with the same clientMessageId.");
            return stored.ActorUserId == userId
                ? ToResponse(stored, moderator)
                : throw new LiveSessionException(LiveErrors.Conflict, "That clientMessageId is already used in this session by someone else.");
        }
    }
}
