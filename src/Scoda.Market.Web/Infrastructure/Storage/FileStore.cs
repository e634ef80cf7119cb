using System.Security.Cryptography;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Infrastructure.Storage;

/// <summary>A file type we accept, recognised by its leading bytes, never by the name or the client's content type.</summary>
public sealed record FileKind(string ContentType, params byte[][] Signatures)
{
    public static readonly FileKind Pdf = new("application/pdf", "%PDF-"u8.ToArray());
    public static readonly FileKind Png = new("image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
    public static readonly FileKind Jpeg = new("image/jpeg", [0xFF, 0xD8, 0xFF]);

    public bool Matches(ReadOnlySpan<byte> head)
    {
        foreach (var signature in Signatures)
        {
            if (head.StartsWith(signature))
            {
                return true;
            }
        }
        return false;
    }
}

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
        var head = new byte[16];
        foreach (var file in files)
        {
            var name = SafeName(file.FileName);
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
            await using var stream = file.OpenReadStream();
            var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
            var kind = rules.Kinds.FirstOrDefault(k => k.Matches(head.AsSpan(0, read)));
            if (kind is null)
            {
                errors.Add(field, $"'{name}' is not one of the accepted types ({string.Join(", ", rules.Kinds.Select(k => k.ContentType))}).");
                continue;
            }
            accepted.Add(new AcceptedFile(file, kind, name));
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

    static string SafeName(string? name)
    {
        var file = Path.GetFileName(name ?? "");
        file = new string(file.Where(c => !char.IsControl(c)).ToArray());
        return string.IsNullOrWhiteSpace(file) ? "document" : file.Length > 200 ? file[..200] : file;
    }
}
