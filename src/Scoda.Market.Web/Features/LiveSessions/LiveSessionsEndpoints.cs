using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Realtime;
using Scoda.Market.Web.Infrastructure.Security;
using Scoda.Market.Web.Infrastructure.Storage;

namespace Scoda.Market.Web.Features.LiveSessions;

public static class LiveSessionsEndpoints
{
    public static IHostApplicationBuilder AddLiveSessions(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(LiveSessionOptions.Section).Get<LiveSessionOptions>() ?? new LiveSessionOptions();
        builder.Services.AddSingleton(options);
        // The players: allowed embeds in frames; HLS through hls.js (MediaSource blobs, a blob worker) from the stream hosts.
        List<string> streamOrigins = options.StreamHosts.Count == 0 ? ["https:"] : options.StreamHosts.Select(ContentSecuritySources.HttpsOrigin).ToList();
        builder.Services.AddSingleton(new ContentSecuritySources("frame-src", options.EmbedHosts.Select(ContentSecuritySources.HttpsOrigin)));
        builder.Services.AddSingleton(new ContentSecuritySources("media-src", ["blob:", .. streamOrigins]));
        builder.Services.AddSingleton(new ContentSecuritySources("connect-src", streamOrigins));
        builder.Services.AddSingleton(new ContentSecuritySources("worker-src", ["blob:"]));
        builder.Services.AddScoped<AccountFacts>();
        builder.Services.AddScoped<LiveSessionService>();
        builder.Services.AddScoped<LiveFloor>();
        builder.Services.AddScoped<IStockChangeListener, LivePinnedStock>();
        builder.Services.AddScoped<LiveReport>();
        builder.Services.AddScoped<LiveSessionDemo>();
        builder.Services.AddSingleton<LiveLocks>();
        builder.Services.AddSingleton<LiveLimits>();
        builder.Services.AddSingleton<LivePresence>();
        builder.Services.AddSingleton<LiveHubFilter>();
        builder.Services.AddSingleton<IRealtimeSink, LiveRealtimeSink>();
        builder.Services.AddSingleton<LiveViewerWorker>();
        builder.Services.AddHostedService(s => s.GetRequiredService<LiveViewerWorker>());
        builder.Services.AddSingleton<LiveReminderWorker>();
        builder.Services.AddHostedService(s => s.GetRequiredService<LiveReminderWorker>());
        builder.Services.AddSignalR().AddHubOptions<LiveHub>(hub => hub.AddFilter<LiveHubFilter>());
        return builder;
    }

