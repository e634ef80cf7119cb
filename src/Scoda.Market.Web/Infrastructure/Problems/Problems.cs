using Microsoft.AspNetCore.Http.HttpResults;

namespace Scoda.Market.Web.Infrastructure.Problems;

/// <summary>The few non-validation problems endpoints answer with, so titles stay the same everywhere.</summary>
public static class Problems
{
    public const string ConflictTitle = "The request conflicts with the current state.";

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(title: $"{what} was not found.", statusCode: StatusCodes.Status404NotFound,
            extensions: new Dictionary<string, object?> { ["code"] = ProblemCodes.NotFound, ["params"] = new Dictionary<string, string> { ["resource"] = what } });

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(title: "You are not allowed to do this.", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(title: ConflictTitle, detail: detail, statusCode: StatusCodes.Status409Conflict);
}

/// <summary>An exception that says which problem answers it (e.g. a 409 naming the allowed transitions); the exception handler writes it.</summary>
public interface IProblemSource
{
    Microsoft.AspNetCore.Mvc.ProblemDetails ToProblemDetails();
}

/// <summary>The stable <c>code</c> every problem carries beside its English title (clients render it in the user's language).</summary>
public static class ProblemCodes
{
    public const string Invalid = "invalid";
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string RateLimited = "rate_limited";
    public const string TooLarge = "too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string Server = "server_error";

    public static string Of(int status) => status switch
    {
        StatusCodes.Status400BadRequest => Invalid,
        StatusCodes.Status401Unauthorized => Unauthenticated,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status409Conflict => Conflict,
        StatusCodes.Status413PayloadTooLarge => TooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => RateLimited,
        >= 500 => Server,
        _ => $"http_{status}",
    };
}
