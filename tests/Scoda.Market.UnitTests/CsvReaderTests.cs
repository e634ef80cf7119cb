using FluentAssertions;
using Scoda.Market.Web.Infrastructure.Csv;

namespace Scoda.Market.UnitTests;

public class CsvReaderTests
{
    static List<(int Line, IReadOnlyList<string> Fields)> Read(string text) => CsvReader.Read(new StringReader(text)).ToList();

    [Fact]
    public void Quoted_fields_keep_commas_quotes_and_line_breaks()
    {
        var records = Read("a,b,c\r\n\"Wheat, class 3\",\"He said \"\"12.5%\"\"\",\"two\nlines\"\n4,5,6");

        records.Should().HaveCount(3);
        records[1].Fields.Should().Equal("Wheat, class 3", "He said \"12.5%\"", "two\nlines");
        records[2].Line.Should().Be(4);
        records[2].Fields.Should().Equal("4", "5", "6");
    }

    [Fact]
    public void Empty_fields_and_blank_lines()
    {
        var records = Read("a,,c\n\n,,\n");
        records.Should().HaveCount(2);
        records[0].Fields.Should().Equal("a", "", "c");
        records[1].Line.Should().Be(3);
        records[1].Fields.Should().Equal("", "", "");
    }

    [Fact]
    public void Cyrillic_and_chinese_text_pass_through() =>
        Read("Пшеница,小麦\n")[0].Fields.Should().Equal("Пшеница", "小麦");

    [Fact]
    public void An_unclosed_quote_is_a_format_error()
    {
        var read = () => Read("a,\"b\nc");
        read.Should().Throw<FormatException>().WithMessage("*line 1*");
    }
}
