using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Realtime;
using Scoda.Market.Web.Infrastructure.Telemetry;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>The room's event log: numbered, stored in one transaction per write, published after commit.</summary>
public sealed partial class NegotiationService
{
    // ---- The log ----

    static readonly Histogram<double> PhaseDuration = MarketTelemetry.Meter.CreateHistogram<double>(
        "market.negotiations.write.duration", "s",
        "Time a room write spends in each phase: authorize, queue (waiting for a group commit), lock, sequence, insert, commit (store: all three in one statement, PostgreSQL group commits), publish; send = a whole SendMessage.");

    static void Record(string phase, long startedTimestamp) =>
        PhaseDuration.Record(MarketTelemetry.SecondsSince(startedTimestamp), new KeyValuePair<string, object?>("phase", phase));

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction under the room's lock; the events it appends are published after
    /// the commit, in sequence order. A throw rolls everything back and publishes nothing.
    /// </summary>
    async Task<T> WriteAsync<T>(Guid roomId, Func<EventBatch, Task<T>> work, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var _ = await locks.EnterAsync(roomId, ct);
        Record("lock", started);
        var batch = new EventBatch(db, clock, roomId, _json, e => ToResponse(e, moderator: false));
        try
        {
            started = Stopwatch.GetTimestamp();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var result = await work(batch);
            await db.SaveChangesAsync(ct);
            Record("sequence + insert", started);
            started = Stopwatch.GetTimestamp();
            await transaction.CommitAsync(ct);
            Record("commit", started);
            // Still under the room's lock: the room's events leave this host in sequence order.
            started = Stopwatch.GetTimestamp();
            await bus.PublishAsync(batch.Events.Select(e => ToMessage(ToResponse(e, moderator: false))).ToList(), ct);
            Record("publish", started);
            return result;
        }
        catch
        {
            db.ChangeTracker.Clear();
            throw;
        }
    }

    /// <summary>
    /// One group commit (<see cref="GroupCommit"/>). The senders are authorized first, all in one query; then, under the
    /// locks of every room in the batch, one transaction moves each room's sequence by its number of messages and inserts
    /// them all; after the commit they are published, room by room in sequence order, and each sender gets its stored
    /// event. When the insert hits the unique (room, client message id) index (a retry, or the same id twice in the batch)
    /// the batch rolls back and every message goes alone through
    /// <see cref="AppendOnceAsync(Guid, Caller, string, Func{EventBatch, Task{RoomEventResponse}}, CancellationToken)"/>,
    /// which answers a retry with the event stored first.
    /// </summary>
    internal async Task StoreMessagesAsync(IReadOnlyList<PendingMessage> messages, CancellationToken ct)
    {
        foreach (var message in messages)
        {
            Record("queue", message.QueuedAt);
        }
        List<(PendingMessage Message, Side Side)> accepted;
        List<(PendingMessage Message, RoomEvent Event)>? stored = null;
        try
        {
            var started = Stopwatch.GetTimestamp();
            accepted = await AuthorizeAsync(messages, ct);
            Record("authorize", started);
            if (accepted.Count == 0)
            {
                return;
            }
            var rooms = accepted.GroupBy(m => m.Message.RoomId).ToList();
            started = Stopwatch.GetTimestamp();
            using var _ = await locks.EnterAllAsync(rooms.Select(r => r.Key), ct);
            Record("lock", started);
            try
            {
                stored = await InsertMessagesAsync(rooms, ct);
            }
            catch (Exception ex) when (ex is DbUpdateException or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                db.ChangeTracker.Clear();
            }
            if (stored is not null)
            {
                started = Stopwatch.GetTimestamp();
                await bus.PublishAsync(stored.Select(s => ToMessage(ToResponse(s.Event, moderator: false))).ToList(), ct);
                Record("publish", started);
            }
        }
        catch (Exception ex)
        {
            db.ChangeTracker.Clear();
            foreach (var message in messages)
            {
                message.Stored.TrySetException(ex);
            }
            return;
        }
        if (stored is not null)
        {
            foreach (var (message, e) in stored)
            {
                message.Stored.TrySetResult(ToResponse(e, moderator: false));
            }
            return;
        }
        foreach (var (message, side) in accepted)
        {
            try
            {
                message.Stored.TrySetResult(await AppendOnceAsync(message.RoomId, message.Caller, message.ClientMessageId, async batch =>
                    await batch.AppendAsync(RoomEventTypes.Message, message.Caller.UserId, side, message.ClientMessageId, new { text = message.Text }), message.Aborted));
            }
            catch (Exception ex)
            {
                message.Stored.TrySetException(ex);
            }
        }
    }

