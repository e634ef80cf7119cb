using System.Net;
using System.Text;

namespace Scoda.Market.Search.Embedded;

/// <summary>Marks the words a query found with &lt;mark&gt;, HTML-encoding everything else.</summary>
public static class Highlighter
{
    public const int SnippetLength = 160;

    /// <summary>The text with hits marked, or null when nothing in it matched. Long text is cut around the first hit.</summary>
    public static string? Highlight(string text, EmbeddedQuery query, int maxLength = SnippetLength)
    {
        var hits = TextAnalysis.Tokenize(text).Where(t => query.Hits(t.Term)).Select(t => (t.Start, End: t.Start + t.Length)).ToList();
        if (hits.Count == 0)
        {
            return null;
        }
        // Merge overlapping Han bigrams into one marked span.
        var spans = new List<(int Start, int End)>();
        foreach (var hit in hits.OrderBy(h => h.Start))
        {
            if (spans.Count > 0 && hit.Start <= spans[^1].End)
            {
                spans[^1] = (spans[^1].Start, Math.Max(spans[^1].End, hit.End));
            }
            else
            {
                spans.Add(hit);
            }
        }
        var from = 0;
        var to = text.Length;
        if (text.Length > maxLength)
        {
            from = Math.Max(0, spans[0].Start - (maxLength / 4));
            to = Math.Min(text.Length, from + maxLength);
        }
        var builder = new StringBuilder();
        if (from > 0)
        {
            builder.Append('…');
        }
        var position = from;
        foreach (var (start, end) in spans.Where(s => s.Start >= from && s.End <= to))
        {
            builder.Append(WebUtility.HtmlEncode(text[position..start])).Append("<mark>").Append(WebUtility.HtmlEncode(text[start..end])).Append("</mark>");
            position = end;
        }
        builder.Append(WebUtility.HtmlEncode(text[position..to]));
        if (to < text.Length)
        {
            builder.Append('…');
        }
        return builder.ToString();
    }
}
