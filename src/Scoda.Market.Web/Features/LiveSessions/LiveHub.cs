using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Features.LiveSessions;

/// <summary>Server → client calls of <c>/hubs/live</c> (docs/CONTRACT.md).</summary>
public interface ILiveClient
{
    Task LiveEvent(LiveEventResponse liveEvent);

    Task Viewers(ViewersResponse viewers);
}

/// <summary>
/// The live-session hub. Thin: each call goes to <see cref="LiveFloor"/>, which authorizes, stores the event and
/// publishes it; the hub never broadcasts anything itself. Sessions are public, so the hub admits anonymous
/// connections: a visitor may <c>JoinSession</c>, <c>LeaveSession</c> and read what is pushed; every other method
/// needs a signed-in user and refuses anyone else with <c>unauthorized:</c> (a code, unlike a method-level
/// <c>[Authorize]</c>, whose refusal SignalR words itself). Signed-in connections still pass the session check of every hub.
/// </summary>
[AllowAnonymous]
public sealed class LiveHub(LiveFloor floor, LiveSessionOptions options) : Hub<ILiveClient>
{
    const string JoinedKey = "live-sessions";

    public static string GroupOf(Guid sessionId) => $"live:{sessionId:N}";

    LiveCaller Caller => LiveCaller.From(Context.User);

    CancellationToken Aborted => Context.ConnectionAborted;

    /// <summary>Joins the session's feed (counted as a viewer) and returns the snapshot plus the events after <paramref name="afterSequence"/>.</summary>
    public Task<LiveSnapshot> JoinSession(Guid sessionId, long afterSequence) => JoinAsync(sessionId, afterSequence, null);

    /// <summary>
    /// <see cref="JoinSession"/> with the browser's viewer key (a random UUID it keeps), so an anonymous viewer who
    /// reloads or reconnects is the same unique viewer; signed-in viewers count by user id whatever the key.
    /// </summary>
    public Task<LiveSnapshot> JoinSessionAs(Guid sessionId, long afterSequence, string? viewerKey) =>
        JoinAsync(sessionId, afterSequence, viewerKey ?? throw LiveSessionException.Invalid("viewerKey", "Required; JoinSession takes none."));

    async Task<LiveSnapshot> JoinAsync(Guid sessionId, long afterSequence, string? viewerKey)
    {
        var joined = Joined();
        if (!joined.Contains(sessionId) && joined.Count >= options.MaxSessionsPerConnection)
        {
            throw new LiveSessionException(LiveErrors.Invalid, $"A connection follows at most {options.MaxSessionsPerConnection} sessions; leave one first.");
        }
        if (afterSequence < 0)
        {
            throw LiveSessionException.Invalid("afterSequence", "Zero or a sequence number the session has handed out.");
        }
        await floor.AdmitAsync(Caller, sessionId, Context.ConnectionId, viewerKey, Aborted);
        // In the group before reading: an event committed in between arrives twice at worst (clients keep one per sequence), never not at all.
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(sessionId), Aborted);
        joined.Add(sessionId);
        return await floor.SnapshotAsync(Caller, sessionId, afterSequence, Aborted);
    }

    public async Task LeaveSession(Guid sessionId)
    {
        Joined().Remove(sessionId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(sessionId), Aborted);
        await floor.LeaveAsync(Context.ConnectionId, sessionId, Aborted);
    }

    public Task<LiveEventResponse> SendChat(Guid sessionId, string clientMessageId, string text) =>
        floor.SendChatAsync(Caller, sessionId, clientMessageId, text, Aborted);

    public Task<LiveEventResponse> AskQuestion(Guid sessionId, string clientMessageId, string text) =>
        floor.AskQuestionAsync(Caller, sessionId, clientMessageId, text, Aborted);

    public Task<LiveEventResponse> UpvoteQuestion(Guid sessionId, Guid questionId) => floor.UpvoteQuestionAsync(Caller, sessionId, questionId, Aborted);

    public Task<LiveEventResponse> AnswerQuestion(Guid sessionId, Guid questionId, string text) =>
        floor.AnswerQuestionAsync(Caller, sessionId, questionId, text, Aborted);

    public Task<LiveEventResponse> PinListing(Guid sessionId, Guid listingId) => floor.PinListingAsync(Caller, sessionId, listingId, Aborted);

    public Task<LiveEventResponse> ExpressInterest(Guid sessionId, Guid listingId, QuantityInput quantity, PriceInput? priceHint, DateTimeOffset validUntil) =>
        floor.ExpressInterestAsync(Caller, sessionId, listingId, quantity, priceHint, validUntil, Aborted);

    public Task<QuoteResponse> RequestQuote(Guid sessionId, Guid listingId) => floor.RequestQuoteAsync(Caller, sessionId, listingId, Aborted);

    /// <summary>The seller's one action: a first offer in the room for the interest's buyer, terms from the interest and listing.</summary>
    public Task<InterestOfferResponse> OfferFromInterest(Guid sessionId, Guid interestId) => floor.OfferFromInterestAsync(Caller, sessionId, interestId, Aborted);

    public Task<LiveEventResponse> HideItem(Guid sessionId, long sequence) => floor.HideItemAsync(Caller, sessionId, sequence, Aborted);

    public Task<LiveEventResponse> MuteUser(Guid sessionId, Guid userId) => floor.MuteUserAsync(Caller, sessionId, userId, Aborted);

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        // The connection is gone: its presence rows go with it (a host that dies leaves them to expire).
        await floor.LeaveAsync(Context.ConnectionId, null, CancellationToken.None);
        await base.OnDisconnectedAsync(exception);
    }

    HashSet<Guid> Joined()
    {
        if (Context.Items.TryGetValue(JoinedKey, out var sessions) && sessions is HashSet<Guid> set)
        {
            return set;
        }
        var created = new HashSet<Guid>();
        Context.Items[JoinedKey] = created;
        return created;
    }
}

