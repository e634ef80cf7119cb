using FluentAssertions;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.UnitTests;

public class DomainTests
{
    [Theory]
    [InlineData("KZ", "KZ")]
    [InlineData("uz", "UZ")]
    [InlineData(" cn ", "CN")]
    [InlineData("XK", "XK")]
    public void Assigned_country_codes_parse_to_upper_case(string text, string expected)
    {
        CountryCode.TryParse(text, out var code).Should().BeTrue();
        code.Value.Should().Be(expected);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ZZ")]
    [InlineData("KAZ")]
    [InlineData("K")]
    [InlineData("EU")]
    public void Unassigned_country_codes_are_refused(string? text) => CountryCode.TryParse(text, out _).Should().BeFalse();

    [Theory]
    [InlineData("exporter", true)]
    [InlineData("IMPORTER", true)]
    [InlineData("Both", true)]
    [InlineData("0", false)]
    [InlineData("-1", false)]
    [InlineData("7", false)]
    [InlineData("trader", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Enums_are_read_by_name_only(string? text, bool ok) => EnumText.TryParse<OrganizationKind>(text, out _).Should().Be(ok);
}
