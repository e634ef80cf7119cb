using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>Owns the bulk load of a new file (a rebuild's, or a percolation's scratch database): one transaction, fed through a queue.</summary>
/// <remarks>
/// One connection and one transaction for the whole load (so FTS5 writes few large segments), fed through a short queue
/// so that analysis of the next batch overlaps writing this one; the secondary indexes are built once at the end.
/// </remarks>
internal sealed class BulkLoad : IAsyncDisposable
{
    readonly Channel<(IReadOnlyList<PreparedDocument>? Upserts, IReadOnlyList<Guid>? Deletes, TaskCompletionSource? Flushed)> _queue =
        Channel.CreateBounded<(IReadOnlyList<PreparedDocument>?, IReadOnlyList<Guid>?, TaskCompletionSource?)>(new BoundedChannelOptions(4) { SingleReader = true });
    readonly SqliteConnection _connection;
    readonly Dictionary<Guid, long> _loaded = [];
    SqliteTransaction _transaction;
    IndexWriter _writer;
    Task _run = Task.CompletedTask;

    BulkLoad(SqliteConnection connection)
    {
        _connection = connection;
        _transaction = connection.BeginTransaction();
        _writer = new IndexWriter(connection, _transaction, _loaded);
    }

    public static async Task<BulkLoad> StartAsync(string file, CancellationToken ct)
    {
        var connection = await IndexFiles.OpenAsync(file, pooling: false, ct);
        // The file is not live until the pointer switch, and a failed load is thrown away: no journal sync needed.
        // FTS5 keeps up to 'hashsize' of new terms in memory before writing a segment: large, so it writes few.
        await Sql.ExecuteAsync(connection, "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;" + IndexSchema.Tables +
            "INSERT INTO fts(fts, rank) VALUES('hashsize', 268435456);", ct);
        var load = new BulkLoad(connection);
        load._run = Task.Run(() => load.RunAsync(CancellationToken.None), CancellationToken.None);
        return load;
    }

    public async Task EnqueueAsync(IReadOnlyList<PreparedDocument>? upserts, IReadOnlyList<Guid>? deletes, CancellationToken ct)
    {
        if (_run.IsCompleted)
        {
            await _run;
            throw new InvalidOperationException("The bulk load has already completed.");
        }
        await _queue.Writer.WriteAsync((upserts, deletes, null), ct);
    }

    /// <summary>Commits what is queued so far, so other connections can read it (a search on the builder).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync((null, null, flushed), ct);
        await Task.WhenAny(flushed.Task, _run).WaitAsync(ct);
        if (_run.IsFaulted)
        {
            await _run;
        }
    }

    async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (upserts, deletes, flushed) in _queue.Reader.ReadAllAsync(ct))
            {
                foreach (var document in upserts ?? [])
                {
                    await _writer.RemoveAsync(document.Document.Id, ct);
                    await _writer.InsertAsync(document, ct);
                }
                foreach (var id in deletes ?? [])
                {
                    await _writer.RemoveAsync(id, ct);
                }
                if (flushed is not null)
                {
                    await CommitAsync(ct);
                    flushed.SetResult();
                }
            }
        }
        catch (Exception e)
        {
            // Later enqueues see the failure instead of waiting on a queue nobody reads.
            _queue.Writer.TryComplete(e);
            throw;
        }
    }

    async Task CommitAsync(CancellationToken ct)
    {
        await EndTransactionAsync(ct);
        _transaction = _connection.BeginTransaction();
        _writer = new IndexWriter(_connection, _transaction, _loaded);
    }

    async Task EndTransactionAsync(CancellationToken ct)
    {
        await _writer.FlushSuggestionsAsync(ct);
        await _writer.DisposeAsync();
        await _transaction.CommitAsync(ct);
        await _transaction.DisposeAsync();
    }

    /// <summary>Writes what is queued and builds the secondary indexes.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        _queue.Writer.TryComplete();
        await _run;
        await EndTransactionAsync(ct);
        // No FTS5 'optimize': with a 256 MB hash the load leaves a few large segments, which measured as fast to
        // query as one at a million documents, and merging them took longer than the rest of the finishing work.
        // Only docs has indexes the planner chooses between, so only docs is analyzed (not the payloads).
        // threads=2: the index sorts run on the core the load's analysis used.
        await Sql.ExecuteAsync(_connection, "PRAGMA threads=2;" + IndexSchema.SecondaryIndexes + """
            INSERT INTO fts(fts, rank) VALUES('hashsize', 1048576);
            ANALYZE docs;
            PRAGMA journal_mode=WAL;
            """, ct);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _run;
        }
        catch (Exception)
        {
            // Disposing after a failure: the failure was reported where the load was awaited.
        }
        await _writer.DisposeAsync();
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
