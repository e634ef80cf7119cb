using System.Text;
using FluentAssertions;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Infrastructure.Storage;

namespace Scoda.Market.UnitTests;

public class FileKindTests
{
    [Fact]
    public void Files_are_recognised_by_their_leading_bytes()
    {
        FileKind.Pdf.Matches("%PDF-1.4 ..."u8).Should().BeTrue();
        FileKind.Png.Matches([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00]).Should().BeTrue();
        FileKind.Jpeg.Matches([0xFF, 0xD8, 0xFF, 0xE0]).Should().BeTrue();
    }

    [Fact]
    public void Other_bytes_are_not_a_document_whatever_the_name()
    {
        byte[] executable = [0x4D, 0x5A, 0x90, 0x00];
        FileKind.Pdf.Matches(executable).Should().BeFalse();
        FileKind.Png.Matches(executable).Should().BeFalse();
        FileKind.Jpeg.Matches(executable).Should().BeFalse();
        FileKind.Pdf.Matches("%PD"u8).Should().BeFalse();
    }

    [Fact]
    public void Sound_pdf_png_and_jpeg_files_pass_the_structure_checks()
    {
        FileKind.Pdf.Problem(SampleFiles.Pdf()).Should().BeNull();
        FileKind.Png.Problem(SampleFiles.Png(640, 480)).Should().BeNull();
        FileKind.Jpeg.Problem(SampleFiles.Jpeg(1024, 768)).Should().BeNull();
    }

    [Fact]
    public void A_pdf_header_in_front_of_html_is_refused()
    {
        var polyglot = Encoding.Latin1.GetBytes("%PDF-1.7\n<html><script>alert(document.cookie)</script></html>\n");
        FileKind.Pdf.Problem(polyglot).Should().NotBeNull();
        // Even with a complete PDF structure around it, the markup near the start gives it away.
        FileKind.Pdf.Problem(SampleFiles.Pdf("<HTML><body onload=alert(1)>\n")).Should().Contain("markup");
    }

    [Fact]
    public void A_pdf_without_its_end_or_cross_reference_is_refused()
    {
        var pdf = SampleFiles.Pdf();
        FileKind.Pdf.Problem(pdf.AsMemory(0, pdf.Length - 6)).Should().Contain("%%EOF");
        var text = Encoding.Latin1.GetString(pdf);
        FileKind.Pdf.Problem(Encoding.Latin1.GetBytes(text.Replace("startxref\n", "startxref\n9", StringComparison.Ordinal))).Should().Contain("startxref");
    }

    [Fact]
    public void A_png_header_followed_by_html_is_refused()
    {
        FileKind.Png.Problem((byte[])[.. SampleFiles.Png().AsSpan(0, 8), .. "<html><script>alert(1)</script>"u8]).Should().NotBeNull();
        FileKind.Png.Problem(SampleFiles.Png(trailer: [.. "<script>alert(1)</script>"u8])).Should().Contain("after its end");
        FileKind.Png.Problem(SampleFiles.Png(idat: [.. "<svg onload=alert(1)>"u8])).Should().Contain("markup");
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, 0)]
    [InlineData(50_000, 10)]
    public void Images_of_impossible_size_are_refused(int width, int height)
    {
        FileKind.Png.Problem(SampleFiles.Png(width, height)).Should().Contain("pixels");
        FileKind.Jpeg.Problem(SampleFiles.Jpeg(Math.Min(width, 65_535), height)).Should().Contain("pixels");
    }

    [Fact]
    public void A_jpeg_without_a_frame_header_is_refused() =>
        FileKind.Jpeg.Problem((byte[])[0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9]).Should().Contain("frame header");

    [Theory]
    [InlineData("invoice.pdf", "invoice.pdf")]
    [InlineData("..\\..\\Windows\\system32\\cert.pdf", "cert.pdf")]
    [InlineData("../../etc/passwd", "passwd.pdf")]
    [InlineData("report\u202Efdp.exe", "reportfdp.exe.pdf")]
    [InlineData("in\u200Bvoice\uFEFF.PDF", "invoice.pdf")]
    [InlineData("a\r\nContent-Type: text.pdf", "aContent-Type_ text.pdf")]
    [InlineData("....pdf", "pdf.pdf")]
    [InlineData(" . ", "document.pdf")]
    [InlineData(null, "document.pdf")]
    [InlineData("photo.png", "photo.png.pdf")]
    public void Client_file_names_are_normalized_to_a_safe_name_of_the_detected_kind(string? name, string expected) =>
        FileNames.Normalize(name, FileKind.Pdf).Should().Be(expected);

    [Fact]
    public void File_names_are_capped_and_keep_a_jpeg_extension()
    {
        FileNames.Normalize(new string('a', 500) + ".jpeg", FileKind.Jpeg).Should().HaveLength(FileNames.MaxLength).And.EndWith(".jpeg");
        FileNames.Normalize("silo", FileKind.Jpeg).Should().Be("silo.jpg");
    }
}
