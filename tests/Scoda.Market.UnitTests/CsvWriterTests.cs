using FluentAssertions;
using Scoda.Market.Web.Infrastructure.Csv;

namespace Scoda.Market.UnitTests;

public class CsvWriterTests
{
    [Fact]
    public void Fields_with_commas_quotes_or_line_breaks_are_quoted_and_read_back_as_written()
    {
        var fields = new[] { "Wheat, class 3", "He said \"12.5%\"", "two\nlines", "-5", "" };

        var line = string.Join(',', fields.Select(CsvWriter.Field));

        CsvReader.Read(new StringReader(line)).Single().Fields.Should().Equal(fields);
        CsvWriter.Field(null).Should().BeEmpty();
    }

    [Theory]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("-5", "'-5")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("Wheat", "Wheat")]
    public void Report_fields_never_start_a_spreadsheet_formula(string value, string written) =>
        CsvWriter.ReportField(value).Should().Be(written);
}
