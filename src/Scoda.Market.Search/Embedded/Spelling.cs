namespace Scoda.Market.Search.Embedded;

/// <summary>Owns "did you mean": each word of a text the index does not know is replaced by the closest term it does.</summary>
internal static class Spelling
{
    public static string? Suggest(string? text, Func<string, string?> closest)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > SearchLimits.MaxQueryLength)
        {
            return null;
        }
        var changed = false;
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(word =>
        {
            var tokens = TextAnalysis.Tokenize(word);
            if (tokens.Count != 1 || tokens[0].Script != TextAnalysis.Script.Alphabetic || closest(tokens[0].Term) is not { } better)
            {
                return word;
            }
            changed = true;
            return better;
        }).ToList();
        return changed ? string.Join(' ', words) : null;
    }
}
