using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns where an index lives: the <c>current</c> pointer, the live file it names, connections to it, and the switch to a rebuilt file.</summary>
/// <remarks>
/// Switching removes the file replaced. A rebuild's new file and a percolation's scratch database have no folder: they
/// are one file, never switched.
/// </remarks>
internal sealed class IndexFiles
{
    readonly string? _folder;
    readonly Action _switched;
    volatile string _file;
    DateTime _pointerWritten;

    /// <summary>The files of an index kept in <paramref name="folder"/>; <paramref name="switched"/> runs whenever the live file changes.</summary>
    public IndexFiles(string folder, Action switched)
    {
        Directory.CreateDirectory(folder);
        _folder = folder;
        _switched = switched;
        var pointer = Path.Combine(folder, "current");
        _pointerWritten = File.GetLastWriteTimeUtc(pointer);
        var current = File.Exists(pointer) ? File.ReadAllText(pointer).Trim() : null;
        // An index written by an older format is left behind: a new file starts, and the host refills it (see
        // SearchIndexBootstrap); the next rebuild removes the old file.
        _file = Path.Combine(folder, current is not null && current.StartsWith(IndexSchema.FilePrefix, StringComparison.Ordinal) ? current : NewFileName());
    }

    /// <summary>One file, without a folder or pointer.</summary>
    public IndexFiles(string file)
    {
        _file = file;
        _switched = () => { };
    }

    /// <summary>Whether the index has a folder with a pointer (only such an index can be rebuilt).</summary>
    public bool HasFolder => _folder is not null;

    /// <summary>The file as last known, without looking at the pointer (the one file of an index without a folder).</summary>
    public string KnownFile => _file;

    /// <summary>
    /// The live file, following the pointer: <c>reindex</c> may run in another process (the command beside a running
    /// host), switch the pointer and remove the file this instance was reading. One stat per connection opened; the
    /// pointer is read again only when it was written again.
    /// </summary>
    public string Live()
    {
        if (_folder is null)
        {
            return _file;
        }
        var pointer = Path.Combine(_folder, "current");
        var written = File.GetLastWriteTimeUtc(pointer);
        if (written == _pointerWritten)
        {
            return _file;
        }
        _pointerWritten = written;
        var name = File.Exists(pointer) ? File.ReadAllText(pointer).Trim() : null;
        if (name is not null && name.StartsWith(IndexSchema.FilePrefix, StringComparison.Ordinal) && name != Path.GetFileName(_file))
        {
            _file = Path.Combine(_folder, name);
            _switched();
        }
        return _file;
    }

    public Task<SqliteConnection> OpenAsync(CancellationToken ct) => OpenLiveAsync(create: false, ct);

    /// <summary>
    /// A connection to the live file. Only creating the index may create the file: a file removed by another process's
    /// rebuild must fail to open (then the pointer is read again), not come back empty. A percolation's scratch index
    /// (no folder) is not pooled: a pool per scratch database would keep every one of them alive.
    /// </summary>
    public async Task<SqliteConnection> OpenLiveAsync(bool create, CancellationToken ct)
    {
        if (_folder is null)
        {
            return await OpenAsync(_file, pooling: false, ct);
        }
        try
        {
            return await OpenAsync(Live(), pooling: true, ct, create);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SQLitePCL.raw.SQLITE_CANTOPEN)
        {
            // The pointer moved on between reading it and opening the file it named.
            _pointerWritten = default;
            return await OpenAsync(Live(), pooling: true, ct, create: false);
        }
    }

    public static async Task<SqliteConnection> OpenAsync(string file, bool pooling, CancellationToken ct, bool create = true)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = file, Pooling = pooling, DefaultTimeout = 30, Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
        }.ToString());
        await connection.OpenAsync(ct);
        if (pooling)
        {
            // Reads go through the OS page cache shared by every connection, not a private copy per connection. Not for
            // the bulk writer: a file that keeps growing would be mapped again and again.
            await Sql.ExecuteAsync(connection, "PRAGMA mmap_size=17179869184;", ct);
        }
        return connection;
    }

    /// <summary>Points the folder's pointer at the file this index knows (after creating it); nothing without a folder.</summary>
    public async Task PublishAsync(CancellationToken ct)
    {
        if (_folder is not null)
        {
            await WritePointerAsync(_file, ct);
        }
    }

    /// <summary>A path for a rebuild's new file in the folder, under the current layout's prefix.</summary>
    public string NewFile() => Path.Combine(_folder ?? throw new InvalidOperationException("An in-memory index cannot be rebuilt."), NewFileName());

    /// <summary>
    /// Makes <paramref name="file"/> (complete, in the folder) the live file, closes pooled connections to the one it
    /// replaces and removes that one, with any left by an older format or by an earlier removal that failed.
    /// </summary>
    public async Task SwitchToAsync(string file, CancellationToken ct)
    {
        var previous = Live();
        await WritePointerAsync(file, ct);
        _file = file;
        _switched();
        SqliteConnection.ClearAllPools();
        var leftovers = Directory.EnumerateFiles(_folder!, "listings-*")
            .Where(f => f.StartsWith(previous, StringComparison.Ordinal) || !Path.GetFileName(f).StartsWith(IndexSchema.FilePrefix, StringComparison.Ordinal));
        foreach (var leftover in leftovers.ToList())
        {
            try
            {
                File.Delete(leftover);
            }
            catch (IOException)
            {
                // A reader may still hold it open (on Windows); the next rebuild tries again if it is of an older format.
            }
        }
    }

    async Task WritePointerAsync(string file, CancellationToken ct)
    {
        var pointer = Path.Combine(_folder!, "current");
        var temporary = pointer + ".tmp";
        await File.WriteAllTextAsync(temporary, Path.GetFileName(file), ct);
        File.Move(temporary, pointer, overwrite: true);
    }

    static string NewFileName() => $"{IndexSchema.FilePrefix}{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}.db";
}
