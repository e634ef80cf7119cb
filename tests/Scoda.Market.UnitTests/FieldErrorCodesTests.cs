using FluentAssertions;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.UnitTests;

/// <summary>The house phrasings of the common validation rules map to stable codes with their parameters.</summary>
public class FieldErrorCodesTests
{
    [Theory]
    [InlineData("Required.")]
    [InlineData("Required: the organization whose day to show.")]
    [InlineData("Required (ISO 8601, UTC).")]
    [InlineData("Required for this category.")]
    [InlineData("A value is required.")]
    public void Missing_values_are_required(string message) => FieldErrorCodes.Classify(message).Code.Should().Be(FieldErrorCodes.Required);

    [Fact]
    public void Length_limits_carry_the_limit()
    {
        var (code, parameters) = FieldErrorCodes.Classify("At most 200 characters.");
        code.Should().Be(FieldErrorCodes.TooLong);
        parameters.Should().Equal(new Dictionary<string, string> { ["max"] = "200" });
        FieldErrorCodes.Classify("At least 2 characters.").Should().BeEquivalentTo((FieldErrorCodes.TooShort, new Dictionary<string, string> { ["min"] = "2" }));
    }

    [Theory]
    [InlineData("Between 12 and 15 %.", "12", "15", "%")]
    [InlineData("Between 60 and 90 kg/hl.", "60", "90", "kg/hl")]
    [InlineData("Latitude between -90 and 90.", "-90", "90", null)]
    [InlineData("Between 1 and 100.", "1", "100", null)]
    [InlineData("Between 0.5 and 3.25 mm.", "0.5", "3.25", "mm")]
    public void Ranges_carry_their_bounds_and_unit(string message, string min, string max, string? unit)
    {
        var (code, parameters) = FieldErrorCodes.Classify(message);
        code.Should().Be(FieldErrorCodes.OutOfRange);
        parameters["min"].Should().Be(min);
        parameters["max"].Should().Be(max);
        parameters.GetValueOrDefault("unit").Should().Be(unit);
    }

    [Fact]
    public void Not_negative_is_a_range_from_zero() =>
        FieldErrorCodes.Classify("Not negative.").Should().BeEquivalentTo((FieldErrorCodes.OutOfRange, new Dictionary<string, string> { ["min"] = "0" }));

    [Theory]
    [InlineData("One of en, ru, zh.", "not_allowed", "allowed", "en, ru, zh")]
    [InlineData("One of sea, inland_waterway, rail, road, multimodal.", "not_allowed", "allowed", "sea, inland_waterway, rail, road, multimodal")]
    [InlineData("One of receipt, shipment, adjustment, transfer (reserve and release go through reservations).", "not_allowed", "allowed", "receipt, shipment, adjustment, transfer")]
    [InlineData("One of upcoming, live, ended or cancelled.", "not_allowed", "allowed", "upcoming, live, ended, cancelled")]
    [InlineData("An Incoterms 2020 rule: EXW, FCA, CPT, CIP, DAP, DPU, DDP, FAS, FOB, CFR or CIF.", "not_allowed", "allowed", "EXW, FCA, CPT, CIP, DAP, DPU, DDP, FAS, FOB, CFR, CIF")]
    [InlineData("An ISO 3166-1 alpha-2 country code.", "invalid_format", "format", "country")]
    [InlineData("An ISO 3166-1 alpha-2 country code, such as KZ, RU, UZ or CN.", "invalid_format", "format", "country")]
    [InlineData("An ISO 8601 date, e.g. 2027-03-31.", "invalid_format", "format", "date")]
    [InlineData("A positive quantity with at most 3 decimals.", "invalid_format", "format", "positive_decimal")]
    [InlineData("A positive amount with at most two decimals.", "invalid_format", "format", "positive_decimal")]
    [InlineData("Not a number (use a dot for decimals, no thousands separators).", "invalid_format", "format", "number")]
    [InlineData("Not a decimal number (digits with an optional '.' and sign; no exponent, NaN or Infinity).", "invalid_format", "format", "number")]
    [InlineData("Not a valid value for this parameter.", "invalid_format", "format", "value")]
    [InlineData("Choose a commodity (a leaf of the taxonomy), not a group.", "invalid_format", "format", "category")]
    [InlineData("'rice' is not a category key; see GET /api/categories.", "invalid_format", "format", "category")]
    public void Choices_and_formats_name_what_is_allowed(string message, string expectedCode, string parameter, string value)
    {
        var (code, parameters) = FieldErrorCodes.Classify(message);
        code.Should().Be(expectedCode);
        parameters[parameter].Should().Be(value);
    }

    [Fact]
    public void Decimal_places_are_a_number_even_when_written_out() =>
        FieldErrorCodes.Classify("A positive amount with at most two decimals.").Params["decimals"].Should().Be("2");

    [Theory]
    [InlineData("Between 10 minutes and 7 days from now.")]
    [InlineData("Below the seller's minimum order (500 t).")]
    [InlineData("Required: 1 to 64 visible ASCII characters, new for every payment and the same when retrying it.")]
    public void Anything_else_is_invalid_without_params(string message)
    {
        var (code, parameters) = FieldErrorCodes.Classify(message);
        code.Should().Be(FieldErrorCodes.Invalid);
        parameters.Should().BeEmpty();
    }

    [Fact]
    public void Every_message_of_every_field_is_described_in_order_with_its_english()
    {
        var described = FieldErrorCodes.Describe(new Dictionary<string, string[]>
        {
            ["name"] = ["Required.", "At most 100 characters."],
            ["language"] = ["One of en, ru, zh."],
        });
        described.Select(e => (e.Field, e.Code, e.Message)).Should().Equal(
            ("name", FieldErrorCodes.Required, "Required."), ("name", FieldErrorCodes.TooLong, "At most 100 characters."),
            ("language", FieldErrorCodes.NotAllowed, "One of en, ru, zh."));
    }
}
