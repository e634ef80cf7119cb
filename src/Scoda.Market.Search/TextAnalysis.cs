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
        var sink = new TokenSink([]);
        Scan(ref text, ref sink);
        return sink.Tokens;
    }

    /// <summary>
    /// The text as the index stores it: the terms of <see cref="Tokenize"/> separated by spaces. Bulk indexing runs this
    /// on every document, so it writes the terms straight into one buffer instead of building tokens.
    /// </summary>
    public static string IndexText(string? text)
    {
        var sink = new IndexTextSink(new StringBuilder(text?.Length + 8 ?? 0));
        Scan(ref text, ref sink);
        return sink.Output.ToString();
    }

    /// <summary>What <see cref="Scan"/> hands its terms to; a struct, so each caller gets its own compiled loop.</summary>
    interface ITermSink
    {
        /// <summary>A Han term: text[start..start+length], one character or a bigram, of Han run <paramref name="run"/>.</summary>
        void Han(string text, int start, int length, int run);

        /// <summary>
        /// A word, lower-cased with ё→е and apostrophes dropped (not yet stemmed or stripped of diacritics), that spans
        /// text[start..start+length].
        /// </summary>
        void Word(ReadOnlySpan<char> folded, int start, int length, int run);
    }

    /// <summary>
    /// The one scan of text into terms, shared by documents and queries so both always agree. The text is replaced by
    /// its NFKC form (token positions refer to that form).
    /// </summary>
    static void Scan<TSink>(ref string? text, ref TSink sink) where TSink : struct, ITermSink
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }
        if (!IsNormalizedKC(text))
        {
            text = text.Normalize(NormalizationForm.FormKC);
        }
        Span<char> buffer = stackalloc char[64];
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
                if (i - start == 1)
                {
                    sink.Han(text, start, 1, run);
                }
                for (var k = start; k + 1 < i; k++)
                {
                    sink.Han(text, k, 2, run);
                }
                run++;
            }
            else if (IsWordChar(c))
            {
                var start = i;
                var length = 0;
                var word = buffer;
                while (i < text.Length && (IsWordChar(text[i]) || (IsApostrophe(text[i]) && i + 1 < text.Length && IsWordChar(text[i + 1]) && length > 0)))
                {
                    if (!IsApostrophe(text[i]))
                    {
                        if (length == word.Length)
                        {
                            var larger = new char[word.Length * 2];
                            word.CopyTo(larger);
                            word = larger;
                        }
                        // Per-character invariant lower case is what string.ToLower(InvariantCulture) does for word characters
                        // (never surrogates: they are not letters or digits on their own).
                        word[length++] = text[i] == 'Ё' || text[i] == 'ё' ? 'е' : char.ToLowerInvariant(text[i]);
                    }
                    i++;
                }
                sink.Word(word[..length], start, i - start, run++);
            }
            else
            {
                i++;
            }
        }
    }

    static bool HasDiacritics(ReadOnlySpan<char> word) => word.IndexOfAnyInRange('\u00C0', '\u024F') >= 0 || word.IndexOfAnyInRange('\u1E00', '\u1EFF') >= 0;

    /// <summary>The term a folded word stands for: without diacritics, stemmed.</summary>
    static string Term(ReadOnlySpan<char> folded) => Stem(HasDiacritics(folded) ? WithoutDiacritics(new string(folded)) : new string(folded));

    readonly struct TokenSink(List<Token> tokens) : ITermSink
    {
        public List<Token> Tokens => tokens;

        public void Han(string text, int start, int length, int run) => tokens.Add(new Token(text.Substring(start, length), Script.Han, run, start, length));

        public void Word(ReadOnlySpan<char> folded, int start, int length, int run) => tokens.Add(new Token(Term(folded), Script.Alphabetic, run, start, length));
    }

    readonly struct IndexTextSink(StringBuilder output) : ITermSink
    {
        public StringBuilder Output => output;

        public void Han(string text, int start, int length, int run) => Separate(output).Append(text, start, length);

        public void Word(ReadOnlySpan<char> folded, int start, int length, int run)
        {
            if (HasDiacritics(folded))
            {
                Separate(output).Append(Term(folded));
                return;
            }
            // The common case appends the stem's characters straight from the word, without building the term.
            var keep = StemmedLength(folded, out var y);
            Separate(output).Append(folded[..keep]);
            if (y)
            {
                output.Append('y');
            }
        }
    }

    static StringBuilder Separate(StringBuilder output) => output.Length == 0 ? output : output.Append(' ');

    /// <summary>
    /// True when every character is one that NFKC leaves alone (ASCII, basic Cyrillic, CJK unified ideographs), so the
    /// ICU call can be skipped; anything else is normalized.
    /// </summary>
    static bool IsNormalizedKC(string text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= ' ' and <= '~') or '\n' or '\r' or '\t' or (>= '\u0400' and <= '\u045F') or (>= '\u4E00' and <= '\u9FFF')))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Latin letters lose their diacritics (é → e, ş → s), as FTS5's unicode61 tokenizer with remove_diacritics does:
    /// the index stores the analyzed terms as they are, so the folding happens here for documents and queries alike.
    /// </summary>
    static string WithoutDiacritics(string word)
    {
        var builder = new StringBuilder(word.Length);
        foreach (var c in word)
        {
            if (c is (< '\u00C0' or > '\u024F') and (< '\u1E00' or > '\u1EFF'))
            {
                builder.Append(c);
                continue;
            }
            foreach (var part in c.ToString().Normalize(NormalizationForm.FormD))
            {
                if (CharUnicodeInfo.GetUnicodeCategory(part) != UnicodeCategory.NonSpacingMark)
                {
                    builder.Append(part);
                }
            }
        }
        return builder.ToString();
    }

    /// <summary>A light stemmer: enough that "пшеницы" meets "пшеница" and "lentils" meets "lentil".</summary>
    public static string Stem(string word)
    {
        var keep = StemmedLength(word, out var y);
        return y ? string.Concat(word.AsSpan(0, keep), "y") : keep == word.Length ? word : word[..keep];
    }

    /// <summary>How much of the word the stemmer keeps, and whether a "y" follows (lentils → lentil, varieties → variety).</summary>
    static int StemmedLength(ReadOnlySpan<char> word, out bool y)
    {
        y = false;
        if (word.Length < 5 || char.IsAsciiDigit(word[0]))
        {
            return word.Length;
        }
        if (word[0] is >= 'а' and <= 'я')
        {
            foreach (var ending in RussianEndings)
            {
                if (word.Length - ending.Length >= 4 && word.EndsWith(ending, StringComparison.Ordinal))
                {
                    return word.Length - ending.Length;
                }
            }
            return word.Length;
        }
        if (word[0] is >= 'a' and <= 'z')
        {
            if (word.EndsWith("ies", StringComparison.Ordinal))
            {
                y = true;
                return word.Length - 3;
            }
            if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal))
            {
                return word.Length - 1;
            }
        }
        return word.Length;
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
