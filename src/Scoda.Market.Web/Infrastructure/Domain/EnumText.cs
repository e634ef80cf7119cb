namespace Scoda.Market.Web.Infrastructure.Domain;

/// <summary>Reads an enum from request text by name only (case-insensitive); numbers and undefined names are refused.</summary>
public static class EnumText
{
    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum =>
        Enum.TryParse(text, ignoreCase: true, out value)
        && Enum.IsDefined(value)
        && !string.IsNullOrEmpty(text)
        && !char.IsAsciiDigit(text.TrimStart('-', '+', ' ')[0]);
}
