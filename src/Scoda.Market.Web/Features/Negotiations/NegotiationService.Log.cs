using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>The room's event log: numbered, stored in one transaction per write, published after commit.</summary>
public sealed partial class NegotiationService
{
    // ---- The log ----

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction under the room's lock; the events it appends are published after
    /// the commit, in sequence order. A throw rolls everything back and publishes nothing.
    /// </summary>
    async Task<T> WriteAsync<T>(Guid roomId, Func<EventBatch, Task<T>> work, CancellationToken ct)
    {
        using var _ = await locks.EnterAsync(roomId, ct);
        var batch = new EventBatch(db, clock, roomId, _json, e => ToResponse(e, moderator: false));
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var result = await work(batch);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            // Still under the room's lock: the room's events leave this host in sequence order.
            await bus.PublishAsync(batch.Events.Select(e => ToMessage(ToResponse(e, moderator: false))).ToList(), ct);
            return result;
        }
        catch
        {
            db.ChangeTracker.Clear();
            throw;
        }
    }

    /// <summary>
    /// Stores an event once per client message id: a retry returns the stored event and stores nothing. The unique
    /// (room, client message id) index decides, so the first try costs no extra lookup.
    /// </summary>
    async Task<RoomEventResponse> AppendOnceAsync(RoomAccess access, Caller caller, string clientMessageId, Func<EventBatch, Task<RoomEventResponse>> append, CancellationToken ct)
    {
        try
        {
            return await WriteAsync(access.Room.Id, append, ct);
        }
        catch (DbUpdateException)
        {
            // A retry (or the same retry on another host at the same moment): the stored event is the answer.
            return await ExistingEventAsync(access.Room.Id, caller, clientMessageId, ct) ?? throw new NegotiationException(
                NegotiationErrors.Conflict, "The event could not be stored; try again with the same clientMessageId.");
        }
    }

    async Task<RoomEventResponse?> ExistingEventAsync(Guid roomId, Caller caller, string clientMessageId, CancellationToken ct)
    {
        var stored = await db.RoomEvents.AsNoTracking().SingleOrDefaultAsync(e => e.RoomId == roomId && e.ClientMessageId == clientMessageId, ct);
        if (stored is null)
        {
            return null;
        }
        if (stored.ActorUserId != caller.UserId)
        {
            throw new NegotiationException(NegotiationErrors.Conflict, "That clientMessageId is already used in this room by someone else.");
        }
        return ToResponse(stored, caller.IsModerator);
    }

    /// <summary>The events one write appends, each with the room's next sequence number.</summary>
    sealed class EventBatch(MarketDbContext db, TimeProvider clock, Guid roomId, JsonSerializerOptions json, Func<RoomEvent, RoomEventResponse> toResponse)
    {
        public List<RoomEvent> Events { get; } = [];

        /// <summary>Takes the room's next number; on PostgreSQL the update also locks the room row until commit.</summary>
        public async Task<long> NextSequenceAsync()
        {
            var now = clock.GetUtcNow();
            if (db.Database.IsNpgsql())
            {
                // One round trip instead of two; the row lock it takes orders concurrent writers until commit.
                return (await db.Database.SqlQuery<long>($"""
                    UPDATE "NegotiationRooms" SET "LastSequence" = "LastSequence" + 1, "UpdatedAt" = {now}
                    WHERE "Id" = {roomId} RETURNING "LastSequence" AS "Value"
                    """).ToListAsync()).Single();
            }
            await db.NegotiationRooms.Where(r => r.Id == roomId)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LastSequence, r => r.LastSequence + 1).SetProperty(r => r.UpdatedAt, now));
            return await db.NegotiationRooms.Where(r => r.Id == roomId).Select(r => r.LastSequence).SingleAsync();
        }

        public RoomEventResponse Add(long sequence, string type, Guid? actor, Side? side, string? clientMessageId, object payload)
        {
            var now = clock.GetUtcNow();
            var stored = new RoomEvent
            {
                Id = Guid.CreateVersion7(now), RoomId = roomId, Sequence = sequence, Type = type, ActorUserId = actor, ActorSide = side,
                ClientMessageId = clientMessageId, Payload = JsonSerializer.Serialize(payload, json), At = now,
            };
            db.RoomEvents.Add(stored);
            Events.Add(stored);
            return toResponse(stored);
        }

        public async Task<RoomEventResponse> AppendAsync(string type, Guid? actor, Side? side, string? clientMessageId, object payload) =>
            Add(await NextSequenceAsync(), type, actor, side, clientMessageId, payload);
    }

    static readonly JsonElement HiddenPayload = JsonDocument.Parse("""{"hidden":true}""").RootElement.Clone();

    public RoomEventResponse ToResponse(RoomEvent e, bool moderator)
    {
        var hidden = e.HiddenAt is not null;
        var payload = hidden && !moderator ? HiddenPayload : JsonDocument.Parse(e.Payload).RootElement.Clone();
        return new RoomEventResponse(e.RoomId, e.Sequence, e.Type, e.ActorUserId is { } user ? new EventActor(user, e.ActorSide) : null, e.At, payload, hidden);
    }

    RealtimeMessage ToMessage(RoomEventResponse e) =>
        new(RealtimeTopic, e.RoomId, RoomMessages.Event, JsonSerializer.Serialize(e, _json), e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>One stored event as every participant sees it (null when the room has no such event).</summary>
    public async Task<RoomEventResponse?> StoredEventAsync(Guid roomId, long sequence, CancellationToken ct) =>
        await db.RoomEvents.AsNoTracking().SingleOrDefaultAsync(e => e.RoomId == roomId && e.Sequence == sequence, ct) is { } e
            ? ToResponse(e, moderator: false)
            : null;

    public static OfferResponse ToResponse(Offer o) =>
        new(o.Id, o.Side, o.MadeBy, o.Status, o.Terms, o.ValidUntil, o.CounterToOfferId, o.Sequence, o.CreatedAt);

    static void CheckClientMessageId(string? id, ValidationErrors errors) =>
        errors.Check(id is not null && ClientMessageIdPattern().IsMatch(id), "clientMessageId",
            "1 to 64 letters, digits, '-', '_', ':' or '.', unique per message (a UUID serves well).");

    [GeneratedRegex(@"^[A-Za-z0-9_\-:.]{1,64}$")]
    private static partial Regex ClientMessageIdPattern();
}
