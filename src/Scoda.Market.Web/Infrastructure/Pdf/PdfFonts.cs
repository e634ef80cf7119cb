using System.Buffers.Binary;
using PdfSharp.Fonts;

namespace Scoda.Market.Web.Infrastructure.Pdf;

/// <summary>
/// The fonts of the PDFs the platform draws (the deal contract, the demo's documents), from the fonts installed on the host (the Docker image installs fonts-dejavu-core and
/// fonts-noto-cjk): DejaVu Sans for Latin and Cyrillic, Noto Sans CJK SC for Chinese. Noto CJK ships as a TrueType
/// collection, which PDFsharp does not read, so the SC face is cut out of the collection into a standalone font.
/// </summary>
public sealed class PdfFonts : IFontResolver
{
    public const string Text = "ScodaText";
    public const string Cjk = "ScodaCjk";

    static readonly string[] Regular = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"];
    static readonly string[] Bold = ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"];
    static readonly (string Path, int Face)[] CjkFaces =
    [
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2), // 0 JP, 1 KR, 2 SC, 3 TC, 4 HK (fc-query)
        ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ];

    static readonly Lazy<PdfFonts> Installed = new(() =>
    {
        var fonts = new PdfFonts();
        GlobalFontSettings.FontResolver = fonts;
        return fonts;
    });

    readonly Dictionary<string, byte[]?> _faces = new(StringComparer.Ordinal);

    /// <summary>Sets the resolver for the process (PDFsharp's font settings are global) and returns it.</summary>
    public static PdfFonts Install() => Installed.Value;

    /// <summary>Whether a text font was found (without one no PDF can be drawn).</summary>
    public bool HasText => Face("text") is not null;

    /// <summary>Whether a CJK font was found; without one Chinese text is left out of the PDF (it stays in the data).</summary>
    public bool HasCjk => Face("cjk") is not null;

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => familyName switch
    {
        Cjk => new FontResolverInfo("cjk", bold, false),
        _ => new FontResolverInfo(bold ? "text-bold" : "text"),
    };

    public byte[]? GetFont(string faceName) => Face(faceName);

    byte[]? Face(string name)
    {
        lock (_faces)
        {
            if (!_faces.TryGetValue(name, out var bytes))
            {
                bytes = name switch
                {
                    "text" => FirstFile(Regular),
                    "text-bold" => FirstFile(Bold) ?? FirstFile(Regular),
                    "cjk" => CjkFaces.Where(f => File.Exists(f.Path)).Select(f => FaceOf(File.ReadAllBytes(f.Path), f.Face)).FirstOrDefault(),
                    _ => null,
                };
                _faces[name] = bytes;
            }
            return bytes;
        }
    }

    static byte[]? FirstFile(IEnumerable<string> paths) => paths.Where(File.Exists).Select(File.ReadAllBytes).FirstOrDefault();

    /// <summary>
    /// One face of a TrueType/OpenType collection (<c>ttcf</c>) as a standalone font: its table directory with the
    /// tables it points to copied after it (offsets rewritten, 4-byte aligned). A plain font file is returned as it is.
    /// </summary>
    public static byte[] FaceOf(byte[] file, int face)
    {
        if (file.Length < 12 || BinaryPrimitives.ReadUInt32BigEndian(file) != 0x74746366) // 'ttcf'
        {
            return file;
        }
        var count = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(8));
        if (face >= count)
        {
            throw new InvalidDataException($"The collection has {count} faces, not {face + 1}.");
        }
        var directory = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(12 + 4 * face));
        var tables = BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(directory + 4));
        var headerLength = 12 + 16 * tables;
        var entries = Enumerable.Range(0, tables).Select(i =>
        {
            var at = directory + 12 + 16 * i;
            return (Record: at, Offset: (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at + 8)), Length: (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at + 12)));
        }).ToList();
        var size = headerLength + entries.Sum(e => (e.Length + 3) & ~3);
        var output = new byte[size];
        file.AsSpan(directory, headerLength).CopyTo(output);
        var next = headerLength;
        for (var i = 0; i < entries.Count; i++)
        {
            var (_, offset, length) = entries[i];
            file.AsSpan(offset, length).CopyTo(output.AsSpan(next));
            BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(12 + 16 * i + 8), (uint)next);
            next += (length + 3) & ~3;
        }
        return output;
    }
}