    public static IEndpointRouteBuilder MapLiveSessionsEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/live-sessions").WithTags("LiveSessions").RequireAuthorization();
        api.MapPost("/", Create).WithName("ScheduleLiveSession");
        api.MapGet("/", List).WithName("ListLiveSessions").AllowAnonymous();
        api.MapGet("/{id:guid}", Get).WithName("GetLiveSession").AllowAnonymous();
        api.MapPut("/{id:guid}", Update).WithName("UpdateLiveSession");
        api.MapPost("/{id:guid}/cancel", Cancel).WithName("CancelLiveSession");
        api.MapPost("/{id:guid}/start", Start).WithName("StartLiveSession");
        api.MapPost("/{id:guid}/end", End).WithName("EndLiveSession");
        api.MapPost("/{id:guid}/register", Register).WithName("RegisterForLiveSession");
        api.MapDelete("/{id:guid}/register", Unregister).WithName("UnregisterFromLiveSession");
        api.MapGet("/{id:guid}/calendar.ics", Calendar).WithName("LiveSessionCalendar").AllowAnonymous().WithDownloadHeaders();
        api.MapGet("/{id:guid}/report", Report).WithName("LiveSessionReport");
        api.MapGet("/{id:guid}/report.csv", ReportCsv).WithName("LiveSessionReportCsv").WithDownloadHeaders();
        api.MapGet("/{id:guid}/interests", Interests).WithName("LiveSessionInterests");
        api.MapPost("/{id:guid}/interests/{interestId:guid}/offer", OfferFromInterest).WithName("OfferFromLiveInterest");
        app.MapHub<LiveHub>("/hubs/live");
        return app;
    }

    static LiveCaller CallerOf(CurrentUser user) => LiveCaller.From(user.IsAuthenticated ? user.Principal : null);

    static Task<Results<Created<LiveSessionResponse>, ProblemHttpResult>> Create(
        LiveSessionRequest request, LiveSessionService sessions, CurrentUser user, CancellationToken ct) =>
        Guard<Created<LiveSessionResponse>>(async () =>
        {
            var created = await sessions.CreateAsync(CallerOf(user), request, ct);
            return TypedResults.Created($"/api/live-sessions/{created.Id}", created);
        });

    static Task<Results<Ok<Page<LiveSessionResponse>>, ProblemHttpResult>> List(
        string? status, string? country, string? category, string? cursor, int? limit, LiveSessionService sessions, CurrentUser user, CancellationToken ct) =>
        Run(() => sessions.ListAsync(CallerOf(user), status, country, category, cursor, limit, ct));

    static Task<Results<Ok<LiveSessionResponse>, ProblemHttpResult>> Get(Guid id, LiveSessionService sessions, CurrentUser user, CancellationToken ct) =>
        Run(() => sessions.ResponseAsync(CallerOf(user), id, ct));

    static Task<Results<Ok<LiveSessionResponse>, ProblemHttpResult>> Update(
        Guid id, LiveSessionRequest request, LiveSessionService sessions, CurrentUser user, CancellationToken ct) =>
        Run(() => sessions.UpdateAsync(CallerOf(user), id, request, ct));

    static Task<Results<Ok<LiveEventResponse>, ProblemHttpResult>> Cancel(
        Guid id, CancelSessionRequest? request, LiveFloor floor, CurrentUser user, CancellationToken ct) =>
        Run(() => floor.CancelAsync(CallerOf(user), id, request?.Reason, ct));

    static Task<Results<Ok<LiveEventResponse>, ProblemHttpResult>> Start(Guid id, LiveFloor floor, CurrentUser user, CancellationToken ct) =>
        Run(() => floor.StartAsync(CallerOf(user), id, ct));

    static Task<Results<Ok<LiveEventResponse>, ProblemHttpResult>> End(Guid id, LiveFloor floor, CurrentUser user, CancellationToken ct) =>
        Run(() => floor.EndAsync(CallerOf(user), id, ct));

    static Task<Results<Ok<RegistrationResponse>, ProblemHttpResult>> Register(Guid id, LiveSessionService sessions, CurrentUser user, CancellationToken ct) =>
        Run(() => sessions.RegisterAsync(CallerOf(user), id, ct));

    static Task<Results<Ok<RegistrationResponse>, ProblemHttpResult>> Unregister(Guid id, LiveSessionService sessions, CurrentUser user, CancellationToken ct) =>
        Run(() => sessions.UnregisterAsync(CallerOf(user), id, ct));

    static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Calendar(
        Guid id, MarketDbContext db, PublicAddress address, TimeProvider clock, CancellationToken ct)
    {
        var session = await db.LiveSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (session is null)
        {
            return ToProblem(LiveSessionService.NotFound());
        }
        var ics = LiveCalendar.Write(session, address.BaseUrl, clock.GetUtcNow());
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(ics), "text/calendar; charset=utf-8", $"live-session-{id:N}.ics");
    }

    /// <summary>JSON, or CSV when the request's Accept header prefers <c>text/csv</c>.</summary>
    static async Task<IResult> Report(Guid id, LiveReport reports, CurrentUser user, HttpRequest request, CancellationToken ct)
    {
        var csv = request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
        var result = await Guard<IResult>(async () =>
        {
            var report = await reports.ReadAsync(CallerOf(user), id, ct);
            return csv ? CsvFile(report) : TypedResults.Ok(report);
        });
        return result.Result;
    }

    static async Task<IResult> ReportCsv(Guid id, LiveReport reports, CurrentUser user, CancellationToken ct) =>
        (await Guard<IResult>(async () => CsvFile(await reports.ReadAsync(CallerOf(user), id, ct)))).Result;

    static FileContentHttpResult CsvFile(LiveReportResponse report) =>
        TypedResults.File(System.Text.Encoding.UTF8.GetBytes(LiveReport.ToCsv(report)), "text/csv; charset=utf-8", $"live-session-{report.SessionId:N}-report.csv");

    static Task<Results<Ok<IReadOnlyList<InterestResponse>>, ProblemHttpResult>> Interests(Guid id, LiveFloor floor, CurrentUser user, CancellationToken ct) =>
        Run(() => floor.InterestsAsync(CallerOf(user), id, ct));

    static Task<Results<Ok<InterestOfferResponse>, ProblemHttpResult>> OfferFromInterest(
        Guid id, Guid interestId, LiveFloor floor, CurrentUser user, CancellationToken ct) =>
        Run(() => floor.OfferFromInterestAsync(CallerOf(user), id, interestId, ct));

    static Task<Results<Ok<T>, ProblemHttpResult>> Run<T>(Func<Task<T>> action) => Guard<Ok<T>>(async () => TypedResults.Ok(await action()));

    static async Task<Results<T, ProblemHttpResult>> Guard<T>(Func<Task<T>> action) where T : IResult
    {
        try
        {
            return await action();
        }
        catch (LiveSessionException ex)
        {
            return ToProblem(ex);
        }
    }

    /// <summary>The HTTP face of a refused call: the same code in the problem's <c>code</c>, and field errors for 400s.</summary>
    public static ProblemHttpResult ToProblem(LiveSessionException ex)
    {
        var status = ex.Code switch
        {
            LiveErrors.NotFound => StatusCodes.Status404NotFound,
            LiveErrors.Forbidden => StatusCodes.Status403Forbidden,
            LiveErrors.Conflict or LiveErrors.Full => StatusCodes.Status409Conflict,
            LiveErrors.RateLimited => StatusCodes.Status429TooManyRequests,
            LiveErrors.Unauthorized => StatusCodes.Status401Unauthorized,
            _ => StatusCodes.Status400BadRequest,
        };
        var problem = ex.Errors is { } errors
            ? new HttpValidationProblemDetails(errors) { Title = "One or more fields are invalid." }
            : new ProblemDetails { Title = status == StatusCodes.Status404NotFound ? "Live session was not found." : "The request was refused." };
        problem.Status = status;
        problem.Detail = ex.Detail;
        problem.Extensions["code"] = ex.Code;
        return TypedResults.Problem(problem);
    }
}
