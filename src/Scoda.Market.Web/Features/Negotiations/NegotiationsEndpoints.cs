using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.SignalR;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Realtime;
using Scoda.Market.Web.Infrastructure.Workers;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary><c>Negotiations:*</c> settings: the limits on hub use.</summary>
public sealed class NegotiationOptions
{
    public const string Section = "Negotiations";

    public int HubCallsPerSecond { get; set; } = 10;
    public int HubCallBurst { get; set; } = 20;
    public int MaxRoomsPerConnection { get; set; } = 20;

    /// <summary>Messages are stored by group commit (<see cref="GroupCommit"/>); false writes each in its own transaction.</summary>
    public bool GroupCommit { get; set; } = true;

    /// <summary>Messages waiting for a commit before new ones are refused with <c>rate_limited</c>.</summary>
    public int MaxQueuedMessages { get; set; } = 2_000;

    /// <summary>At most this many messages go into one transaction.</summary>
    public int MaxMessagesPerCommit { get; set; } = 200;

    /// <summary>On PostgreSQL, group commits written side by side (rooms spread over them by id); SQLite always has one.</summary>
    public int PostgresCommitWriters { get; set; } = 2;
}

public sealed record SendMessageRequest(string? ClientMessageId, string? Text);

public sealed record MakeOfferRequest(string? ClientMessageId, JsonElement Terms);

public sealed record DeclineOfferRequest(string? Reason);

public static class NegotiationsEndpoints
{
    public static IHostApplicationBuilder AddNegotiations(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(NegotiationOptions.Section).Get<NegotiationOptions>() ?? new NegotiationOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<RoomLocks>();
        builder.Services.AddSingleton<GroupCommit>();
        builder.Services.AddScoped<NegotiationService>();
        builder.Services.AddScoped<NegotiationSummaries>();
        builder.Services.AddSingleton<NegotiationHubFilter>();
        builder.Services.AddSingleton<IRealtimeSink, NegotiationsRealtimeSink>();
        builder.Services.AddSingleton<OfferExpiryWorker>();
        builder.Services.AddHostedService(s => s.GetRequiredService<OfferExpiryWorker>());
        // SignalR and its JSON protocol are configured once, in AddRealtime; AddSignalR here only hands back the builder
        // (it adds nothing twice) for this hub's own options, which AddHubOptions must set up from the global ones.
        builder.Services.AddSignalR().AddHubOptions<NegotiationsHub>(hub => hub.AddFilter<NegotiationHubFilter>());
        return builder;
    }

