using FluentAssertions;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.UnitTests;

public class PagingTests
{
    [Fact]
    public void A_cursor_round_trips()
    {
        var cursor = new Cursor(new DateTimeOffset(2026, 11, 22, 8, 30, 0, 123, TimeSpan.Zero), Guid.NewGuid());

        Cursor.TryDecode(cursor.Encode(), out var decoded).Should().BeTrue();

        decoded.Should().Be(cursor);
    }

    [Theory]
    [InlineData("not-a-cursor")]
    [InlineData("MTIzOm5vdC1hLWd1aWQ")] // "123:not-a-guid"
    [InlineData("LTE6MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA")] // negative ticks
    [InlineData("%%%")]
    public void A_forged_cursor_is_refused(string text) => Cursor.TryDecode(text, out _).Should().BeFalse();

    [Fact]
    public void A_very_long_cursor_is_refused_before_decoding() => Cursor.TryDecode(new string('A', 10_000), out _).Should().BeFalse();

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(101)]
    public void A_limit_outside_1_to_100_is_a_field_error(int limit)
    {
        var errors = new ValidationErrors();
        PageRequest.TryParse(null, limit, errors, out _).Should().BeFalse();
        errors.ToDictionary().Keys.Should().Contain("limit");
    }

    [Fact]
    public void A_full_page_carries_the_position_of_its_last_item()
    {
        var rows = Enumerable.Range(0, 4).Select(i => new Cursor(DateTimeOffset.UnixEpoch.AddMinutes(i), Guid.NewGuid())).ToList();
        var request = new PageRequest(null, 3);

        var page = request.ToPage(rows, r => r);

        page.Items.Should().HaveCount(3);
        Cursor.TryDecode(page.NextCursor, out var next).Should().BeTrue();
        next.Should().Be(rows[2]);
        request.ToPage(rows.Take(3).ToList(), r => r).NextCursor.Should().BeNull();
    }
}
