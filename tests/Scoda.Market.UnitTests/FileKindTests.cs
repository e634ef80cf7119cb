using FluentAssertions;
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
}