    public static IEndpointRouteBuilder MapNegotiationsEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/negotiations").WithTags("Negotiations").RequireAuthorization();
        api.MapPost("/", OpenRoom).WithName("OpenNegotiation");
        api.MapGet("/", ListRooms).WithName("ListNegotiations");
        api.MapGet("/{id:guid}", GetRoom).WithName("GetNegotiation");
        api.MapGet("/{id:guid}/events", GetEvents).WithName("GetNegotiationEvents");
        // The hub's actions over HTTP too, for integrations that do not hold a WebSocket open.
        api.MapPost("/{id:guid}/messages", SendMessage).WithName("SendNegotiationMessage");
        api.MapPost("/{id:guid}/offers", MakeOffer).WithName("MakeOffer");
        api.MapPost("/{id:guid}/offers/{offerId:guid}/accept", AcceptOffer).WithName("AcceptOffer");
        api.MapPost("/{id:guid}/approvals/{approvalId:guid}/approve", ApproveAcceptance).WithName("ApproveAcceptance");
        api.MapPost("/{id:guid}/offers/{offerId:guid}/decline", DeclineOffer).WithName("DeclineOffer");
        api.MapPost("/{id:guid}/offers/{offerId:guid}/withdraw", WithdrawOffer).WithName("WithdrawOffer");
        app.MapHub<NegotiationsHub>("/hubs/negotiations");
        return app;
    }

    static async Task<Results<Created<RoomResponse>, Ok<RoomResponse>, ProblemHttpResult>> OpenRoom(
        OpenRoomRequest request, NegotiationService negotiations, CurrentUser user, CancellationToken ct)
    {
        try
        {
            var (room, created) = await negotiations.OpenRoomAsync(Caller.From(user.Principal), request, ct);
            return created ? TypedResults.Created($"/api/negotiations/{room.Id}", room) : TypedResults.Ok(room);
        }
        catch (NegotiationException ex)
        {
            return ToProblem(ex);
        }
    }

    static async Task<Results<Ok<Page<RoomResponse>>, ProblemHttpResult, ValidationProblem>> ListRooms(
        string? role, string? cursor, int? limit, NegotiationService negotiations, CurrentUser user, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        Side? side = null;
        if (role is not null)
        {
            errors.Check(Infrastructure.Domain.EnumText.TryParse<Side>(role, out var parsed), "role", "buyer or seller.");
            side = parsed;
        }
        if (!PageRequest.TryParse(cursor, limit, errors, out var page) || !errors.IsValid)
        {
            return errors.ToProblem();
        }
        var rooms = await negotiations.RoomsAsync(Caller.From(user.Principal), side, page, ct);
        return TypedResults.Ok(page.ToPage(rooms, r => new Cursor(r.UpdatedAt, r.Id)));
    }

    static Task<Results<Ok<RoomResponse>, ProblemHttpResult>> GetRoom(Guid id, NegotiationService negotiations, CurrentUser user, CancellationToken ct) =>
        Run(async () => await negotiations.RoomAsync(Caller.From(user.Principal), id, ct));

    static Task<Results<Ok<RoomEventsPage>, ProblemHttpResult>> GetEvents(
        Guid id, long? after, int? limit, NegotiationService negotiations, CurrentUser user, CancellationToken ct) =>
        Run(async () =>
        {
            if (limit is < 1 or > NegotiationService.MaxEventsPerRead)
            {
                throw NegotiationException.Invalid(new ValidationErrors().Add("limit", $"Between 1 and {NegotiationService.MaxEventsPerRead}."));
            }
            var access = await negotiations.AccessAsync(Caller.From(user.Principal), id, ct);
            var take = limit ?? 100;
            var events = await negotiations.EventsAsync(access, after ?? 0, take + 1, ct);
            var items = events.Count > take ? events.Take(take).ToList() : events;
            return new RoomEventsPage(items, events.Count > take ? items[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null);
        });

    static Task<Results<Ok<RoomEventResponse>, ProblemHttpResult>> SendMessage(
        Guid id, SendMessageRequest request, NegotiationService negotiations, CurrentUser user, CancellationToken ct) =>
        Run(() => negotiations.SendMessageAsync(Caller.From(user.Principal), id, request.ClientMessageId, request.Text, ct));

    static Task<Results<Ok<RoomEventResponse>, ProblemHttpResult>> MakeOffer(
        Guid id, MakeOfferRequest request, NegotiationService negotiations, CurrentUser user, CancellationToken ct) =>
        Run(() => negotiations.MakeOfferAsync(Caller.From(user.Principal), id, request.ClientMessageId, request.Terms, ct));

    /// <summary>200 with the <c>offer_accepted</c> event, or 202 <c>{ approvalId, status: "pending_approval", event }</c> above the threshold.</summary>
    static async Task<Results<Ok<RoomEventResponse>, Accepted<PendingApprovalResponse>, ProblemHttpResult>> AcceptOffer(
        Guid id, Guid offerId, AcceptConfirmation? confirmation, NegotiationService negotiations, CurrentUser user, CancellationToken ct)
    {
        try
        {
            var stored = await negotiations.AcceptOfferAsync(Caller.From(user.Principal), id, offerId, confirmation, ct);
            if (stored.Type != RoomEventTypes.AcceptancePending)
            {
                return TypedResults.Ok(stored);
            }
            var approvalId = stored.Payload.GetProperty("approvalId").GetGuid();
            return TypedResults.Accepted($"/api/negotiations/{id}/approvals/{approvalId}", new PendingApprovalResponse(approvalId, "pending_approval", stored));
        }
        catch (NegotiationException ex)
        {
            return ToProblem(ex);
        }
    }

    static Task<Results<Ok<RoomEventResponse>, ProblemHttpResult>> ApproveAcceptance(
        Guid id, Guid approvalId, NegotiationService negotiations, CurrentUser user, CancellationToken ct) =>
        Run(() => negotiations.ApproveAcceptanceAsync(Caller.From(user.Principal), id, approvalId, ct));

    static Task<Results<Ok<RoomEventResponse>, ProblemHttpResult>> DeclineOffer(
        Guid id, Guid offerId, DeclineOfferRequest? request, NegotiationService negotiations, CurrentUser user, CancellationToken ct) =>
        Run(() => negotiations.DeclineOfferAsync(Caller.From(user.Principal), id, offerId, request?.Reason, ct));

    static Task<Results<Ok<RoomEventResponse>, ProblemHttpResult>> WithdrawOffer(
        Guid id, Guid offerId, NegotiationService negotiations, CurrentUser user, CancellationToken ct) =>
        Run(() => negotiations.WithdrawOfferAsync(Caller.From(user.Principal), id, offerId, ct));

    static async Task<Results<Ok<T>, ProblemHttpResult>> Run<T>(Func<Task<T>> action)
    {
        try
        {
            return TypedResults.Ok(await action());
        }
        catch (NegotiationException ex)
        {
            return ToProblem(ex);
        }
    }

    /// <summary>The HTTP face of a refused call: the same code in the problem's <c>code</c>, and field errors for 400s.</summary>
    public static ProblemHttpResult ToProblem(NegotiationException ex)
    {
        var status = ex.Code switch
        {
            NegotiationErrors.NotFound => StatusCodes.Status404NotFound,
            NegotiationErrors.Forbidden => StatusCodes.Status403Forbidden,
            NegotiationErrors.Conflict => StatusCodes.Status409Conflict,
            NegotiationErrors.RateLimited => StatusCodes.Status429TooManyRequests,
            _ => StatusCodes.Status400BadRequest,
        };
        var problem = ex.Errors is { } errors
            ? new HttpValidationProblemDetails(errors) { Title = "One or more fields are invalid." }
            : new Microsoft.AspNetCore.Mvc.ProblemDetails();
        problem.Status = status;
        problem.Detail = ex.Detail;
        problem.Extensions["code"] = ex.Code;
        return TypedResults.Problem(problem);
    }
}

/// <summary>Expires open offers once their validity has passed (each with an <c>offer_expired</c> event in its room).</summary>
public sealed class OfferExpiryWorker(IServiceScopeFactory scopes, TimeProvider clock, ILogger<OfferExpiryWorker> logger) : PeriodicWorker(clock, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(30);

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NegotiationService>().ExpireDueOffersAsync(ct);
    }
}
