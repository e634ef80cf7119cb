using System.Text;

namespace Scoda.Market.Search.Embedded;

/// <summary>
/// A user's text turned into an FTS5 MATCH expression. Every term is quoted, so FTS5 operators typed by the user
/// (AND, OR, NEAR, *, ^, :, quotes, parentheses) are searched as plain words and can never change the query.
/// Each word becomes (word OR its synonyms OR its near spellings [OR its prefix, for the last word]); words are ANDed.
/// </summary>
public sealed class EmbeddedQuery
{
    const int MaxUnits = 12;

    EmbeddedQuery(IReadOnlyList<string> units, IReadOnlySet<string> exact, IReadOnlyList<string> prefixes, string? match = null)
    {
        Units = units;
        Match = match ?? (units.Count == 0 ? null : string.Join(" AND ", units));
        ExactTerms = exact;
        Prefixes = prefixes;
    }

    /// <summary>The FTS5 expression; null when the text has no searchable word.</summary>
    public string? Match { get; }

    /// <summary>The expression of each word of the text (its alternatives), all of which <see cref="Match"/> requires.</summary>
    public IReadOnlyList<string> Units { get; }

    /// <summary>Terms to highlight: the words, their synonyms and near spellings.</summary>
    public IReadOnlySet<string> ExactTerms { get; }

    public IReadOnlyList<string> Prefixes { get; }

    public static EmbeddedQuery Parse(string? text, Synonyms synonyms, Func<string, IReadOnlyList<string>> nearSpellings)
    {
        text ??= "";
        var tokens = TextAnalysis.Tokenize(text);
        var endsInWord = text.Length > 0 && !char.IsWhiteSpace(text[^1]);
        var units = new List<string>();
        var exact = new HashSet<string>(StringComparer.Ordinal);
        var prefixes = new List<string>();

        var runs = tokens.GroupBy(t => t.Run).ToList();
        var i = 0;
        while (i < runs.Count && units.Count < MaxUnits)
        {
            var run = runs[i];
            var alternatives = new List<string>();
            if (run.First().Script == TextAnalysis.Script.Han)
            {
                var bigrams = run.Select(t => t.Term).ToArray();
                alternatives.Add(Phrase(bigrams));
                foreach (var b in bigrams)
                {
                    exact.Add(b);
                }
                if (synonyms.Match(bigrams, 0) is { } match && match.Length == bigrams.Length)
                {
                    AddMembers(match.Members, alternatives, exact);
                }
                i++;
            }
            else
            {
                // Greedy multi-word synonym match over the following alphabetic runs (e.g. "iron ore").
                var words = runs.Skip(i).TakeWhile(r => r.First().Script == TextAnalysis.Script.Alphabetic).Select(r => r.First().Term).ToList();
                var synonym = synonyms.Match(words, 0);
                var length = synonym?.Length ?? 1;
                var phrase = words.Take(length).ToArray();
                alternatives.Add(Phrase(phrase));
                foreach (var w in phrase)
                {
                    exact.Add(w);
                }
                if (synonym is { } s)
                {
                    AddMembers(s.Members, alternatives, exact);
                }
                if (length == 1)
                {
                    foreach (var near in nearSpellings(phrase[0]))
                    {
                        alternatives.Add(Phrase([near]));
                        exact.Add(near);
                    }
                    var last = i + 1 == runs.Count;
                    if (last && endsInWord && phrase[0].Length >= 2)
                    {
                        alternatives.Add($"{Phrase(phrase)}*");
                        prefixes.Add(phrase[0]);
                    }
                }
                i += length;
            }
            units.Add(alternatives.Count == 1 ? alternatives[0] : $"({string.Join(" OR ", alternatives.Distinct(StringComparer.Ordinal))})");
        }
        return new EmbeddedQuery(units, exact, prefixes);
    }

    /// <summary>
    /// The same words, matching the listings that have some of them but not all (the partial matches); null for a text of
    /// fewer than two words, which has none.
    /// </summary>
    public EmbeddedQuery? SomeWords() => Units.Count < 2
        ? null
        : new EmbeddedQuery(Units, ExactTerms, Prefixes, $"({string.Join(" OR ", Units)}) NOT ({string.Join(" AND ", Units)})");

    static void AddMembers(IReadOnlyList<string[]> members, List<string> alternatives, HashSet<string> exact)
    {
        foreach (var member in members)
        {
            alternatives.Add(Phrase(member));
            foreach (var term in member)
            {
                exact.Add(term);
            }
        }
    }

    static string Phrase(IEnumerable<string> terms)
    {
        var builder = new StringBuilder("\"");
        builder.AppendJoin(' ', terms.Select(t => t.Replace("\"", "\"\"", StringComparison.Ordinal)));
        return builder.Append('"').ToString();
    }

    /// <summary>Whether a term of the text is one the query looked for (exact, synonym, near spelling or prefix).</summary>
    public bool Hits(string term) => ExactTerms.Contains(term) || Prefixes.Any(p => term.StartsWith(p, StringComparison.Ordinal));
}
