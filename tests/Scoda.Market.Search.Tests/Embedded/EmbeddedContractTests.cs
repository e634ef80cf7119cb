namespace Scoda.Market.Search.Tests.Embedded;

/// <summary>The shared contract on the embedded SQLite FTS5 back end, each test in its own temporary folder.</summary>
public sealed class EmbeddedContractTests : SearchIndexContract, IAsyncDisposable
{
    readonly IndexFolder _folder = new();

    protected override Task<IListingIndex> CreateIndexAsync(string name) => Task.FromResult<IListingIndex>(_folder.Create(name));

    public ValueTask DisposeAsync() => _folder.DisposeAsync();
}