/// <summary>
/// Around every call of the live hub: a per-user (or, anonymous, per-connection) call budget, and refusals turned into
/// hub errors with their stable code.
/// </summary>
public sealed class LiveHubFilter(LiveSessionOptions options) : IHubFilter, IDisposable
{
    readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(caller =>
        RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.HubCallBurst, TokensPerPeriod = options.HubCallsPerSecond, ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0, AutoReplenishment = true,
        }));

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var caller = CurrentUser.IdOf(invocationContext.Context.User!)?.ToString() ?? invocationContext.Context.ConnectionId;
        using (var lease = _limiter.AttemptAcquire(caller))
        {
            if (!lease.IsAcquired)
            {
                throw new HubException($"{LiveErrors.RateLimited}: at most {options.HubCallsPerSecond} calls a second (bursts of {options.HubCallBurst}); slow down.");
            }
        }
        try
        {
            return await next(invocationContext);
        }
        catch (LiveSessionException ex)
        {
            throw new HubException(ex.Message);
        }
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>Hands session events and viewer counts from the bus to this host's connections in the session's group.</summary>
sealed class LiveRealtimeSink(IHubContext<LiveHub, ILiveClient> hub, IServiceScopeFactory scopes, IOptions<JsonOptions> json) : IRealtimeSink
{
    readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    public string Topic => LiveFloor.RealtimeTopic;

    public async Task DeliverAsync(RealtimeMessage message, CancellationToken ct)
    {
        var group = hub.Clients.Group(LiveHub.GroupOf(message.Target));
        switch (message.Kind)
        {
            case LiveMessages.Event:
                await group.LiveEvent(JsonSerializer.Deserialize<LiveEventResponse>(message.Json, _json)!);
                break;
            case LiveMessages.Viewers:
                await group.Viewers(JsonSerializer.Deserialize<ViewersResponse>(message.Json, _json)!);
                break;
            default:
                if (RealtimeKinds.IsSequenceReference(message, LiveMessages.Event, out var sequence))
                {
                    // Too big for NOTIFY: read the stored event.
                    await using var scope = scopes.CreateAsyncScope();
                    if (await scope.ServiceProvider.GetRequiredService<LiveFloor>().StoredEventAsync(message.Target, sequence, ct) is { } stored)
                    {
                        await group.LiveEvent(stored);
                    }
                }
                break;
        }
    }
}
