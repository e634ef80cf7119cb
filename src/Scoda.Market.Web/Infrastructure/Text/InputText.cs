using System.Text.Json;

namespace Scoda.Market.Web.Infrastructure.Text;

/// <summary>
/// The one rule for text that comes from outside (JSON strings, query values, form fields, hub arguments, CSV files):
/// no NUL or other control characters except tab and line breaks, no explicit bidirectional overrides, embeddings or
/// isolates (U+202A–U+202E, U+2066–U+2069: the "Trojan Source" characters that make text read differently than it
/// is stored), no unpaired surrogates. PostgreSQL cannot store NUL in text at all, so without this rule a NUL would
/// only fail deep inside a query. Zero-width joiners and the left-to-right / right-to-left marks stay allowed: Persian
/// and Urdu text needs them.
/// </summary>
public static class InputText
{
    /// <summary>Longest piece of a client's value that goes into a log line.</summary>
    public const int MaxLoggedLength = 200;

    /// <summary>Why <paramref name="value"/> is refused, or null when it is acceptable.</summary>
    public static string? Problem(ReadOnlySpan<char> value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                return "Contains a NUL character.";
            }
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return $"Contains the control character U+{(int)c:X4}.";
            }
            if (IsBidiControl(c))
            {
                return $"Contains the bidirectional control character U+{(int)c:X4}; write the text in its natural order.";
            }
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "Contains an unpaired UTF-16 surrogate.";
            }
        }
        return null;
    }

    public static bool IsAcceptable(ReadOnlySpan<char> value) => Problem(value) is null;

    /// <summary>The first string (value or property name) in a JSON tree that breaks the rule: where (<c>.specs.protein</c>, "" for the root) and why.</summary>
    public static (string At, string Message)? ProblemIn(JsonElement json, string at = "")
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.String:
                return Problem(json.GetString()) is { } text ? (at, text) : null;
            case JsonValueKind.Object:
                foreach (var property in json.EnumerateObject())
                {
                    if (Problem(property.Name) is { } key)
                    {
                        return (at, $"A key: {key}");
                    }
                    if (ProblemIn(property.Value, $"{at}.{property.Name}") is { } member)
                    {
                        return member;
                    }
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in json.EnumerateArray())
                {
                    if (ProblemIn(item, $"{at}[{index++}]") is { } element)
                    {
                        return element;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>Explicit embeddings, overrides and isolates; the implicit marks (LRM, RLM, ALM) are not among them.</summary>
    public static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    /// <summary>Zero-width and invisible formatting characters that have no place in names and identifiers.</summary>
    public static bool IsInvisible(char c) =>
        c is '\u200B' or '\u200C' or '\u200D' or '\u200E' or '\u200F' or '\u061C' or '\u2060' or '\uFEFF' or '\u00AD' || IsBidiControl(c);

    /// <summary>
    /// A client's value as it may appear in a log line: at most <see cref="MaxLoggedLength"/> characters, control
    /// characters shown as <c>?</c>, so a megabyte in a field or a forged line break never lands in the log whole.
    /// </summary>
    public static string ForLog(string? value)
    {
        if (value is null)
        {
            return "";
        }
        var shown = value.Length > MaxLoggedLength ? value[..MaxLoggedLength] : value;
        var safe = string.Create(shown.Length, shown, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) || IsBidiControl(source[i]) ? '?' : source[i];
            }
        });
        return value.Length > MaxLoggedLength ? $"{safe}… ({value.Length} characters)" : safe;
    }
}
