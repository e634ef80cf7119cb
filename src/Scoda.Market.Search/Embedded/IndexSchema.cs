using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns the layout of an index file: tables, indexes, temporary tables, the versioning file prefix and column encodings.</summary>
/// <remarks>
/// Column encodings: scaled decimals, joined multi-values, JSON payloads.
/// </remarks>
internal static class IndexSchema
{
    /// <summary>Changes with the file's layout; a different prefix means the file must be rebuilt.</summary>
    public const string FilePrefix = "listings-v5-";

    public const long PriceScale = 10_000;
    public const long QuantityScale = 1_000;

    public const string Tables = """
        CREATE TABLE IF NOT EXISTS docs (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL,
            seller_verified INTEGER NOT NULL,
            hs_code TEXT NOT NULL,
            origin TEXT NOT NULL,
            incoterm TEXT NOT NULL,
            price_usd INTEGER NULL,
            available INTEGER NOT NULL,
            published INTEGER NOT NULL,
            category_path TEXT NOT NULL,
            warehouses TEXT NOT NULL,
            certificates TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS payloads (rowid INTEGER PRIMARY KEY, payload BLOB NOT NULL); -- the document as UTF-8 JSON
        CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, category, description, other,
            content='', contentless_delete=1, tokenize='ascii', prefix='2 3');
        CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(fts, 'row');
        CREATE TABLE IF NOT EXISTS stored_queries (id TEXT PRIMARY KEY, query TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS suggestions (norm TEXT NOT NULL, display TEXT NOT NULL, docs INTEGER NOT NULL, PRIMARY KEY (norm, display)) WITHOUT ROWID;
        """;

    // Built after a bulk load in one sorted pass each, instead of being updated row by row while it runs.
    public const string SecondaryIndexes = """
        CREATE UNIQUE INDEX IF NOT EXISTS docs_id ON docs(id);
        CREATE INDEX IF NOT EXISTS docs_price ON docs(price_usd, id);
        CREATE INDEX IF NOT EXISTS docs_published ON docs(published, id);
        """;

    /// <summary>The relevance candidates of one search, on its connection.</summary>
    public const string Candidates = "temp.candidates";

    /// <summary>The matches of a query without text (with their facet columns), on its connection.</summary>
    public const string Matched = "temp.matched";

    /// <summary>The temporary tables a search fills on its (pooled) connection: the relevance candidates and the matches of a query without text.</summary>
    public static readonly string ScratchTables =
        $"CREATE TEMP TABLE IF NOT EXISTS {Candidates[5..]} (rowid INTEGER PRIMARY KEY); " +
        $"CREATE TEMP TABLE IF NOT EXISTS {Matched[5..]} (rowid INTEGER PRIMARY KEY{Matches.Columns.Replace("d.", "", StringComparison.Ordinal)});";

    // Payloads hold titles in Cyrillic and Chinese: stored unescaped they are a third of the escaped size.
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        TypeInfoResolver = JsonTypeInfoResolver.Combine(EmbeddedJson.Default, new DefaultJsonTypeInfoResolver()),
    };

    /// <summary>
    /// Between the values of a multi-valued column: the ASCII unit separator, a control character that no facet value
    /// keeps (certificates are free text: "ISO 22000|HACCP" must stay one value, as it is on Elasticsearch).
    /// </summary>
    public const char Separator = '\u001F';

    public static string Separable(string value) => value.Replace(Separator, ' ');

    /// <summary>Facet values kept on the row as "␟a␟b␟" (see <see cref="Separator"/>), so one pass over the candidates counts every facet.</summary>
    public static string Joined(IEnumerable<string> values) => $"{Separator}{string.Join(Separator, values.Select(Separable))}{Separator}";

    public static long Scale(decimal value, long scale) => (long)Math.Round(value * scale, MidpointRounding.ToEven);
}
