using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Scoda.Market.Web.Infrastructure.Mail;

namespace Scoda.Market.Web.Features.Accounts;

/// <summary>
/// Registration and sign-in answer the same whether or not an account uses the email, so neither tells a stranger who
/// is on the platform: registering a taken address answers like a new account (and the owner gets a mail saying so),
/// and every failed sign-in before the password is proven (unknown, wrong, locked, unconfirmed) is one 401 "Failed".
/// </summary>
static class AccountDefences
{
    public const string AuthPrefix = "/api/auth";
    public static readonly PathString RegisterPath = $"{AuthPrefix}/register";
    public static readonly PathString LoginPath = $"{AuthPrefix}/login";

    public static async ValueTask<object?> SameAnswerForEveryEmail(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var path = context.HttpContext.Request.Path;
        if (path.Equals(RegisterPath, StringComparison.OrdinalIgnoreCase)
            && context.Arguments.OfType<RegisterRequest>().FirstOrDefault() is { Email: { } email, Password: { } password })
        {
            return await RegisterExistingAsync(context.HttpContext.RequestServices, email, password) ?? await next(context);
        }
        if (path.Equals(LoginPath, StringComparison.OrdinalIgnoreCase))
        {
            var result = await next(context);
            var problem = result as ProblemHttpResult ?? (result as INestedHttpResult)?.Result as ProblemHttpResult;
            // RequiresTwoFactor comes only after the right password: that caller owns the account and needs the prompt.
            return problem is { StatusCode: StatusCodes.Status401Unauthorized } && problem.ProblemDetails.Detail != nameof(SignInResult.RequiresTwoFactor)
                ? TypedResults.Problem(SignInResult.Failed.ToString(), statusCode: StatusCodes.Status401Unauthorized)
                : result;
        }
        return await next(context);
    }

    /// <summary>The answer for an address that already has an account, or null to let Identity register a new one.</summary>
    static async Task<IResult?> RegisterExistingAsync(IServiceProvider services, string email, string password)
    {
        var users = services.GetRequiredService<UserManager<User>>();
        var existing = await users.FindByEmailAsync(email) ?? await users.FindByNameAsync(email);
        if (existing is null)
        {
            return null;
        }
        // A weak password is refused for a new address; so it must be here, with the same problem.
        var candidate = new User { UserName = email, Email = email };
        var failures = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            var check = await validator.ValidateAsync(users, candidate, password);
            failures.AddRange(check.Errors);
        }
        if (failures.Count > 0)
        {
            return TypedResults.ValidationProblem(failures.GroupBy(e => e.Code)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
        }
        // Spend the hashing time a new account costs, so the answer's timing does not tell either.
        _ = users.PasswordHasher.HashPassword(candidate, password);
        await services.GetRequiredService<AccountMail>().SendRegistrationAttemptAsync(existing.Email ?? email);
        return TypedResults.Ok();
    }
}
