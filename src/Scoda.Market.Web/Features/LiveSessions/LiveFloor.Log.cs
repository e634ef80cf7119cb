using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Features.LiveSessions;

/// <summary>The kinds of realtime message live sessions send through the bus (topic <see cref="LiveFloor.RealtimeTopic"/>).</summary>
public static class LiveMessages
{
    public const string Event = "event";
    public const string Viewers = "viewers";
}

/// <summary>
/// Who wrote an event, as viewers (anonymous ones too) see it: their display name and the organization they act for,
/// kept on the event as they were when it was written.
/// </summary>
public sealed record LiveAuthor(string? Name, string? Organization)
{
    public static readonly LiveAuthor None = new(null, null);
}

/// <summary>The session's log: numbered per session, stored in one transaction per write, published after commit.</summary>
public sealed partial class LiveFloor
{
    public const string RealtimeTopic = "live";
    public const int MaxEventsPerRead = 500;

    static readonly JsonElement HiddenPayload = JsonDocument.Parse("""{"hidden":true}""").RootElement.Clone();

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction under the session's lock; the events it appends are published
    /// after the commit, in sequence order. A throw rolls everything back and publishes nothing. The names of
    /// <paramref name="author"/>, the one actor a chat or question has, are read before the lock, so every write of a
    /// busy session does not wait for them.
    /// </summary>
    async Task<T> WriteAsync<T>(Guid sessionId, Func<LogBatch, Task<T>> work, CancellationToken ct, Guid? author = null)
    {
        var known = author is { } user ? new Dictionary<Guid, LiveAuthor> { [user] = await AuthorAsync(user, ct) } : [];
        using var held = await locks.EnterAsync(sessionId, ct);
        var batch = new LogBatch(db, clock, sessionId, _json, AuthorAsync, known, ct);
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

    public const int MaxAuthorNameLength = AccountFacts.MaxDisplayNameLength;
    public const int MaxAuthorOrganizationLength = 200;

    /// <summary>The display name of <paramref name="userId"/> and the organization they trade for (verified first, then the oldest).</summary>
    async Task<LiveAuthor> AuthorAsync(Guid userId, CancellationToken ct)
    {
        var names = await accounts.DisplayNamesAsync([userId], ct);
        var organization = (await organizations.MembershipsAsync(userId, ct))
            .OrderBy(m => m.Verification == VerificationStatus.Verified ? 0 : 1).Select(m => m.Name).FirstOrDefault();
        return new LiveAuthor(Clip(names.GetValueOrDefault(userId), MaxAuthorNameLength), Clip(organization, MaxAuthorOrganizationLength));
    }

    static string? Clip(string? text, int length) => text is null || text.Length <= length ? text : text[..length];

    /// <summary>
    /// The events one write appends, each with the session's next sequence number. Authors are read before the sequence
    /// is taken (<see cref="AuthorOfAsync"/>), so those reads never wait under the row's write lock.
    /// </summary>
    sealed class LogBatch(
        MarketDbContext db, TimeProvider clock, Guid sessionId, JsonSerializerOptions json, Func<Guid, CancellationToken, Task<LiveAuthor>> authorOf,
        Dictionary<Guid, LiveAuthor> authors, CancellationToken ct)
    {
        public List<LiveEvent> Events { get; } = [];

        readonly Dictionary<Guid, LiveAuthor> _authors = authors;

        /// <summary>Reads (once per write) who <paramref name="actor"/> is; call it before <see cref="NextSequenceAsync"/>.</summary>
        public async Task<LiveAuthor> AuthorOfAsync(Guid? actor)
        {
            if (actor is not { } user)
            {
                return LiveAuthor.None;
            }
            if (!_authors.TryGetValue(user, out var author))
            {
                _authors[user] = author = await authorOf(user, ct);
            }
            return author;
        }

        public async Task<long> NextSequenceAsync()
        {
            // The conditional update takes the row's write lock (PostgreSQL) or the database's (SQLite) until commit.
            await db.LiveSessions.Where(s => s.Id == sessionId).ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSequence, x => x.LastSequence + 1));
            return await db.LiveSessions.Where(s => s.Id == sessionId).Select(s => s.LastSequence).SingleAsync();
        }

        public async Task<LiveEvent> AppendAsync(string type, Guid? actor, string? role, string? clientMessageId, object payload)
        {
            await AuthorOfAsync(actor);
            var sequence = await NextSequenceAsync();
            return await AddAsync(sequence, type, actor, role, clientMessageId, payload);
        }

        public async Task<LiveEvent> AddAsync(long sequence, string type, Guid? actor, string? role, string? clientMessageId, object payload)
        {
            var now = clock.GetUtcNow();
            var author = await AuthorOfAsync(actor);
            var stored = new LiveEvent
            {
                Id = Guid.CreateVersion7(now), SessionId = sessionId, Sequence = sequence, Type = type, ActorUserId = actor, ActorRole = role,
                ActorName = author.Name, ActorOrganization = author.Organization,
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
        return new LiveEventResponse(e.SessionId, e.Sequence, e.Type, ActorOf(e), e.At, payload, hidden);
    }

    static LiveActor? ActorOf(LiveEvent e) =>
        e.ActorUserId is { } user ? new LiveActor(user, e.ActorRole ?? LiveRoles.Viewer, e.ActorName, e.ActorOrganization) : null;

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
            return ToResponse(await WriteAsync(sessionId, append, ct, author: userId), moderator);
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
