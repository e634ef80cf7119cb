using System.Text.Json;
using FluentAssertions;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Infrastructure.Json;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Text;

namespace Scoda.Market.UnitTests;

public class InputTextTests
{
    static readonly JsonSerializerOptions Json = Options();

    static JsonSerializerOptions Options()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        MarketJson.Configure(options);
        MarketJson.AddInputChecks(options);
        return options;
    }

    [Theory]
    [InlineData("a\0b")]
    [InlineData("bell\u0007")]
    [InlineData("\u001b[31mred")]
    [InlineData("\u202Eexe.fdp")]
    [InlineData("isolate\u2067x\u2069")]
    public void Nul_control_and_bidi_override_characters_are_refused(string text) =>
        InputText.Problem(text).Should().NotBeNull();

    // Not as InlineData: the test runner's serialization turns a lone surrogate into U+FFFD.
    [Fact]
    public void Unpaired_surrogates_are_refused()
    {
        InputText.Problem("a\uD800b").Should().NotBeNull();
        InputText.Problem("\uDC00").Should().NotBeNull();
    }

    [Theory]
    [InlineData("Пшеница мягкая\r\n3 класса\t")]
    [InlineData("گندم نان\u200Cپزی")]
    [InlineData("小麦 🌾")]
    [InlineData("price\u200F")]
    public void Ordinary_multilingual_text_is_accepted(string text) => InputText.Problem(text).Should().BeNull();

    [Fact]
    public void Log_copies_of_client_values_are_capped_and_lose_control_characters()
    {
        var logged = InputText.ForLog(new string('x', 1_000_000) + "\r\nforged line");
        logged.Length.Should().BeLessThan(260);
        InputText.ForLog("a\r\nb\u202E").Should().Be("a??b?");
    }

    [Fact]
    public void A_logged_exception_keeps_its_types_but_caps_every_message()
    {
        var huge = new string('9', 1_000_000);
        Exception original;
        try
        {
            throw new InvalidOperationException("wrapper", new FormatException($"The input string '{huge}' was not in a correct format."));
        }
        catch (Exception ex)
        {
            original = ex;
        }

        var text = CappedException.Of(original).ToString();

        text.Length.Should().BeLessThan(5_000);
        text.Should().Contain("System.InvalidOperationException").And.Contain("System.FormatException").And.Contain(nameof(A_logged_exception_keeps_its_types_but_caps_every_message));
    }

    [Theory]
    [InlineData("""{"price":{"amount":"NaN","currency":"USD","unit":"t"}}""", "price.amount")]
    [InlineData("""{"price":{"amount":"1e308","currency":"USD","unit":"t"}}""", "price.amount")]
    [InlineData("""{"price":{"amount":1e308,"currency":"USD","unit":"t"}}""", "price.amount")]
    [InlineData("""{"quantity":{"value":"9999999999999999999999999999999999999999","unit":"t"}}""", "quantity.value")]
    [InlineData("""{"certificates":["SGS",null]}""", "certificates[1]")]
    [InlineData("""{"title":{"en":"wheat\u0000"}}""", "title.en")]
    [InlineData("""{"namedPlace":"Khorgos\u202E"}""", "namedPlace")]
    [InlineData("""{"specs":{"grade":"A\u0000"}}""", "specs.grade")]
    public void Refused_json_values_name_their_field(string json, string field)
    {
        var read = () => JsonSerializer.Deserialize<ListingRequest>(json, Json);

        MarketJson.FieldOf(read.Should().Throw<JsonException>().Which).Should().Be(field);
    }

    [Fact]
    public void Decimals_still_read_from_strings_and_numbers()
    {
        var request = JsonSerializer.Deserialize<ListingRequest>("""{"price":{"amount":"245.50","currency":"USD","unit":"t"},"quantity":{"value":12.345,"unit":"t"}}""", Json)!;

        request.Price!.Amount.Should().Be(245.50m);
        request.Quantity!.Value.Should().Be(12.345m);
    }
}
