namespace Scoda.Market.Search;

/// <summary>The commodity synonym groups of <c>search-index/synonyms/commodities.txt</c>, analyzed like any text.</summary>
public sealed class Synonyms
{
    readonly Dictionary<string, int> _groupOfTerm = new(StringComparer.Ordinal);
    readonly List<List<string[]>> _groups = [];

    public static Synonyms Shipped { get; } = Parse(ReadResource("commodities.txt"));

    /// <summary>The raw lines (comments dropped), for back ends that apply synonyms themselves (Elasticsearch).</summary>
    public IReadOnlyList<string> Lines { get; private init; } = [];

    public static Synonyms Parse(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var synonyms = new Synonyms { Lines = lines };
        foreach (var line in lines)
        {
            var group = line.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(term => TextAnalysis.Tokenize(term).Select(t => t.Term).ToArray())
                .Where(terms => terms.Length > 0)
                .ToList();
            var id = synonyms._groups.Count;
            synonyms._groups.Add(group);
            foreach (var terms in group)
            {
                synonyms._groupOfTerm.TryAdd(Key(terms), id);
            }
        }
        return synonyms;
    }

    /// <summary>The longest synonym term starting at <paramref name="start"/>, with every member of its group.</summary>
    public (int Length, IReadOnlyList<string[]> Members)? Match(IReadOnlyList<string> terms, int start)
    {
        for (var length = Math.Min(4, terms.Count - start); length >= 1; length--)
        {
            if (_groupOfTerm.TryGetValue(Key(terms.Skip(start).Take(length)), out var group))
            {
                return (length, _groups[group]);
            }
        }
        return null;
    }

    static string Key(IEnumerable<string> terms) => string.Join(' ', terms);

    static string ReadResource(string file)
    {
        var assembly = typeof(Synonyms).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith($"synonyms.{file}", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
