using Microsoft.AspNetCore.Http.HttpResults;

namespace Scoda.Market.Web.Infrastructure.Problems;

/// <summary>Collects per-field messages for a 400 validation problem; field names are the request's camelCase JSON names.</summary>
public sealed class ValidationErrors
{
    readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public ValidationErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }
        messages.Add(message);
        return this;
    }

    public ValidationErrors Check(bool condition, string field, string message) => condition ? this : Add(field, message);

    public ValidationErrors RequireText(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, "Required.");
        }
        return Check(value.Length <= maxLength, field, $"At most {maxLength} characters.");
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public ValidationProblem ToProblem() => TypedResults.ValidationProblem(ToDictionary(), title: "One or more fields are invalid.");

    public static ValidationProblem For(string field, string message) => new ValidationErrors().Add(field, message).ToProblem();
}
