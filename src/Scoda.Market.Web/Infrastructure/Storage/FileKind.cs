using System.Buffers.Binary;
using System.Text;
using Scoda.Market.Web.Infrastructure.Text;

namespace Scoda.Market.Web.Infrastructure.Storage;

/// <summary>
/// A file type we accept, recognised by its bytes, never by the name or the client's content type. The leading bytes
/// pick the kind; <see cref="Problem"/> then checks that the whole file has that kind's structure, so a file that is
/// also something else (a PDF or PNG header in front of HTML, a "polyglot" a browser might render) is refused.
/// A structural check of our own, not a full parser: it reads the parts a real file of the kind always has.
/// </summary>
public sealed class FileKind
{
    /// <summary>Larger images are decompression bombs, not photos of goods.</summary>
    public const int MaxImageSide = 20_000;

    /// <summary>How much of a file's start (and, for PDF, its end) is searched for markup.</summary>
    public const int MarkupWindow = 4096;

    public static readonly FileKind Pdf = new("application/pdf", ".pdf", "%PDF-"u8.ToArray(), PdfProblem, [".pdf"]);
    public static readonly FileKind Png = new("image/png", ".png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], PngProblem, [".png"]);
    public static readonly FileKind Jpeg = new("image/jpeg", ".jpg", [0xFF, 0xD8, 0xFF], JpegProblem, [".jpg", ".jpeg"]);

    // Markup a browser would render or run if it ever sniffed the file as HTML or SVG.
    static readonly byte[][] Markup = ["<html"u8.ToArray(), "<script"u8.ToArray(), "<!doctype"u8.ToArray(), "<body"u8.ToArray(),
        "<iframe"u8.ToArray(), "<svg"u8.ToArray(), "<object"u8.ToArray(), "<embed"u8.ToArray(), "javascript:"u8.ToArray()];

    readonly byte[] _signature;
    readonly Func<ReadOnlyMemory<byte>, string?> _structure;

    FileKind(string contentType, string extension, byte[] signature, Func<ReadOnlyMemory<byte>, string?> structure, string[] extensions)
    {
        ContentType = contentType;
        Extension = extension;
        Extensions = extensions;
        _signature = signature;
        _structure = structure;
    }

    public string ContentType { get; }

    /// <summary>The extension stored names get when theirs does not match (".jpg").</summary>
    public string Extension { get; }

    /// <summary>Every extension a name of this kind may keep (".jpg", ".jpeg").</summary>
    public IReadOnlyList<string> Extensions { get; }

    public bool Matches(ReadOnlySpan<byte> head) => head.StartsWith(_signature);

    /// <summary>Why <paramref name="file"/> is not a sound file of this kind, or null when it is.</summary>
    public string? Problem(ReadOnlyMemory<byte> file) => Matches(file.Span) ? _structure(file) : $"It is not a {Extension[1..].ToUpperInvariant()} file.";

    public override string ToString() => ContentType;

    static string? PdfProblem(ReadOnlyMemory<byte> file)
    {
        var bytes = file.Span;
        if (bytes.Length < 64 || !(bytes[5] is (byte)'1' or (byte)'2') || bytes[6] != (byte)'.')
        {
            return "Not a PDF: the header is not %PDF-1.x or %PDF-2.x.";
        }
        var tail = bytes[Math.Max(0, bytes.Length - 1024)..];
        var eof = tail.LastIndexOf("%%EOF"u8);
        if (eof < 0)
        {
            return "Not a complete PDF: no %%EOF at its end.";
        }
        var startxref = tail.LastIndexOf("startxref"u8);
        if (startxref < 0 || startxref > eof)
        {
            return "Not a complete PDF: no startxref before its end.";
        }
        var offset = ReadNumber(tail[(startxref + "startxref"u8.Length)..eof]);
        if (offset is null || offset >= bytes.Length - tail.Length + startxref)
        {
            return "Not a sound PDF: startxref does not point into the file.";
        }
        // The cross-reference table ("xref") or a cross-reference stream object ("12 0 obj").
        var xref = bytes[(int)offset.Value..];
        if (!xref.StartsWith("xref"u8) && !(xref.Length > 0 && char.IsAsciiDigit((char)xref[0])))
        {
            return "Not a sound PDF: startxref does not point at a cross-reference section.";
        }
        return MarkupProblem(bytes[..Math.Min(bytes.Length, MarkupWindow)]) ?? MarkupProblem(tail);
    }

    static string? PngProblem(ReadOnlyMemory<byte> file)
    {
        var bytes = file.Span;
        // Signature (8), then IHDR: length 13, type, width, height, bit depth, colour type, compression, filter, interlace, CRC.
        if (bytes.Length < 8 + 25 + 12 || BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]) != 13 || !bytes[12..16].SequenceEqual("IHDR"u8))
        {
            return "Not a PNG: the image header (IHDR) is missing.";
        }
        var width = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
        var height = BinaryPrimitives.ReadUInt32BigEndian(bytes[20..]);
        if (width is 0 or > MaxImageSide || height is 0 or > MaxImageSide)
        {
            return $"The image is {width}×{height} pixels; each side must be between 1 and {MaxImageSide}.";
        }
        if (bytes[24] is not (1 or 2 or 4 or 8 or 16) || bytes[25] is not (0 or 2 or 3 or 4 or 6))
        {
            return "Not a PNG: the bit depth or colour type is not one PNG defines.";
        }
        // Chunks to the end: every length in bounds, the last one IEND, nothing after it.
        var at = 8;
        while (at + 12 <= bytes.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]);
            if (length > bytes.Length - at - 12)
            {
                return "Not a sound PNG: a chunk runs past the end of the file.";
            }
            var type = bytes[(at + 4)..(at + 8)];
            at += 12 + (int)length;
            if (type.SequenceEqual("IEND"u8))
            {
                return at == bytes.Length ? MarkupProblem(bytes) : "The PNG carries data after its end (IEND).";
            }
        }
        return "Not a complete PNG: no IEND chunk.";
    }

    static string? JpegProblem(ReadOnlyMemory<byte> file)
    {
        var bytes = file.Span;
        var at = 2;
        while (at + 4 <= bytes.Length)
        {
            if (bytes[at] != 0xFF)
            {
                return "Not a sound JPEG: a segment does not start with a marker.";
            }
            var marker = bytes[at + 1];
            if (marker == 0xFF)
            {
                at++;
                continue;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 2)..]);
            if (length < 2 || at + 2 + length > bytes.Length)
            {
                return "Not a sound JPEG: a segment runs past the end of the file.";
            }
            // Start of frame (baseline, progressive, …; C4, C8 and CC are other markers): precision, height, width.
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                if (length < 8)
                {
                    return "Not a sound JPEG: the frame header is too short.";
                }
                var height = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 5)..]);
                var width = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 7)..]);
                if (width is 0 or > MaxImageSide || height is 0 or > MaxImageSide)
                {
                    return $"The image is {width}×{height} pixels; each side must be between 1 and {MaxImageSide}.";
                }
                var end = bytes[Math.Max(0, bytes.Length - 64)..];
                return end.LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) < 0 ? "Not a complete JPEG: no end-of-image marker." : MarkupProblem(bytes);
            }
            if (marker == 0xDA)
            {
                break;
            }
            at += 2 + length;
        }
        return "Not a sound JPEG: no frame header (image size) before the image data.";
    }

    static string? MarkupProblem(ReadOnlySpan<byte> bytes)
    {
        foreach (var marker in Markup)
        {
            if (IndexOfIgnoreCase(bytes, marker) >= 0)
            {
                return $"The file also contains web markup ('{Encoding.ASCII.GetString(marker)}'); upload the document itself.";
            }
        }
        return null;
    }

    static int IndexOfIgnoreCase(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> lowerMarker)
    {
        for (var from = 0; from <= bytes.Length - lowerMarker.Length;)
        {
            var next = bytes[from..].IndexOf(lowerMarker[0]);
            var upper = bytes[from..].IndexOf((byte)char.ToUpperInvariant((char)lowerMarker[0]));
            var hit = next < 0 ? upper : upper < 0 ? next : Math.Min(next, upper);
            if (hit < 0)
            {
                return -1;
            }
            var start = from + hit;
            if (start + lowerMarker.Length <= bytes.Length && Ascii.EqualsIgnoreCase(bytes.Slice(start, lowerMarker.Length), lowerMarker))
            {
                return start;
            }
            from = start + 1;
        }
        return -1;
    }

    static long? ReadNumber(ReadOnlySpan<byte> text)
    {
        var trimmed = text.Trim(" \r\n\t"u8);
        if (trimmed.IsEmpty || trimmed.Length > 18)
        {
            return null;
        }
        long value = 0;
        foreach (var b in trimmed)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return null;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }
}

