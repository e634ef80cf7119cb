using System.Text.Json;
using FluentAssertions;
using Scoda.Market.Web.Features.FxRates;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.UnitTests;

public class UnitsTests
{
    [Theory]
    [InlineData(12.345, "t", "kg", 12345)]
    [InlineData(500, "kg", "t", 0.5)]
    [InlineData(0.001, "t", "kg", 1)]
    [InlineData(7, "m3", "m3", 7)]
    public void Quantities_convert_exactly(decimal value, string from, string to, decimal expected)
    {
        Units.TryConvert(value, from, to, out var converted).Should().BeTrue();
        converted.Should().Be(expected);
    }

    [Theory]
    [InlineData("t", "m3")]
    [InlineData("bag", "t")]
    [InlineData("lb", "t")]
    public void Different_dimensions_do_not_convert(string from, string to) => Units.TryConvert(1, from, to, out _).Should().BeFalse();

    [Fact]
    public void A_price_per_kg_is_a_thousand_times_the_price_per_tonne()
    {
        Units.TryConvertPrice(0.245m, "kg", "t", out var perTonne).Should().BeTrue();
        perTonne.Should().Be(245m);
    }
}

public class IncotermsTests
{
    [Theory]
    [InlineData("FOB", DeliveryMode.Rail, false)]
    [InlineData("CIF", DeliveryMode.Road, false)]
    [InlineData("FAS", DeliveryMode.Multimodal, false)]
    [InlineData("CFR", DeliveryMode.Sea, true)]
    [InlineData("FOB", DeliveryMode.InlandWaterway, true)]
    [InlineData("DAP", DeliveryMode.Rail, true)]
    [InlineData("FCA", DeliveryMode.Sea, true)]
    public void Sea_only_rules_fit_only_water_transport(string incoterm, DeliveryMode mode, bool fits) =>
        Incoterms.FitsMode(incoterm, mode).Should().Be(fits);

    [Theory]
    [InlineData("dap", true)]
    [InlineData(" CIP ", true)]
    [InlineData("DAT", false)]
    [InlineData("FOBB", false)]
    [InlineData(null, false)]
    public void Only_incoterms_2020_rules_parse(string? text, bool ok) => Incoterms.TryParse(text, out _).Should().Be(ok);
}

public class DecimalsTests
{
    [Theory]
    [InlineData("12.345", 3, true)]
    [InlineData("12.3450000", 3, true)]
    [InlineData("12.3456", 3, false)]
    [InlineData("999999999999", 0, true)]
    [InlineData("1000000000000", 0, false)]
    public void Fits_checks_scale_after_trailing_zeros_and_magnitude(string text, int decimals, bool fits) =>
        Decimals.Fits(decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture), decimals).Should().Be(fits);

    [Fact]
    public void Normalize_drops_trailing_zeros_only() =>
        Decimals.Normalize(100.500000m).ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be("100.5");
}

public class SpecValidationTests
{
    static readonly SpecSchema Wheat =
    [
        new("protein", new LocalizedText(), SpecField.Number, "%", 8, 18, true, null),
        new("moisture", new LocalizedText(), SpecField.Number, "%", 8, 16, true, null),
        new("gostClass", new LocalizedText(), SpecField.Enum, null, null, null, false, ["1", "2", "3", "4", "5"]),
    ];

    static Dictionary<string, JsonElement> Specs(string json) => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    [Fact]
    public void Valid_specs_come_back_as_invariant_text()
    {
        var errors = new ValidationErrors();
        var specs = SpecValidation.Validate(Wheat, Specs("""{"protein": 12.50, "moisture": {"value": "13.5", "unit": "%"}, "gostClass": "3"}"""), errors, "specs");

        errors.IsValid.Should().BeTrue();
        specs.Should().Equal(new Dictionary<string, string> { ["protein"] = "12.5", ["moisture"] = "13.5", ["gostClass"] = "3" });
    }

    [Theory]
    [InlineData("""{"protein": 12, "moisture": 13, "starch": 60}""", "specs.starch")]
    [InlineData("""{"protein": 7.9, "moisture": 13}""", "specs.protein")]
    [InlineData("""{"protein": 12, "moisture": {"value": 13, "unit": "g/kg"}}""", "specs.moisture")]
    [InlineData("""{"protein": 12}""", "specs.moisture")]
    [InlineData("""{"protein": 12, "moisture": 13, "gostClass": "6"}""", "specs.gostClass")]
    [InlineData("""{"protein": true, "moisture": 13}""", "specs.protein")]
    [InlineData("""{"protein": 12.12345, "moisture": 13}""", "specs.protein")]
    public void Each_wrong_spec_is_a_field_error(string json, string field)
    {
        var errors = new ValidationErrors();
        SpecValidation.Validate(Wheat, Specs(json), errors, "specs");
        errors.ToDictionary().Keys.Should().Contain(field);
    }
}

public class FxTableTests
{
    static readonly FxTable Rates = new(new Dictionary<string, decimal> { ["USD"] = 1m, ["CNY"] = 7.12m, ["KZT"] = 518m });

    [Fact]
    public void A_price_is_normalized_per_basis_unit_in_usd_and_cny()
    {
        var normalized = Rates.Normalize(new UnitPrice(120m, "KZT", "kg"), "t");

        normalized.Should().NotBeNull();
        normalized!.Value.Usd.Should().Be(Math.Round(120000m / 518m, 4));
        normalized.Value.Cny.Should().Be(Math.Round(120000m / 518m * 7.12m, 4));
        normalized.Value.Unit.Should().Be("t");
    }

    [Fact]
    public void Without_a_rate_or_a_convertible_unit_there_is_no_normalized_price()
    {
        Rates.Normalize(new UnitPrice(100m, "RUB", "t"), "t").Should().BeNull();
        Rates.Normalize(new UnitPrice(100m, "USD", "m3"), "t").Should().BeNull();
    }
}
