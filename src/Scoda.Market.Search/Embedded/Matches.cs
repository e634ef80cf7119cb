using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns what matching learned of one search: the newest matches, how many were seen, and the facet counts.</summary>
/// <remarks>
/// Filled row by row by <see cref="Matching"/>; the matches are row ids here or rows of a temporary table.
/// </remarks>
internal sealed class Matches
{
    const int FacetSize = 50;

    /// <summary>The facet columns a walk selects after its row id and flags, in <see cref="Layout"/> order.</summary>
    public const string Columns = ", d.category_path, d.origin, d.incoterm, d.warehouses, d.certificates";

    public static readonly (string Facet, string Column, bool Multi)[] Layout =
    [
        (Facets.Category, "category_path", true), (Facets.Origin, "origin", false), (Facets.Incoterm, "incoterm", false),
        (Facets.WarehouseCountry, "warehouses", true), (Facets.Certificate, "certificates", true),
    ];

    readonly bool _withFacets;
    readonly Dictionary<string, long>[] _counts = Layout.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();

    // Per facet: the bit of its own filter in a row's failed mask (0 when it has none), and how many rows counted.
    readonly int[] _ownBit = new int[Layout.Length];
    readonly int[] _seen = new int[Layout.Length];
    readonly List<int> _owned = [];

    public Matches(bool withFacets, IReadOnlyList<string> ownFilters)
    {
        _withFacets = withFacets;
        for (var i = 0; i < ownFilters.Count; i++)
        {
            var facet = Array.FindIndex(Layout, l => l.Facet == ownFilters[i]);
            _ownBit[facet] = 1 << i;
            _owned.Add(facet);
        }
    }

    /// <summary>Row ids of the newest matches, newest first, at most TrackTotalHits (when collected here, not in a table).</summary>
    public List<long> Newest { get; } = [];

    /// <summary>The matches are in the temporary table <see cref="IndexSchema.Matched"/> instead of <see cref="Newest"/>.</summary>
    public bool KnownInTable { get; init; }

    /// <summary>How many matches were seen, at most TrackTotalHits + 1.</summary>
    public int Count { get; set; }

    /// <summary>A SQL subquery for the row ids of the matches (when all of them are known), binding what it needs.</summary>
    public string Known(SqliteCommand command)
    {
        if (KnownInTable)
        {
            return $"SELECT rowid FROM {IndexSchema.Matched}";
        }
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(Newest));
        return "SELECT value FROM json_each($ids)";
    }

    /// <summary>Adds <paramref name="n"/> rows whose facet column <paramref name="facet"/> reads <paramref name="raw"/>.</summary>
    public void AddCount(int facet, string raw, long n) =>
        CollectionsMarshal.GetValueRefOrAddDefault(_counts[facet], raw, out _) += n;

    public bool LowerBound => Count > SearchLimits.TrackTotalHits;

    /// <summary>Past the bound for the matches and for every facet that ignores its own filter: nothing more to learn.</summary>
    public bool Saturated
    {
        get
        {
            if (!LowerBound)
            {
                return false;
            }
            foreach (var f in _owned)
            {
                if (_seen[f] < SearchLimits.TrackTotalHits)
                {
                    return false;
                }
            }
            return true;
        }
    }

    public void Add(long rowid, int failed, SqliteDataReader reader, int firstColumn)
    {
        if (failed == 0 && ++Count <= SearchLimits.TrackTotalHits)
        {
            Newest.Add(rowid);
        }
        if (!_withFacets)
        {
            return;
        }
        for (var f = 0; f < Layout.Length; f++)
        {
            // A facet counts the rows that pass every filter but its own, up to the newest TrackTotalHits of them.
            if ((failed & ~_ownBit[f]) != 0 || ++_seen[f] > SearchLimits.TrackTotalHits)
            {
                continue;
            }
            // Counted by the column's whole text ("␟KZ␟CN␟"): few distinct ones, split once at the end.
            Increment(_counts[f], reader.GetString(firstColumn + f));
        }
    }

    static void Increment(Dictionary<string, long> counts, string value) =>
        CollectionsMarshal.GetValueRefOrAddDefault(counts, value, out _)++;

    public Dictionary<string, IReadOnlyList<FacetCount>> FacetCounts()
    {
        var facets = new Dictionary<string, IReadOnlyList<FacetCount>>();
        for (var f = 0; f < Layout.Length; f++)
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (raw, n) in _counts[f])
            {
                foreach (var value in Layout[f].Multi ? raw.Split(IndexSchema.Separator, StringSplitOptions.RemoveEmptyEntries) : [raw])
                {
                    counts[value] = counts.GetValueOrDefault(value) + n;
                }
            }
            facets[Layout[f].Facet] = counts.OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal).Take(FacetSize)
                .Select(v => new FacetCount(v.Key, v.Value)).ToList();
        }
        return facets;
    }
}
