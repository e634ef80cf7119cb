using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>Server → client calls of <c>/hubs/negotiations</c> (docs/CONTRACT.md).</summary>
public interface INegotiationClient
{
    Task RoomEvent(RoomEventResponse roomEvent);

    Task Typing(TypingResponse typing);

    Task Read(ReadResponse read);
}

/// <summary>The kinds of realtime message the negotiation rooms send through the bus.</summary>
public static class RoomMessages
{
    public const string Event = "event";
    public const string Typing = "typing";
    public const string Read = "read";
}

/// <summary>
/// The negotiation hub. Thin: every call authorizes against the room (not only on join) and goes to
/// <see cref="NegotiationService"/>, which stores the event and publishes it; the hub never broadcasts anything itself.
/// Refusals arrive as hub errors whose message starts with a stable code (<see cref="NegotiationErrors"/>).
/// </summary>
[Authorize]
public sealed class NegotiationsHub(NegotiationService negotiations, NegotiationOptions options) : Hub<INegotiationClient>
{
    const string JoinedRoomsKey = "rooms";

    public static string GroupOf(Guid roomId) => $"room:{roomId:N}";

    Caller Caller => Caller.From(Context.User!);

    CancellationToken Aborted => Context.ConnectionAborted;

    /// <summary>Joins the room's live feed and returns what the caller missed after <paramref name="afterSequence"/>.</summary>
    public async Task<IReadOnlyList<RoomEventResponse>> JoinRoom(Guid roomId, long afterSequence)
    {
        var joined = JoinedRooms();
        if (!joined.Contains(roomId) && joined.Count >= options.MaxRoomsPerConnection)
        {
            throw new NegotiationException(NegotiationErrors.Invalid, $"A connection follows at most {options.MaxRoomsPerConnection} rooms; leave one first.");
        }
        var access = await negotiations.JoinAsync(Caller, roomId, Aborted);
        // In the group before reading: an event committed in between arrives twice at worst (clients keep one per sequence), never not at all.
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(roomId), Aborted);
        joined.Add(roomId);
        return await negotiations.EventsAsync(access, afterSequence, NegotiationService.MaxEventsPerRead, Aborted);
    }

    public async Task LeaveRoom(Guid roomId)
    {
        JoinedRooms().Remove(roomId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(roomId), Aborted);
    }

    public Task<RoomEventResponse> SendMessage(Guid roomId, string clientMessageId, string text) =>
        negotiations.SendMessageAsync(Caller, roomId, clientMessageId, text, Aborted);

    public Task<RoomEventResponse> MakeOffer(Guid roomId, string clientMessageId, JsonElement terms) =>
        negotiations.MakeOfferAsync(Caller, roomId, clientMessageId, terms, Aborted);

    public Task<RoomEventResponse> AcceptOffer(Guid roomId, Guid offerId, AcceptConfirmation? confirmation) =>
        negotiations.AcceptOfferAsync(Caller, roomId, offerId, confirmation, Aborted);

    public Task<RoomEventResponse> ApproveAcceptance(Guid roomId, Guid approvalId) =>
        negotiations.ApproveAcceptanceAsync(Caller, roomId, approvalId, Aborted);

    public Task<RoomEventResponse> DeclineOffer(Guid roomId, Guid offerId, string? reason) =>
        negotiations.DeclineOfferAsync(Caller, roomId, offerId, reason, Aborted);

    public Task<RoomEventResponse> WithdrawOffer(Guid roomId, Guid offerId) =>
        negotiations.WithdrawOfferAsync(Caller, roomId, offerId, Aborted);

    public Task<TypingResponse> Typing(Guid roomId) => negotiations.TypingAsync(Caller, roomId, Aborted);

    public Task<ReadResponse> MarkRead(Guid roomId, long sequence) => negotiations.MarkReadAsync(Caller, roomId, sequence, Aborted);

    /// <summary>Moderators only: hides a message (it stays in the log, flagged).</summary>
    public Task<RoomEventResponse> HideMessage(Guid roomId, long sequence) => negotiations.HideMessageAsync(Caller, roomId, sequence, Aborted);

    HashSet<Guid> JoinedRooms()
    {
        if (Context.Items.TryGetValue(JoinedRoomsKey, out var rooms) && rooms is HashSet<Guid> set)
        {
            return set;
        }
        var created = new HashSet<Guid>();
        Context.Items[JoinedRoomsKey] = created;
        return created;
    }
}

/// <summary>
/// Applies the per-user rate limit to every call of the negotiation hub and turns refusals into hub errors with a
/// stable code; any other failure stays a generic hub error (details only in the log).
/// </summary>
public sealed class NegotiationHubFilter(NegotiationOptions options) : IHubFilter, IDisposable
{
    readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(user =>
        RateLimitPartition.GetTokenBucketLimiter(user, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.HubCallBurst,
            TokensPerPeriod = options.HubCallsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var user = CurrentUser.IdOf(invocationContext.Context.User!)?.ToString() ?? invocationContext.Context.ConnectionId;
        using var lease = _limiter.AttemptAcquire(user);
        if (!lease.IsAcquired)
        {
            throw new HubException($"{NegotiationErrors.RateLimited}: at most {options.HubCallsPerSecond} calls a second (bursts of {options.HubCallBurst}); slow down.");
        }
        try
        {
            return await next(invocationContext);
        }
        catch (NegotiationException ex)
        {
            throw new HubException(ex.Message);
        }
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>Hands room events, typing and read receipts from the bus to this host's connections in the room's group.</summary>
sealed class NegotiationsRealtimeSink(
    IHubContext<NegotiationsHub, INegotiationClient> hub, IServiceScopeFactory scopes, IOptions<JsonOptions> json) : IRealtimeSink
{
    readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    public string Topic => NegotiationService.RealtimeTopic;

    public async Task DeliverAsync(RealtimeMessage message, CancellationToken ct)
    {
        var group = hub.Clients.Group(NegotiationsHub.GroupOf(message.Target));
        switch (message.Kind)
        {
            case RoomMessages.Event:
                await group.RoomEvent(JsonSerializer.Deserialize<RoomEventResponse>(message.Json, _json)!);
                break;
            case RoomMessages.Typing:
                await group.Typing(JsonSerializer.Deserialize<TypingResponse>(message.Json, _json)!);
                break;
            case RoomMessages.Read:
                await group.Read(JsonSerializer.Deserialize<ReadResponse>(message.Json, _json)!);
                break;
            default:
                if (RealtimeKinds.IsSequenceReference(message, RoomMessages.Event, out var sequence))
                {
                    // Too big for NOTIFY: read the stored event.
                    await using var scope = scopes.CreateAsyncScope();
                    if (await scope.ServiceProvider.GetRequiredService<NegotiationService>().StoredEventAsync(message.Target, sequence, ct) is { } stored)
                    {
                        await group.RoomEvent(stored);
                    }
                }
                break;
        }
    }
}