/// <summary>File names from clients, made safe to store and to send back in a Content-Disposition header.</summary>
public static class FileNames
{
    public const int MaxLength = 120;

    /// <summary>
    /// The last path segment only (<c>..\..\x.pdf</c> → <c>x.pdf</c>), without control, bidirectional or zero-width
    /// characters (<c>invoice\u202Efdp.exe</c> cannot pose as <c>invoiceexe.pdf</c>), without characters Windows
    /// forbids, at most <see cref="MaxLength"/> characters, and with an extension of the kind the bytes showed.
    /// </summary>
    public static string Normalize(string? clientName, FileKind kind)
    {
        var name = clientName ?? "";
        var slash = name.LastIndexOfAny(['/', '\\']);
        name = slash >= 0 ? name[(slash + 1)..] : name;
        var kept = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsControl(c) || InputText.IsInvisible(c))
            {
                continue;
            }
            kept.Append(c is '<' or '>' or ':' or '"' or '|' or '?' or '*' ? '_' : c);
        }
        name = kept.ToString();
        while (name.Contains("..", StringComparison.Ordinal))
        {
            name = name.Replace("..", ".", StringComparison.Ordinal);
        }
        name = name.Trim(' ', '.');
        if (InputText.Problem(name) is not null)
        {
            name = "";
        }

        var extension = Path.GetExtension(name);
        var stem = kind.Extensions.Contains(extension.ToLowerInvariant()) ? name[..^extension.Length] : name;
        extension = kind.Extensions.Contains(extension.ToLowerInvariant()) ? extension.ToLowerInvariant() : kind.Extension;
        stem = stem.Trim(' ', '.');
        if (stem.Length == 0)
        {
            stem = "document";
        }
        var room = MaxLength - extension.Length;
        if (stem.Length > room)
        {
            // Never cut a surrogate pair in half.
            var cut = char.IsLowSurrogate(stem[room]) ? room - 1 : room;
            stem = stem[..cut];
        }
        return stem + extension;
    }
}

/// <summary>Headers every download of an uploaded file carries, whatever its kind.</summary>
public static class DownloadHeaders
{
    /// <summary>
    /// The browser must save the file, not render it (<c>Content-Disposition: attachment</c> comes from the file result,
    /// with an RFC 6266 <c>filename*</c>), must not guess another type (<c>nosniff</c>), and should it render it anyway,
    /// runs nothing and loads nothing (<c>default-src 'none'; sandbox</c>).
    /// </summary>
    public static RouteHandlerBuilder WithDownloadHeaders(this RouteHandlerBuilder route) =>
        route.AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            return await next(context);
        });
}
