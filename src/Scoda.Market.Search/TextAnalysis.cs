using System.Globalization;
using System.Text;

namespace Scoda.Market.Search;

/// <summary>
/// How text becomes search terms, the same for documents and queries: lower case, ё→е, apostrophes dropped
/// (bug'doy = bugdoy), a light suffix stemmer for Russian and English plurals, and Chinese split into overlapping
/// character bigrams (as Elasticsearch's cjk analyzer does), so "小麦" matches inside "优质小麦出口" without spaces.
/// </summary>
public static class TextAnalysis
{
    public enum Script
    {
        Alphabetic,
        Han,
    }

    /// <summary>A term and the run of text it came from (for Han, each bigram of one run shares the run's index).</summary>
    public readonly record struct Token(string Term, Script Script, int Run, int Start, int Length);

    // Longest first: the stemmer strips the first that leaves a stem of at least four letters.
    static readonly string[] RussianEndings =
    [
        "иями", "ями", "ами", "ией", "иях", "ого", "его", "ому", "ему", "ыми", "ими", "ой", "ей", "ий", "ый", "ая", "яя", "ое", "ее", "ые", "ие",
        "ов", "ев", "ам", "ям", "ах", "ях", "ом", "ем", "ию", "ия", "ии", "ую", "юю", "а", "я", "ы", "и", "у", "ю", "е", "о", "ь",
    ];

    public static bool IsHan(char c) =>
        (c >= '\u4E00' && c <= '\u9FFF') || (c >= '\u3400' && c <= '\u4DBF') || (c >= '\uF900' && c <= '\uFAFF');

    static bool IsWordChar(char c) => char.IsLetterOrDigit(c) && !IsHan(c);

    static bool IsApostrophe(char c) => c is '\'' or '\u2019' or '\u02BB' or '\u02BC' or '`';

    /// <summary>Splits text into terms. Han runs become bigrams (a single Han character stays itself).</summary>
    public static List<Token> Tokenize(string? text)
    {
        var tokens = new List<Token>();
        if (string.IsNullOrEmpty(text))
        {
            return tokens;
        }
        text = text.Normalize(NormalizationForm.FormKC);
        var run = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (IsHan(c))
            {
                var start = i;
                while (i < text.Length && IsHan(text[i]))
                {
                    i++;
                }
                var length = i - start;
                if (length == 1)
                {
                    tokens.Add(new Token(text.Substring(start, 1), Script.Han, run, start, 1));
                }
                for (var k = start; k + 1 < i; k++)
                {
                    tokens.Add(new Token(text.Substring(k, 2), Script.Han, run, k, 2));
                }
                run++;
            }
            else if (IsWordChar(c))
            {
                var start = i;
                var word = new StringBuilder();
                while (i < text.Length && (IsWordChar(text[i]) || (IsApostrophe(text[i]) && i + 1 < text.Length && IsWordChar(text[i + 1]) && word.Length > 0)))
                {
                    if (!IsApostrophe(text[i]))
                    {
                        word.Append(text[i]);
                    }
                    i++;
                }
                tokens.Add(new Token(Stem(Fold(word.ToString())), Script.Alphabetic, run++, start, i - start));
            }
            else
            {
                i++;
            }
        }
        return tokens;
    }

    /// <summary>The text as the index stores it: terms separated by spaces.</summary>
    public static string IndexText(string? text) => string.Join(' ', Tokenize(text).Select(t => t.Term));

    static string Fold(string word) => word.ToLower(CultureInfo.InvariantCulture).Replace('ё', 'е');

    /// <summary>A light stemmer: enough that "пшеницы" meets "пшеница" and "lentils" meets "lentil".</summary>
    public static string Stem(string word)
    {
        if (word.Length < 5 || char.IsAsciiDigit(word[0]))
        {
            return word;
        }
        if (word[0] is >= 'а' and <= 'я')
        {
            foreach (var ending in RussianEndings)
            {
                if (word.Length - ending.Length >= 4 && word.EndsWith(ending, StringComparison.Ordinal))
                {
                    return word[..^ending.Length];
                }
            }
            return word;
        }
        if (word[0] is >= 'a' and <= 'z')
        {
            if (word.EndsWith("ies", StringComparison.Ordinal))
            {
                return word[..^3] + "y";
            }
            if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal))
            {
                return word[..^1];
            }
        }
        return word;
    }

    /// <summary>Damerau–Levenshtein distance (optimal string alignment), stopping early past <paramref name="max"/>.</summary>
    public static int Distance(string a, string b, int max)
    {
        if (Math.Abs(a.Length - b.Length) > max)
        {
            return max + 1;
        }
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var best = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    current[j] = Math.Min(current[j], previous2[j - 2] + 1);
                }
                best = Math.Min(best, current[j]);
            }
            if (best > max)
            {
                return max + 1;
            }
            (previous2, previous, current) = (previous, current, previous2);
        }
        return previous[b.Length];
    }

    /// <summary>Elasticsearch's fuzziness AUTO: no edits up to 2 characters, one up to 5, two beyond.</summary>
    public static int AllowedEdits(string term) => term.Length <= 2 ? 0 : term.Length <= 5 ? 1 : 2;
}
