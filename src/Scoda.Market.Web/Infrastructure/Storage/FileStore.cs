using System.Security.Cryptography;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Text;

namespace Scoda.Market.Web.Infrastructure.Storage;

/// <summary>What one upload field accepts.</summary>
public sealed record UploadRules(IReadOnlyList<FileKind> Kinds, long MaxBytesPerFile, int MaxFiles)
{
    public string Describe() =>
        $"{string.Join(", ", Kinds.Select(k => k.ContentType))}; at most {MaxFiles} files of {MaxBytesPerFile / (1024 * 1024)} MB each";
}

/// <summary>An upload that passed the rules, with the kind its bytes showed.</summary>
public sealed record AcceptedFile(IFormFile File, FileKind Kind, string FileName);

/// <summary>Uploaded files under the data folder: <c>{area}/{ownerId}/{fileId}</c>. Names from clients are kept only as metadata.</summary>
public sealed class FileStore(DataFolder data)
{
    public static async Task<IReadOnlyList<AcceptedFile>> CheckAsync(
        IReadOnlyList<IFormFile> files, string field, UploadRules rules, ValidationErrors errors, CancellationToken ct)
    {
        if (files.Count == 0)
        {
            errors.Add(field, $"Attach at least one file ({rules.Describe()}).");
            return [];
        }
        if (files.Count > rules.MaxFiles)
        {
            errors.Add(field, $"At most {rules.MaxFiles} files.");
            return [];
        }
        var accepted = new List<AcceptedFile>();
        foreach (var file in files)
        {
            var name = InputText.ForLog(FileNames.Normalize(file.FileName, rules.Kinds[0]));
            if (file.Length == 0)
            {
                errors.Add(field, $"'{name}' is empty.");
                continue;
            }
            if (file.Length > rules.MaxBytesPerFile)
            {
                errors.Add(field, $"'{name}' is larger than {rules.MaxBytesPerFile / (1024 * 1024)} MB.");
                continue;
            }
            // Whole files are read (at most MaxBytesPerFile): the structure checks look at the end as well as the start.
            var bytes = new byte[file.Length];
            await using (var stream = file.OpenReadStream())
            {
                await stream.ReadExactlyAsync(bytes, ct);
            }
            var kind = rules.Kinds.FirstOrDefault(k => k.Matches(bytes));
            if (kind is null)
            {
                errors.Add(field, $"'{name}' is not one of the accepted types ({string.Join(", ", rules.Kinds.Select(k => k.ContentType))}).");
                continue;
            }
            if (kind.Problem(bytes) is { } problem)
            {
                errors.Add(field, $"'{name}': {problem}");
                continue;
            }
            accepted.Add(new AcceptedFile(file, kind, FileNames.Normalize(file.FileName, kind)));
        }
        return accepted;
    }

    /// <summary>
    /// Stores accepted files and then runs <paramref name="commit"/>, which saves their rows. If anything fails the stored
    /// files are deleted again: there is never a file without its row, nor a row without its file.
    /// </summary>
    public async Task<IReadOnlyList<T>> StoreAsync<T>(string area, Guid ownerId, IReadOnlyList<AcceptedFile> files, DateTimeOffset now,
        Func<AcceptedFile, Guid, string, T> toRow, Func<IReadOnlyList<T>, Task> commit, CancellationToken ct)
    {
        var stored = new List<Guid>();
        try
        {
            var rows = new List<T>();
            foreach (var file in files)
            {
                var id = Guid.CreateVersion7(now);
                stored.Add(id);
                rows.Add(toRow(file, id, await SaveAsync(area, ownerId, id, file.File, ct)));
            }
            await commit(rows);
            return rows;
        }
        catch
        {
            foreach (var id in stored)
            {
                Delete(area, ownerId, id);
            }
            throw;
        }
    }

    /// <summary>Stores the file and returns its SHA-256 (hex).</summary>
    public async Task<string> SaveAsync(string area, Guid ownerId, Guid fileId, IFormFile file, CancellationToken ct)
    {
        var path = PathOf(area, ownerId, fileId, create: true);
        await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        await using var source = file.OpenReadStream();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Stores bytes the server made (a generated contract) and returns their SHA-256 (hex).</summary>
    public async Task<string> SaveAsync(string area, Guid ownerId, Guid fileId, byte[] bytes, CancellationToken ct)
    {
        await File.WriteAllBytesAsync(PathOf(area, ownerId, fileId, create: true), bytes, ct);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public Stream? OpenRead(string area, Guid ownerId, Guid fileId)
    {
        var path = PathOf(area, ownerId, fileId, create: false);
        return File.Exists(path) ? File.OpenRead(path) : null;
    }

    public void Delete(string area, Guid ownerId, Guid fileId) => File.Delete(PathOf(area, ownerId, fileId, create: false));

    string PathOf(string area, Guid ownerId, Guid fileId, bool create)
    {
        var folder = create ? data.Folder(area, ownerId.ToString("N")) : Path.Combine(data.Root, area, ownerId.ToString("N"));
        return Path.Combine(folder, fileId.ToString("N"));
    }
}
