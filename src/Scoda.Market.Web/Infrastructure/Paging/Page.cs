using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Scoda.Market.Web.Infrastructure.Paging;

/// <summary>A page of a list endpoint: <c>{ items, nextCursor }</c> (docs/CONTRACT.md).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// Keyset position after the last item of a page: the time the list is ordered by (created, updated, recorded …, as
/// the list says) and the id. Keyset paging stays correct while rows are inserted, where offsets would skip or repeat.
/// </summary>
public readonly record struct Cursor(DateTimeOffset At, Guid Id)
{
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{At.UtcTicks}:{Id:N}")));

    public static bool TryDecode(string? text, out Cursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (text.Length > 100)
        {
            return false;
        }
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split(':');
            if (parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
                && Guid.TryParseExact(parts[1], "N", out var id))
            {
                cursor = new Cursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
                return true;
            }
        }
        catch (FormatException)
        {
        }
        return false;
    }
}

/// <summary>The <c>?cursor=&amp;limit=</c> pair every list endpoint takes, validated once.</summary>
public sealed record PageRequest(Cursor? After, int Limit)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static bool TryParse(string? cursor, int? limit, Problems.ValidationErrors errors, out PageRequest page)
    {
        page = new PageRequest(null, limit ?? DefaultLimit);
        errors.Check(limit is null or (>= 1 and <= MaxLimit), "limit", $"Between 1 and {MaxLimit}.");
        if (!Cursor.TryDecode(cursor, out var after))
        {
            errors.Add("cursor", "Not a cursor this API issued.");
        }
        page = page with { After = after };
        return errors.IsValid;
    }

    /// <summary>Builds the page from up to <see cref="Limit"/> + 1 rows fetched in (time, id) order (<see cref="Keyset"/>).</summary>
    public Page<T> ToPage<T>(IReadOnlyList<T> rows, Func<T, Cursor> positionOf) =>
        rows.Count > Limit
            ? new Page<T>(rows.Take(Limit).ToList(), positionOf(rows[Limit - 1]).Encode())
            : new Page<T>(rows, null);
}
