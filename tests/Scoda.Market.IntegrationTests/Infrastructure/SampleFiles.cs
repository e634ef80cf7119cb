using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Scoda.Market.IntegrationTests.Infrastructure;

/// <summary>
/// Small but structurally sound files (a one-page PDF with a correct cross-reference table, PNG and JPEG images of a
/// given size) and their hostile variants, for upload tests. Linked into the unit tests as well.
/// </summary>
public static class SampleFiles
{
    /// <summary>A PDF whose xref offsets and startxref are right; <paramref name="prefix"/> goes after the header (a polyglot's HTML).</summary>
    public static byte[] Pdf(string prefix = "")
    {
        var text = new StringBuilder("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n").Append(prefix);
        var offsets = new List<int>();
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ];
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(Encoding.Latin1.GetByteCount(text.ToString()));
            text.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj {objects[i]} endobj\n");
        }
        var xref = Encoding.Latin1.GetByteCount(text.ToString());
        text.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            text.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }
        text.Append(CultureInfo.InvariantCulture, $"trailer << /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(text.ToString());
    }

    /// <summary>A PNG of <paramref name="width"/>×<paramref name="height"/> (IHDR, one IDAT, IEND), then <paramref name="trailer"/>.</summary>
    public static byte[] Png(int width = 4, int height = 3, byte[]? idat = null, byte[]? trailer = null)
    {
        var bytes = new List<byte>([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8; // bit depth
        header[9] = 2; // truecolour
        Chunk(bytes, "IHDR", header);
        Chunk(bytes, "IDAT", idat ?? [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]);
        Chunk(bytes, "IEND", []);
        bytes.AddRange(trailer ?? []);
        return [.. bytes];
    }

    /// <summary>A baseline JPEG frame header of <paramref name="width"/>×<paramref name="height"/> with a token scan.</summary>
    public static byte[] Jpeg(int width = 4, int height = 3)
    {
        var bytes = new List<byte> { 0xFF, 0xD8 };
        bytes.AddRange([0xFF, 0xE0, 0x00, 0x10, .. "JFIF\0"u8, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
        bytes.AddRange([0xFF, 0xC0, 0x00, 0x0B, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x01, 0x01, 0x11, 0x00]);
        bytes.AddRange([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x12, 0x34, 0x56]);
        bytes.AddRange([0xFF, 0xD9]);
        return [.. bytes];
    }

    static void Chunk(List<byte> bytes, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        bytes.AddRange(length);
        bytes.AddRange(Encoding.ASCII.GetBytes(type));
        bytes.AddRange(data);
        bytes.AddRange([0, 0, 0, 0]); // CRC: not checked by the server
    }
}
