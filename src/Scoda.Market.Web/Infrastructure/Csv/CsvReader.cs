using System.Text;

namespace Scoda.Market.Web.Infrastructure.Csv;

/// <summary>RFC 4180 CSV: comma-separated, fields in double quotes may hold commas, quotes ("") and line breaks.</summary>
public static class CsvReader
{
    /// <summary>Reads every record; a record is its 1-based line number and fields. Throws <see cref="FormatException"/> on an unclosed quote.</summary>
    public static IEnumerable<(int Line, IReadOnlyList<string> Fields)> Read(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        var fieldStarted = false;
        int c;
        while ((c = reader.Read()) != -1)
        {
            var ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (ch == '\n')
                    {
                        line++;
                    }
                    field.Append(ch);
                }
                continue;
            }
            switch (ch)
            {
                case '"' when !fieldStarted:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    if (fields.Count > 1 || fields[0].Length > 0)
                    {
                        yield return (recordLine, fields);
                    }
                    fields = [];
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(ch);
                    fieldStarted = true;
                    break;
            }
        }
        if (quoted)
        {
            throw new FormatException($"A quoted field that starts on line {recordLine} is never closed.");
        }
        if (fieldStarted || field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return (recordLine, fields);
        }
    }
}
