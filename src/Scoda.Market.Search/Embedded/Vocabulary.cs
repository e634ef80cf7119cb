using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns the index terms kept in memory for near spellings: read once, taught each committed write, forgotten on a file switch.</summary>
internal sealed class Vocabulary
{
    volatile VocabularyCache? _cached;
    long _commits;

    /// <summary>The terms of the file <paramref name="connection"/> reads, from memory when they are known.</summary>
    public async Task<VocabularyCache> ReadAsync(SqliteConnection connection, CancellationToken ct)
    {
        if (_cached is { } cached)
        {
            return cached;
        }
        var commits = Interlocked.Read(ref _commits);
        var terms = new List<string>();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT term FROM fts_vocab";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            terms.Add(reader.GetString(0));
        }
        var loaded = new VocabularyCache(terms);
        // A write that committed while the terms were read may be missing from them: then this search uses what it
        // read, and the next one reads again.
        if (Interlocked.Read(ref _commits) == commits)
        {
            _cached = loaded;
        }
        return loaded;
    }

    /// <summary>
    /// After a write committed: the cached vocabulary learns the new terms instead of being read again (which takes
    /// longer the larger the index: ~0.1 s at 100,000 listings, paid by the first search after every indexing batch).
    /// Terms of removed listings stay: a near spelling that no longer matches anything costs nothing.
    /// </summary>
    public void Committed(IReadOnlyList<PreparedDocument> written)
    {
        Interlocked.Increment(ref _commits);
        _cached?.Add(written.SelectMany(p => new[] { p.Title, p.Category, p.Description, p.Other }));
    }

    /// <summary>The live file changed: the next search reads the terms of the new one.</summary>
    public void Forget() => _cached = null;
}

/// <summary>
/// Index terms within <see cref="TextAnalysis.AllowedEdits"/> of a query word that is not itself in the index. Searches
/// read it while writes add to it, under one lock.
/// </summary>
internal sealed class VocabularyCache
{
    readonly Lock _lock = new();
    readonly HashSet<string> _known = new(StringComparer.Ordinal);
    readonly Dictionary<int, List<string>> _byLength = [];

    public VocabularyCache(IEnumerable<string> terms) => AddTerms(terms);

    /// <summary>Adds the terms of analyzed texts (terms separated by spaces).</summary>
    public void Add(IEnumerable<string> indexTexts)
    {
        lock (_lock)
        {
            AddTerms(indexTexts.SelectMany(text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        }
    }

    void AddTerms(IEnumerable<string> terms)
    {
        foreach (var term in terms)
        {
            // Han bigrams are matched exactly, never as near spellings.
            if (_known.Add(term) && !TextAnalysis.IsHan(term[0]))
            {
                (CollectionsMarshal.GetValueRefOrAddDefault(_byLength, term.Length, out _) ??= []).Add(term);
            }
        }
    }

    public List<string> NearSpellings(string word) => Within(word, TextAnalysis.AllowedEdits(word));

    /// <summary>
    /// For a spelling suggestion after a search found nothing: the closest known term, one edit further than a search
    /// tolerates (the near spellings within that were already searched); null for a known word or none close enough.
    /// </summary>
    public string? Closest(string word) => Within(word, Math.Min(TextAnalysis.AllowedEdits(word) + 1, 3)).FirstOrDefault();

    List<string> Within(string word, int edits)
    {
        var found = new List<(string Term, int Distance)>();
        lock (_lock)
        {
            if (edits == 0 || word.Length <= 2 || _known.Contains(word) || char.IsAsciiDigit(word[0]))
            {
                return [];
            }
            for (var length = word.Length - edits; length <= word.Length + edits; length++)
            {
                foreach (var term in _byLength.GetValueOrDefault(length) ?? [])
                {
                    var distance = TextAnalysis.Distance(word, term, edits);
                    if (distance <= edits)
                    {
                        found.Add((term, distance));
                    }
                }
            }
        }
        return found.OrderBy(f => f.Distance).ThenBy(f => f.Term, StringComparer.Ordinal).Take(10).Select(f => f.Term).ToList();
    }
}
