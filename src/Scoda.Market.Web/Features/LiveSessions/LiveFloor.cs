using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Notifications;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Features.LiveSessions;

/// <summary>
/// What happens while a session runs: joining (with the late joiner's snapshot), chat, questions, pins, interest, quotes
/// and moderation. Every change is stored with the session's next sequence number in one transaction and then
/// announced through the realtime bus; a refused call throws <see cref="LiveSessionException"/> and changes nothing.
/// </summary>
public sealed partial class LiveFloor(
    MarketDbContext db, LiveSessionService sessions, ListingFacts listings, StockLedger ledger, OrganizationAccess organizations,
    NegotiationService negotiations, Notifier notifier, NoticeMail mail, LivePresence presence, LiveLimits limits, LiveLocks locks, IRealtimeBus bus,
    AccountFacts accounts, LiveSessionOptions options, TimeProvider clock, IOptions<JsonOptions> json)
{
    public const int MaxChatLength = 500;
    public const int MaxQuestionLength = 500;
    public const int MaxAnswerLength = 2_000;
    public const int ChatInSnapshot = 50;
    public const int QuestionsInSnapshot = 100;

    readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    // ---- Standing ----

    async Task<LiveSession> SessionAsync(Guid sessionId, CancellationToken ct) =>
        await db.LiveSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, ct) ?? throw LiveSessionService.NotFound();

    static string RoleOf(LiveSession session, LiveCaller caller) =>
        caller.UserId == session.HostUserId ? LiveRoles.Host : caller.IsModerator ? LiveRoles.Moderator : LiveRoles.Viewer;

    /// <summary>Cancelled and ended sessions (and ones not yet started) take no live calls.</summary>
    static void RequireLive(LiveSession session)
    {
        if (session.Status != LiveSessionStatus.Live)
        {
            throw new LiveSessionException(LiveErrors.Conflict, session.Status == LiveSessionStatus.Scheduled
                ? "The session has not started yet; this works while it is live."
                : $"The session is {LiveSessionService.StatusText(session.Status)}; this works only while it is live.");
        }
    }

    /// <summary>The signed-in caller in a live session, refused when muted there.</summary>
    async Task<(LiveSession Session, Guid UserId, string Role)> ParticipantAsync(LiveCaller caller, Guid sessionId, CancellationToken ct)
    {
        var userId = caller.RequireUser();
        var session = await SessionAsync(sessionId, ct);
        RequireLive(session);
        if (await db.LiveMutes.AnyAsync(m => m.SessionId == sessionId && m.UserId == userId, ct))
        {
            throw new LiveSessionException(LiveErrors.Forbidden, "You are muted in this session.");
        }
        return (session, userId, RoleOf(session, caller));
    }

    async Task<(LiveSession Session, Guid UserId, string Role)> HostAsync(LiveCaller caller, Guid sessionId, bool moderatorsToo, CancellationToken ct)
    {
        var userId = caller.RequireUser();
        var session = await SessionAsync(sessionId, ct);
        var role = RoleOf(session, caller);
        if (role == LiveRoles.Viewer || (role == LiveRoles.Moderator && !moderatorsToo))
        {
            throw new LiveSessionException(LiveErrors.Forbidden, moderatorsToo ? "Only the host and moderators do this." : "Only the session's host does this.");
        }
        return (session, userId, role);
    }

    /// <summary>The trimmed text, or a refusal naming <c>text</c> (and <c>clientMessageId</c> where the call carries one).</summary>
    static string CheckText(string? text, int maxLength, string? clientMessageId, bool withClientMessageId)
    {
        var errors = new ValidationErrors();
        if (withClientMessageId)
        {
            errors.Check(clientMessageId is not null && ClientMessageIdPattern().IsMatch(clientMessageId), "clientMessageId",
                "1 to 64 letters, digits, '-', '_', ':' or '.', unique per message (a UUID serves well).");
        }
        errors.Check(!string.IsNullOrWhiteSpace(text), "text", "Write something.");
        errors.Check(text is null || text.Trim().Length <= maxLength, "text", $"At most {maxLength} characters.");
        return errors.IsValid ? text!.Trim() : throw LiveSessionException.Invalid(errors);
    }

    [GeneratedRegex(@"^[A-Za-z0-9_\-:.]{1,64}$")]
    private static partial Regex ClientMessageIdPattern();

    // ---- Joining ----

    /// <summary>
    /// Counts the connection as a viewer of a scheduled or live session (refused with <c>full</c> past the cap; the host
    /// and moderators always get in). Past sessions are read, not watched: nothing is counted.
    /// </summary>
    public async Task<LiveSession> AdmitAsync(LiveCaller caller, Guid sessionId, string connectionId, string? anonymousKey, CancellationToken ct)
    {
        var key = ViewerKeyOf(caller, connectionId, anonymousKey);
        var session = await SessionAsync(sessionId, ct);
        if (session.Status is LiveSessionStatus.Scheduled or LiveSessionStatus.Live)
        {
            await presence.AdmitAsync(db, sessionId, connectionId, key, session.ViewerCap ?? options.MaxViewers,
                bypassCap: RoleOf(session, caller) != LiveRoles.Viewer, ct);
        }
        return session;
    }

    public const int MaxViewerKeyLength = 36;

    /// <summary>
    /// Whom the presence rows and the report count: a signed-in viewer by user id (their tabs count once); an anonymous
    /// one by the random key their browser keeps (a GUID; reloads and reconnects count once), else by connection.
    /// </summary>
    public static string ViewerKeyOf(LiveCaller caller, string connectionId, string? anonymousKey)
    {
        Guid parsed = default;
        if (anonymousKey is not null && (anonymousKey.Length > MaxViewerKeyLength || !Guid.TryParseExact(anonymousKey, "D", out parsed) || parsed == Guid.Empty))
        {
            throw LiveSessionException.Invalid("viewerKey", "A random UUID (36 characters, e.g. from crypto.randomUUID()) kept by the browser.");
        }
        return caller.UserId is { } user ? $"u:{user:N}" : anonymousKey is not null ? $"a:{parsed:N}" : $"c:{connectionId}";
    }

    /// <summary>Everything a (late or returning) viewer needs in one call; <paramref name="afterSequence"/> 0 on a first join.</summary>
    public async Task<LiveSnapshot> SnapshotAsync(LiveCaller caller, Guid sessionId, long afterSequence, CancellationToken ct)
    {
        if (afterSequence < 0)
        {
            throw LiveSessionException.Invalid("afterSequence", "Zero or a sequence number the session has handed out.");
        }
        var session = await SessionAsync(sessionId, ct);
        var role = RoleOf(session, caller);
        var moderator = role != LiveRoles.Viewer;
        var events = await db.LiveEvents.AsNoTracking().Where(e => e.SessionId == sessionId && e.Sequence > afterSequence)
            .OrderBy(e => e.Sequence).Take(MaxEventsPerRead).ToListAsync(ct);
        var chat = await db.LiveEvents.AsNoTracking().Where(e => e.SessionId == sessionId && e.Type == LiveEventTypes.Chat && e.HiddenAt == null)
            .OrderByDescending(e => e.Sequence).Take(ChatInSnapshot).ToListAsync(ct);
        var muted = caller.UserId is { } me && await db.LiveMutes.AnyAsync(m => m.SessionId == sessionId && m.UserId == me, ct);
        return new LiveSnapshot(
            await sessions.ResponseAsync(caller, sessionId, ct),
            session.PinnedListingId is { } pinned ? await CardAsync(pinned, ct) : null,
            await QuestionsAsync(caller, sessionId, ct),
            chat.OrderBy(e => e.Sequence).Select(e => ToResponse(e, moderator)).ToList(),
            events.Select(e => ToResponse(e, moderator)).ToList(),
            await presence.CountAsync(db, sessionId, ct),
            role,
            muted);
    }

    /// <summary>The question board: visible questions, most votes first, then oldest.</summary>
    public async Task<IReadOnlyList<QuestionResponse>> QuestionsAsync(LiveCaller caller, Guid sessionId, CancellationToken ct)
    {
        var me = caller.UserId;
        var questions = await db.LiveQuestions.AsNoTracking().Where(q => q.SessionId == sessionId && q.HiddenAt == null)
            .OrderByDescending(q => q.Votes).ThenBy(q => q.AskedAt).ThenBy(q => q.Id).Take(QuestionsInSnapshot)
            .Select(q => new QuestionResponse(q.Id, q.Sequence, q.AskedBy, q.Text, q.Votes,
                me != null && db.LiveQuestionVotes.Any(v => v.QuestionId == q.Id && v.UserId == me), q.Answer, q.AskedAt, q.AnsweredAt, null))
            .ToListAsync(ct);
        // Who asked, as the question's event recorded it.
        var sequences = questions.Select(q => q.Sequence).ToList();
        var asked = await db.LiveEvents.AsNoTracking().Where(e => e.SessionId == sessionId && sequences.Contains(e.Sequence))
            .ToDictionaryAsync(e => e.Sequence, ActorOf, ct);
        return questions.Select(q => q with { Author = asked.GetValueOrDefault(q.Sequence) }).ToList();
    }

    public Task LeaveAsync(string connectionId, Guid? sessionId, CancellationToken ct) => presence.LeaveAsync(db, connectionId, sessionId, ct);

    // ---- Chat and questions ----

    public async Task<LiveEventResponse> SendChatAsync(LiveCaller caller, Guid sessionId, string? clientMessageId, string? text, CancellationToken ct)
    {
        var message = CheckText(text, MaxChatLength, clientMessageId, withClientMessageId: true);
        var (session, userId, role) = await ParticipantAsync(caller, sessionId, ct);
        if (role == LiveRoles.Viewer)
        {
            limits.TakeChat(userId); // the host and moderators run the session: no limit on them
            await WithinMinuteLimitAsync(session.Id, userId, ct);
        }
        return await AppendOnceAsync(session.Id, userId, caller.IsModerator, clientMessageId!,
            batch => batch.AppendAsync(LiveEventTypes.Chat, userId, role, clientMessageId, new { text = message }), ct);
    }

    /// <summary>
    /// The per-minute part of the chat limit, read from the session's log, so it holds across replicas (the burst is
    /// kept per host by <see cref="LiveLimits"/>).
    /// </summary>
    async Task WithinMinuteLimitAsync(Guid sessionId, Guid userId, CancellationToken ct)
    {
        var since = clock.GetUtcNow() - TimeSpan.FromMinutes(1);
        var sent = await db.LiveEvents.CountAsync(e => e.SessionId == sessionId && e.ActorUserId == userId && e.At > since && e.Type == LiveEventTypes.Chat, ct);
        if (sent >= options.ChatPerMinute)
        {
            throw new LiveSessionException(LiveErrors.RateLimited, $"At most {options.ChatPerMinute} messages a minute in a session; slow down.");
        }
    }

    public async Task<LiveEventResponse> AskQuestionAsync(LiveCaller caller, Guid sessionId, string? clientMessageId, string? text, CancellationToken ct)
    {
        var question = CheckText(text, MaxQuestionLength, clientMessageId, withClientMessageId: true);
        var (session, userId, role) = await ParticipantAsync(caller, sessionId, ct);
        if (role == LiveRoles.Viewer)
        {
            limits.TakeQuestion(userId);
        }
        return await AppendOnceAsync(session.Id, userId, caller.IsModerator, clientMessageId!, async batch =>
        {
            await batch.AuthorOfAsync(userId);
            var sequence = await batch.NextSequenceAsync();
            var now = clock.GetUtcNow();
            var asked = new LiveQuestion { Id = Guid.CreateVersion7(now), SessionId = session.Id, Sequence = sequence, AskedBy = userId, Text = question, AskedAt = now };
            db.LiveQuestions.Add(asked);
            return await batch.AddAsync(sequence, LiveEventTypes.Question, userId, role, clientMessageId, new { questionId = asked.Id, text = question, votes = 0 });
        }, ct);
    }

    /// <summary>One upvote per user and question; a second is a conflict.</summary>
    public async Task<LiveEventResponse> UpvoteQuestionAsync(LiveCaller caller, Guid sessionId, Guid questionId, CancellationToken ct)
    {
        var (session, userId, role) = await ParticipantAsync(caller, sessionId, ct);
        await VisibleQuestionAsync(session.Id, questionId, ct);
        if (await db.LiveQuestionVotes.AnyAsync(v => v.QuestionId == questionId && v.UserId == userId, ct))
        {
            throw new LiveSessionException(LiveErrors.Conflict, "You already upvoted this question.");
        }
        try
        {
            return ToResponse(await WriteAsync(session.Id, async batch =>
            {
                db.LiveQuestionVotes.Add(new LiveQuestionVote { QuestionId = questionId, UserId = userId, At = clock.GetUtcNow() });
                await db.SaveChangesAsync(ct);
                await db.LiveQuestions.Where(q => q.Id == questionId).ExecuteUpdateAsync(s => s.SetProperty(q => q.Votes, q => q.Votes + 1), ct);
                var votes = await db.LiveQuestions.Where(q => q.Id == questionId).Select(q => q.Votes).SingleAsync(ct);
                return await batch.AppendAsync(LiveEventTypes.QuestionUpvoted, userId, role, null, new { questionId, votes });
            }, ct), caller.IsModerator);
        }
        catch (DbUpdateException)
        {
            throw new LiveSessionException(LiveErrors.Conflict, "You already upvoted this question.");
        }
    }

    public async Task<LiveEventResponse> AnswerQuestionAsync(LiveCaller caller, Guid sessionId, Guid questionId, string? text, CancellationToken ct)
    {
        var answer = CheckText(text, MaxAnswerLength, null, withClientMessageId: false);
        var (session, userId, role) = await HostAsync(caller, sessionId, moderatorsToo: false, ct);
        RequireLive(session);
        await VisibleQuestionAsync(session.Id, questionId, ct);
        return ToResponse(await WriteAsync(session.Id, async batch =>
        {
            var now = clock.GetUtcNow();
            var answered = await db.LiveQuestions.Where(q => q.Id == questionId && q.AnsweredAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(q => q.Answer, answer).SetProperty(q => q.AnsweredAt, now).SetProperty(q => q.AnsweredBy, userId), ct);
            if (answered == 0)
            {
                throw new LiveSessionException(LiveErrors.Conflict, "The question is already answered.");
            }
            return await batch.AppendAsync(LiveEventTypes.QuestionAnswered, userId, role, null, new { questionId, answer });
        }, ct), moderator: true);
    }

    async Task VisibleQuestionAsync(Guid sessionId, Guid questionId, CancellationToken ct)
    {
        if (!await db.LiveQuestions.AnyAsync(q => q.Id == questionId && q.SessionId == sessionId && q.HiddenAt == null, ct))
        {
            throw new LiveSessionException(LiveErrors.NotFound, "The session has no such question.");
        }
    }

    // ---- Moderation ----

    /// <summary>Hides a chat message or a question: it stays in the log, flagged; viewers see only that it was hidden.</summary>
    public async Task<LiveEventResponse> HideItemAsync(LiveCaller caller, Guid sessionId, long sequence, CancellationToken ct)
    {
        var (session, userId, role) = await HostAsync(caller, sessionId, moderatorsToo: true, ct);
        RequireLive(session);
        var target = await db.LiveEvents.AsNoTracking().SingleOrDefaultAsync(e => e.SessionId == sessionId && e.Sequence == sequence, ct)
            ?? throw new LiveSessionException(LiveErrors.NotFound, $"The session has no event {sequence}.");
        if (target.Type is not (LiveEventTypes.Chat or LiveEventTypes.Question))
        {
            throw LiveSessionException.Invalid("sequence", "Only chat messages and questions can be hidden.");
        }
        return ToResponse(await WriteAsync(sessionId, async batch =>
        {
            var now = clock.GetUtcNow();
            var hidden = await db.LiveEvents.Where(e => e.Id == target.Id && e.HiddenAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.HiddenAt, now).SetProperty(e => e.HiddenBy, userId), ct);
            if (hidden == 0)
            {
                throw new LiveSessionException(LiveErrors.Conflict, "That item is already hidden.");
            }
            var question = await db.LiveQuestions.Where(q => q.SessionId == sessionId && q.Sequence == sequence).Select(q => (Guid?)q.Id).SingleOrDefaultAsync(ct);
            if (question is not null)
            {
                await db.LiveQuestions.Where(q => q.Id == question).ExecuteUpdateAsync(s => s.SetProperty(q => q.HiddenAt, now), ct);
            }
            return await batch.AppendAsync(LiveEventTypes.Hidden, userId, role, null, new { sequence, questionId = question });
        }, ct), moderator: true);
    }

    /// <summary>Mutes a user for the session: from then on their calls there fail with <c>forbidden</c>.</summary>
    public async Task<LiveEventResponse> MuteUserAsync(LiveCaller caller, Guid sessionId, Guid userId, CancellationToken ct)
    {
        var (session, moderatorId, role) = await HostAsync(caller, sessionId, moderatorsToo: true, ct);
        RequireLive(session);
        if (userId == session.HostUserId || userId == moderatorId)
        {
            throw LiveSessionException.Invalid("userId", "The host (and you yourself) cannot be muted.");
        }
        if (await db.LiveMutes.AnyAsync(m => m.SessionId == sessionId && m.UserId == userId, ct))
        {
            throw new LiveSessionException(LiveErrors.Conflict, "That user is already muted in this session.");
        }
        try
        {
            return ToResponse(await WriteAsync(sessionId, async batch =>
            {
                db.LiveMutes.Add(new LiveMute { SessionId = sessionId, UserId = userId, MutedBy = moderatorId, At = clock.GetUtcNow() });
                return await batch.AppendAsync(LiveEventTypes.Muted, moderatorId, role, null, new { userId });
            }, ct), moderator: true);
        }
        catch (DbUpdateException)
        {
            throw new LiveSessionException(LiveErrors.Conflict, "That user is already muted in this session.");
        }
    }

    // ---- Start, end, cancel ----

    public Task<LiveEventResponse> StartAsync(LiveCaller caller, Guid sessionId, CancellationToken ct) =>
        MoveAsync(caller, sessionId, LiveSessionStatus.Scheduled, LiveSessionStatus.Live, LiveEventTypes.Started, null, ct);

    public Task<LiveEventResponse> EndAsync(LiveCaller caller, Guid sessionId, CancellationToken ct) =>
        MoveAsync(caller, sessionId, LiveSessionStatus.Live, LiveSessionStatus.Ended, LiveEventTypes.Ended, null, ct);

    /// <summary>Cancels a scheduled session and tells its registrants (in the app and by mail).</summary>
    public async Task<LiveEventResponse> CancelAsync(LiveCaller caller, Guid sessionId, string? reason, CancellationToken ct)
    {
        var errors = new ValidationErrors().Check(reason is null || reason.Trim().Length <= 500, "reason", "At most 500 characters.");
        if (!errors.IsValid)
        {
            throw LiveSessionException.Invalid(errors);
        }
        var cancelled = await MoveAsync(caller, sessionId, LiveSessionStatus.Scheduled, LiveSessionStatus.Cancelled, LiveEventTypes.Cancelled,
            string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), ct);
        var session = await SessionAsync(sessionId, ct);
        var registrants = await sessions.RegistrantsAsync(sessionId, ct);
        var text = LiveNotices.CancelledOf(session);
        await notifier.NotifyUsersAsync(registrants, LiveNotices.Cancelled, text, $"/live/{sessionId}", ct);
        await mail.SendAsync(registrants, text, $"/live/{sessionId}", ct);
        return cancelled;
    }

    async Task<LiveEventResponse> MoveAsync(LiveCaller caller, Guid sessionId, LiveSessionStatus from, LiveSessionStatus to, string type, string? reason, CancellationToken ct)
    {
        var (_, userId, role) = await HostAsync(caller, sessionId, moderatorsToo: false, ct);
        return ToResponse(await WriteAsync(sessionId, async batch =>
        {
            var now = clock.GetUtcNow();
            var moved = await db.LiveSessions.Where(s => s.Id == sessionId && s.Status == from).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, to)
                .SetProperty(x => x.UpdatedAt, now)
                .SetProperty(x => x.StartedAt, x => to == LiveSessionStatus.Live ? now : x.StartedAt)
                .SetProperty(x => x.EndedAt, x => to == LiveSessionStatus.Ended ? now : x.EndedAt)
                .SetProperty(x => x.CancelledAt, x => to == LiveSessionStatus.Cancelled ? now : x.CancelledAt)
                .SetProperty(x => x.CancelReason, x => to == LiveSessionStatus.Cancelled ? reason : x.CancelReason), ct);
            if (moved == 0)
            {
                var status = await db.LiveSessions.Where(s => s.Id == sessionId).Select(s => s.Status).SingleAsync(ct);
                throw new LiveSessionException(LiveErrors.Conflict,
                    $"The session is {LiveSessionService.StatusText(status)}; it can become {LiveSessionService.StatusText(to)} only from {LiveSessionService.StatusText(from)}.");
            }
            return await batch.AppendAsync(type, userId, role, null, new { status = LiveSessionService.StatusText(to), reason });
        }, ct), moderator: true);
    }
}