    /// <summary>
    /// The senders of a group commit who may act in their room, with their side, by the rules of <see cref="AccessAsync"/>:
    /// one query for the whole batch, read when the batch is written, so someone removed while their message waited is
    /// refused. Every other message is answered with the refusal <see cref="ActorAccessAsync"/> gives it (not_found for
    /// outsiders, forbidden for viewers and moderators) and left out.
    /// </summary>
    async Task<List<(PendingMessage Message, Side Side)>> AuthorizeAsync(IReadOnlyList<PendingMessage> messages, CancellationToken ct)
    {
        var roomIds = messages.Select(m => m.RoomId).Distinct().ToList();
        var memberships = organizations.RolesOf(messages.Select(m => m.Caller.UserId).Distinct().ToList());
        var roles = await (
            from r in db.NegotiationRooms
            where roomIds.Contains(r.Id)
            from m in memberships
            where m.OrganizationId == r.BuyerOrganizationId || m.OrganizationId == r.SellerOrganizationId
            select new { RoomId = r.Id, m.UserId, Buyer = m.OrganizationId == r.BuyerOrganizationId, m.Role }).ToListAsync(ct);
        var sides = roles.GroupBy(g => (g.RoomId, g.UserId)).ToDictionary(g => g.Key, g => SideOf(
            g.Where(x => x.Buyer).Select(x => (OrganizationRole?)x.Role).FirstOrDefault(),
            g.Where(x => !x.Buyer).Select(x => (OrganizationRole?)x.Role).FirstOrDefault()));
        var accepted = new List<(PendingMessage, Side)>(messages.Count);
        foreach (var message in messages)
        {
            if (sides.GetValueOrDefault((message.RoomId, message.Caller.UserId)) is (var side, var role) && RoomAccess.Acts(role))
            {
                accepted.Add((message, side));
                continue;
            }
            try
            {
                // Refused (the common case) with the exact reason; or let in, if a membership landed since the query.
                accepted.Add((message, (await ActorAccessAsync(message.Caller, message.RoomId, ct)).Side!.Value));
            }
            catch (NegotiationException ex)
            {
                message.Stored.TrySetException(ex);
            }
        }
        return accepted;
    }

