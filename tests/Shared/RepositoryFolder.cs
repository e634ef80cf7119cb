namespace Scoda.Market.Testing;

/// <summary>The checkout the tests run from (the folder holding Scoda.Market.sln), found upwards from the test binaries.</summary>
static class RepositoryFolder
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    static string Find()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(System.IO.Path.Combine(folder.FullName, "Scoda.Market.sln")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? throw new InvalidOperationException($"Scoda.Market.sln was not found above {AppContext.BaseDirectory}; run from the repository.");
    }
}
