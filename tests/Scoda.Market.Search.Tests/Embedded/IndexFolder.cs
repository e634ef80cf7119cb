using Microsoft.Data.Sqlite;
using Scoda.Market.Search.Embedded;

namespace Scoda.Market.Search.Tests.Embedded;

/// <summary>
/// A temporary folder for a test's embedded indexes: creates them, and on disposal disposes them, lets go of the pooled
/// connections to their files and removes the folder.
/// </summary>
public sealed class IndexFolder : IAsyncDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "scoda-search-tests", Guid.NewGuid().ToString("N"));
    readonly List<EmbeddedListingIndex> _indexes = [];

    public EmbeddedListingIndex Create(string name)
    {
        var index = new EmbeddedListingIndex(Path.Combine(_root, name));
        _indexes.Add(index);
        return index;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var index in _indexes)
        {
            await index.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A handle may outlive the test for a moment; the folder is under the temporary directory.
        }
    }
}