    async Task<List<(PendingMessage Message, RoomEvent Event)>> InsertMessagesAsync(
        List<IGrouping<Guid, (PendingMessage Message, Side Side)>> rooms, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            return await InsertMessagesInOneStatementAsync(rooms, ct);
        }
        var stored = new List<(PendingMessage, RoomEvent)>();
        var started = Stopwatch.GetTimestamp();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var last = await AdvanceSequencesAsync(rooms.Select(r => (r.Key, r.Count())).ToList(), ct);
        foreach (var room in rooms)
        {
            var batch = new EventBatch(db, clock, room.Key, _json, e => ToResponse(e, moderator: false));
            var sequence = last[room.Key] - room.Count();
            foreach (var (message, side) in room)
            {
                batch.Add(++sequence, RoomEventTypes.Message, message.Caller.UserId, side, message.ClientMessageId, new { text = message.Text });
                stored.Add((message, batch.Events[^1]));
            }
        }
        Record("sequence", started);
        started = Stopwatch.GetTimestamp();
        await db.SaveChangesAsync(ct);
        Record("insert", started);
        started = Stopwatch.GetTimestamp();
        await transaction.CommitAsync(ct);
        Record("commit", started);
        db.ChangeTracker.Clear();
        return stored;
    }

    /// <summary>
    /// SQLite: moves each room's sequence by its count, in the open transaction under the rooms' locks (one update per
    /// distinct count, mostly one, then one read), and returns where each room now stands.
    /// </summary>
    async Task<Dictionary<Guid, long>> AdvanceSequencesAsync(IReadOnlyList<(Guid Room, int Count)> rooms, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var sameCount in rooms.GroupBy(r => r.Count))
        {
            var count = sameCount.Key;
            var ids = sameCount.Select(r => r.Room).ToList();
            await db.NegotiationRooms.Where(r => ids.Contains(r.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.LastSequence, r => r.LastSequence + count).SetProperty(r => r.UpdatedAt, now), ct);
        }
        var roomIds = rooms.Select(r => r.Room).ToList();
        return await db.NegotiationRooms.Where(r => roomIds.Contains(r.Id)).Select(r => new { r.Id, r.LastSequence })
            .ToDictionaryAsync(r => r.Id, r => r.LastSequence, ct);
    }

    /// <summary>
    /// PostgreSQL: the whole group commit in one statement and one round trip, committed on its own. It locks the rooms'
    /// rows in id order (two hosts whose batches share rooms wait for each other instead of deadlocking), moves each
    /// room's sequence by its number of messages and inserts the messages numbered from where the room stood, which
    /// is what the floor of the negotiation benchmark pays for one message (one INSERT and its commit).
    /// </summary>
    async Task<List<(PendingMessage Message, RoomEvent Event)>> InsertMessagesInOneStatementAsync(
        List<IGrouping<Guid, (PendingMessage Message, Side Side)>> rooms, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var now = clock.GetUtcNow();
        var stored = rooms.SelectMany(room => room.Select((m, i) => (m.Message, Offset: i + 1L, Event: new RoomEvent
        {
            Id = Guid.CreateVersion7(now), RoomId = room.Key, Type = RoomEventTypes.Message, ActorUserId = m.Message.Caller.UserId,
            ActorSide = m.Side, ClientMessageId = m.Message.ClientMessageId, Payload = JsonSerializer.Serialize(new { text = m.Message.Text }, _json), At = now,
        }))).ToList();
        var roomIds = rooms.Select(r => r.Key).ToArray();
        var counts = rooms.Select(r => r.Count()).ToArray();
        var ids = stored.Select(s => s.Event.Id).ToArray();
        var eventRooms = stored.Select(s => s.Event.RoomId).ToArray();
        var offsets = stored.Select(s => s.Offset).ToArray();
        var actors = stored.Select(s => s.Event.ActorUserId!.Value).ToArray();
        var sides = stored.Select(s => s.Event.ActorSide!.Value.ToString()).ToArray();
        var clientIds = stored.Select(s => s.Event.ClientMessageId!).ToArray();
        var payloads = stored.Select(s => s.Event.Payload).ToArray();
        var type = RoomEventTypes.Message;
        var sequences = await db.Database.SqlQuery<StoredSequence>($"""
            WITH locked AS (SELECT "Id" FROM "NegotiationRooms" WHERE "Id" = ANY({roomIds}) ORDER BY "Id" FOR UPDATE),
            bumped AS (
                UPDATE "NegotiationRooms" AS r SET "LastSequence" = r."LastSequence" + c.n, "UpdatedAt" = {now}
                FROM unnest({roomIds}, {counts}) AS c(id, n) JOIN locked ON locked."Id" = c.id
                WHERE r."Id" = c.id
                RETURNING r."Id", r."LastSequence" - c.n AS "Before")
            INSERT INTO "RoomEvents" ("Id", "RoomId", "Sequence", "Type", "ActorUserId", "ActorSide", "ClientMessageId", "Payload", "At")
            SELECT e.id, e.room, b."Before" + e.number, {type}, e.actor, e.side, e.client_id, e.payload, {now}
            FROM unnest({ids}, {eventRooms}, {offsets}, {actors}, {sides}, {clientIds}, {payloads})
                AS e(id, room, number, actor, side, client_id, payload)
            JOIN bumped AS b ON b."Id" = e.room
            RETURNING "Id", "Sequence"
            """).ToDictionaryAsync(r => r.Id, r => r.Sequence, ct);
        Record("store", started);
        var inserted = new List<(PendingMessage, RoomEvent)>(stored.Count);
        foreach (var (message, _, e) in stored)
        {
            if (sequences.TryGetValue(e.Id, out var sequence))
            {
                e.Sequence = sequence;
                inserted.Add((message, e));
            }
            else
            {
                // Its room vanished after the authorization read (rooms are never deleted today): the rest stand, committed.
                message.Stored.TrySetException(new NegotiationException(NegotiationErrors.NotFound, "Negotiation room not found."));
            }
        }
        return inserted;
    }

    sealed class StoredSequence
    {
        public Guid Id { get; init; }

        public long Sequence { get; init; }
    }

    /// <summary>
    /// Stores an event once per client message id: a retry returns the stored event and stores nothing. The unique
    /// (room, client message id) index decides, so the first try costs no extra lookup.
    /// </summary>
    Task<RoomEventResponse> AppendOnceAsync(RoomAccess access, Caller caller, string clientMessageId, Func<EventBatch, Task<RoomEventResponse>> append, CancellationToken ct) =>
        AppendOnceAsync(access.Room.Id, caller, clientMessageId, append, ct);

    async Task<RoomEventResponse> AppendOnceAsync(Guid roomId, Caller caller, string clientMessageId, Func<EventBatch, Task<RoomEventResponse>> append, CancellationToken ct)
    {
        try
        {
            return await WriteAsync(roomId, append, ct);
        }
        catch (DbUpdateException)
        {
            // A retry (or the same retry on another host at the same moment): the stored event is the answer.
            return await ExistingEventAsync(roomId, caller, clientMessageId, ct) ?? throw new NegotiationException(
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
