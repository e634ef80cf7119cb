using System.Text.RegularExpressions;

namespace Scoda.Market.Web.Infrastructure.Problems;

/// <summary>One per-field error of a 400 as clients render it: a stable code with parameters, beside the English message.</summary>
public sealed record FieldError(string Field, string Code, IReadOnlyDictionary<string, string> Params, string Message);

/// <summary>
/// The stable codes of per-field validation messages (the <c>fieldErrors</c> extension of every 400 problem), so clients
/// say "Required." or "At most 200 characters." in the user's language. The endpoints keep writing one English sentence per
/// rule (API users read those in <c>errors</c>); the house phrasings of the common rules are recognised here, in one
/// place, and a message no rule recognises is <c>invalid</c> (clients show its English).
/// </summary>
public static partial class FieldErrorCodes
{
    public const string Required = "required";
    public const string TooLong = "too_long";
    public const string TooShort = "too_short";
    public const string OutOfRange = "out_of_range";
    public const string NotAllowed = "not_allowed";
    public const string InvalidFormat = "invalid_format";
    public const string Invalid = "invalid";

    /// <summary>The coded form of every message of every field, in the order of <paramref name="errors"/>.</summary>
    public static IReadOnlyList<FieldError> Describe(IDictionary<string, string[]> errors) =>
        [.. errors.SelectMany(e => e.Value.Select(message =>
        {
            var (code, parameters) = Classify(message);
            return new FieldError(e.Key, code, parameters, message);
        }))];

    /// <summary>The code and parameters of one English message (parameter values are invariant text).</summary>
    public static (string Code, IReadOnlyDictionary<string, string> Params) Classify(string message)
    {
        var text = message.Trim();
        if (RequiredRule().IsMatch(text))
        {
            return (Required, None);
        }
        if (TooLongRule().Match(text) is { Success: true } tooLong)
        {
            return (TooLong, With(("max", tooLong.Groups[1].Value)));
        }
        if (TooShortRule().Match(text) is { Success: true } tooShort)
        {
            return (TooShort, With(("min", tooShort.Groups[1].Value)));
        }
        if (BetweenRule().Match(text) is { Success: true } between)
        {
            return (OutOfRange, between.Groups[3].Success
                ? With(("min", between.Groups[1].Value), ("max", between.Groups[2].Value), ("unit", between.Groups[3].Value))
                : With(("min", between.Groups[1].Value), ("max", between.Groups[2].Value)));
        }
        if (NotNegativeRule().IsMatch(text))
        {
            return (OutOfRange, With(("min", "0")));
        }
        if (OneOfRule().Match(text) is { Success: true } oneOf)
        {
            return (NotAllowed, With(("allowed", Codes(oneOf.Groups[1].Value))));
        }
        if (CountryRule().IsMatch(text))
        {
            return (InvalidFormat, With(("format", "country")));
        }
        if (DateRule().IsMatch(text))
        {
            return (InvalidFormat, With(("format", "date")));
        }
        if (PositiveRule().Match(text) is { Success: true } positive)
        {
            var decimals = positive.Groups[1].Value == "two" ? "2" : positive.Groups[1].Value;
            return (InvalidFormat, With(("format", "positive_decimal"), ("decimals", decimals)));
        }
        if (CategoryRule().IsMatch(text))
        {
            return (InvalidFormat, With(("format", "category")));
        }
        if (NumberRule().IsMatch(text))
        {
            return (InvalidFormat, With(("format", "number")));
        }
        if (ValueRule().IsMatch(text))
        {
            return (InvalidFormat, With(("format", "value")));
        }
        return (Invalid, None);
    }

    static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>(StringComparer.Ordinal);

    static Dictionary<string, string> With(params (string Key, string Value)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    /// <summary>"sea, inland_waterway, rail or road" → "sea, inland_waterway, rail, road" (codes stay codes, whatever the language).</summary>
    static string Codes(string list) =>
        string.Join(", ", ListSeparator().Split(list).Select(c => c.Trim()).Where(c => c.Length > 0));

    /// <summary>Only the phrasings said of a missing value ("Required: 1 to 64 characters" is also said of a wrong one, so it stays <c>invalid</c>).</summary>
    [GeneratedRegex(@"^(Required\.|Required \([^)]*\)\.|Required: the .*|Required for .*|A value is required\.)$")]
    private static partial Regex RequiredRule();

    [GeneratedRegex(@"^At most (\d+) characters\b")]
    private static partial Regex TooLongRule();

    [GeneratedRegex(@"^At least (\d+) characters\b")]
    private static partial Regex TooShortRule();

    /// <summary>"Between 12 and 15 %.", "Latitude between -90 and 90.", "Between 1 and 100." (not "Between 10 minutes and 7 days").</summary>
    [GeneratedRegex(@"^(?:\w+ )?[Bb]etween (-?\d+(?:\.\d+)?) and (-?\d+(?:\.\d+)?)(?: ([^\sA-Za-z]\S*|[a-z]{1,3}(?:/[a-z0-9]+)?))?\.$")]
    private static partial Regex BetweenRule();

    [GeneratedRegex(@"^Not negative\.$")]
    private static partial Regex NotNegativeRule();

    /// <summary>"One of en, ru, zh.", "One of this deal's checklist: a, b.", "An Incoterms 2020 rule: EXW, … or CIF."; a note in brackets is left out.</summary>
    [GeneratedRegex(@"^(?:One of (?:[^:,]*: )?|An Incoterms 2020 rule: )([A-Za-z0-9_, -]+?)(?: \([^)]*\))?\.$")]
    private static partial Regex OneOfRule();

    [GeneratedRegex(@"ISO 3166-1 alpha-2")]
    private static partial Regex CountryRule();

    [GeneratedRegex(@"^An ISO 8601 date\b")]
    private static partial Regex DateRule();

    [GeneratedRegex(@"^A positive (?:quantity|amount|number) with at most (\d+|two) decimals\.$")]
    private static partial Regex PositiveRule();

    /// <summary>"Not a category; see GET /api/categories.", "Choose a commodity (a leaf of the taxonomy), not a group."</summary>
    [GeneratedRegex(@"see GET /api/categories|a leaf of the taxonomy")]
    private static partial Regex CategoryRule();

    [GeneratedRegex(@"^Not a (?:decimal )?number\b")]
    private static partial Regex NumberRule();

    [GeneratedRegex(@"^Not a valid value\b")]
    private static partial Regex ValueRule();

    [GeneratedRegex(@",\s*|\s+or\s+")]
    private static partial Regex ListSeparator();
}
