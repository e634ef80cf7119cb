using Scoda.Market.Search.Embedded;

namespace Scoda.Market.Search.Tests.Embedded;

/// <summary>The shared contract on the embedded SQLite FTS5 back end, each test in its own temporary folder.</summary>
public sealed class EmbeddedContractTests : SearchIndexContract, IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "scoda-search-tests", Guid.NewGuid().ToString("N"));
    readonly List<EmbeddedListingIndex> _indexes = [];

    protected override Task<IListingIndex> CreateIndexAsync(string name)
    {
        var index = new EmbeddedListingIndex(Path.Combine(_root, name));
        _indexes.Add(index);
        return Task.FromResult<IListingIndex>(index);
    }

    public void Dispose()
    {
        foreach (var index in _indexes)
        {
            index.Dispose();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // temp folder; the OS cleans it
        }
    }
}
