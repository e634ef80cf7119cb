namespace Scoda.Market.Web.Infrastructure.Csv;

/// <summary>RFC 4180 fields for the CSV files we write, the counterpart of <see cref="CsvReader"/>.</summary>
public static class CsvWriter
{
    /// <summary>The field as written: quoted (inner quotes doubled) when it holds a comma, a quote or a line break.</summary>
    public static string Field(string? value) =>
        value is null ? "" : value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

    /// <summary>
    /// A field of a report opened in spreadsheets: text a spreadsheet would run as a formula (starting with = + - @,
    /// tab or CR) is prefixed with an apostrophe. Not for files we read back (an import template's "-5" must stay a number).
    /// </summary>
    public static string ReportField(string value) =>
        Field(value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value);
}
