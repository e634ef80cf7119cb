namespace Scoda.Market.Web.Infrastructure.Storage;

/// <summary><c>Storage:DataPath</c>: the folder for the embedded database, search index, uploaded documents and mail pickup.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public string DataPath { get; set; } = "data";

    /// <summary>The data folder as an absolute path; relative settings are taken from the content root.</summary>
    public string ResolveDataPath(IHostEnvironment environment) =>
        Path.GetFullPath(Path.IsPathRooted(DataPath) ? DataPath : Path.Combine(environment.ContentRootPath, DataPath));
}

/// <summary>Absolute paths below the data folder, created on first use.</summary>
public sealed class DataFolder(string root)
{
    public string Root { get; } = root;

    public string Folder(params string[] parts)
    {
        var path = Path.Combine([Root, .. parts]);
        Directory.CreateDirectory(path);
        return path;
    }

    public static DataFolder From(IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var folder = new DataFolder(options.ResolveDataPath(environment));
        Directory.CreateDirectory(folder.Root);
        return folder;
    }
}
