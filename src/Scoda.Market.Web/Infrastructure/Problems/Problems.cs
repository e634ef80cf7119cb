using Microsoft.AspNetCore.Http.HttpResults;

namespace Scoda.Market.Web.Infrastructure.Problems;

/// <summary>The few non-validation problems endpoints answer with, so titles stay the same everywhere.</summary>
public static class Problems
{
    public const string ConflictTitle = "The request conflicts with the current state.";

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(title: $"{what} was not found.", statusCode: StatusCodes.Status404NotFound);

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
