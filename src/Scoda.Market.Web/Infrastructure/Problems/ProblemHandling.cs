using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Scoda.Market.Web.Infrastructure.Json;
using Scoda.Market.Web.Infrastructure.Text;

namespace Scoda.Market.Web.Infrastructure.Problems;

/// <summary>RFC 9457 problem details for every error the host answers, including unhandled exceptions.</summary>
public static class ProblemHandling
{
    public static IHostApplicationBuilder AddProblemHandling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            var activity = context.HttpContext.Features.Get<IHttpActivityFeature>()?.Activity;
            context.ProblemDetails.Extensions.TryAdd("traceId", activity?.Id ?? context.HttpContext.TraceIdentifier);
            // A stable code beside the English title, so clients can say it in the user's language.
            context.ProblemDetails.Extensions.TryAdd("code", ProblemCodes.Of(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode));
            context.ProblemDetails.Extensions.TryAdd("params", new Dictionary<string, string>());
            if (context.ProblemDetails is HttpValidationProblemDetails validation)
            {
                // Beside the English messages by field: each as a code with parameters, for clients to word.
                context.ProblemDetails.Extensions.TryAdd("fieldErrors", FieldErrorCodes.Describe(validation.Errors));
            }
        });
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        // Bad JSON, wrong types and missing bodies throw BadHttpRequestException in every environment,
        // so the exception handler can answer them with a 400 problem instead of an empty response.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    public static WebApplication UseProblemHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(RefuseUnsafeQueryText);
        return app;
    }

    /// <summary>
    /// Query values follow the same text rule as JSON strings (<see cref="InputText"/>): a NUL in <c>?q=</c> is a 400 naming
    /// the parameter, before it can reach a query (PostgreSQL refuses NUL in text with an exception).
    /// </summary>
    static async Task RefuseUnsafeQueryText(HttpContext context, RequestDelegate next)
    {
        foreach (var (name, values) in context.Request.Query)
        {
            var problem = InputText.Problem(name);
            foreach (var value in values)
            {
                problem ??= InputText.Problem(value);
            }
            if (problem is not null)
            {
                var field = InputText.IsAcceptable(name) ? name : "query";
                await TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [problem] }, title: "One or more fields are invalid.")
                    .ExecuteAsync(context);
                return;
            }
        }
        await next(context);
    }
}

sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, IHostEnvironment environment, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } bad when BadRequestErrors.Describe(bad) is { } errors =>
                new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest, Title = "One or more fields are invalid." },
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
                    StatusCodes.Status415UnsupportedMediaType => "The request body has an unsupported content type.",
                    _ => "The request is malformed.",
                },
                Detail = InputText.ForLog(bad.Message),
            },
            // A multipart body the form reader cannot parse (a CR or LF inside a file name, a broken boundary).
            InvalidDataException => new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                ["body"] = ["The multipart/form-data body is malformed (check the boundary and that no header value contains a line break)."],
            })
            { Status = StatusCodes.Status400BadRequest, Title = "The request is malformed." },
            IProblemSource source => source.ToProblemDetails(),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => null,
            _ => new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "An unexpected error occurred.",
                Detail = environment.IsDevelopment() ? exception.ToString() : null,
            },
        };
        if (problem is null)
        {
            return true;
        }

        if (problem.Status >= 500)
        {
            // Exception messages can quote what the client sent ("The input string '…' was not in a correct format"):
            // the logged copy keeps types and stack traces but caps every message.
            LogUnhandled(logger, CappedException.Of(exception), httpContext.Request.Method, InputText.ForLog(httpContext.Request.Path));
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}

/// <summary>Per-field errors for the framework's binding failures, keyed like our own validation errors (camelCase JSON paths).</summary>
static partial class BadRequestErrors
{
    public static IDictionary<string, string[]>? Describe(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            return new Dictionary<string, string[]> { [MarketJson.FieldOf(json) is { Length: > 0 } field ? field : "body"] = [MarketJson.MessageOf(json)] };
        }
        // "Failed to bind parameter "int? limit" from "abc"." / "Required parameter "Guid organizationId" was not provided from query string."
        var parameter = ParameterName().Match(bad.Message);
        return parameter.Success
            ? new Dictionary<string, string[]> { [parameter.Groups[1].Value] = [bad.Message.StartsWith("Required", StringComparison.Ordinal) ? "Required." : "Not a valid value for this parameter."] }
            : null;
    }

    [GeneratedRegex("""parameter "(?:[^"]* )?(\w+)"\s""")]
    private static partial Regex ParameterName();
}

/// <summary>
/// A stand-in for an exception in a log line: the same type names, messages capped by <see cref="InputText.ForLog"/>, the
/// original stack trace. Nothing a client sent reaches the log longer than a few hundred characters.
/// </summary>
sealed class CappedException : Exception
{
    readonly string _type;
    readonly string? _stackTrace;

    CappedException(Exception original, Exception? inner) : base(InputText.ForLog(original.Message), inner)
    {
        _type = original.GetType().FullName ?? original.GetType().Name;
        _stackTrace = original.StackTrace;
        HResult = original.HResult;
    }

    public static Exception Of(Exception original) =>
        new CappedException(original, original.InnerException is { } inner ? Of(inner) : null);

    public override string? StackTrace => _stackTrace;

    public override string ToString()
    {
        var text = $"{_type}: {Message}";
        if (InnerException is not null)
        {
            text += $"{Environment.NewLine} ---> {InnerException}{Environment.NewLine}   --- End of inner exception stack trace ---";
        }
        return _stackTrace is null ? text : $"{text}{Environment.NewLine}{_stackTrace}";
    }
}
