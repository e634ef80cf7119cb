using System.Text.Json;
using FluentAssertions;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.UnitTests;

public class OfferRulesTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    static readonly Category Wheat = TaxonomyFile.Categories.Single(c => c.Key == "wheat");

    static Listing RailListing() => new()
    {
        HsCode = "100199", OriginCountry = "KZ", Quantity = 5000m, QuantityUnit = "t", MinOrder = 500m, MinOrderUnit = "t", PriceAmount = 245.5m,
        PriceCurrency = "USD", PriceUnit = "t", NormalizedUnit = "t", Incoterm = "DAP", NamedPlace = "Khorgos", DeliveryMode = DeliveryMode.Rail,
    };

    static OfferTermsInput Terms(decimal tonnes = 1000m, string incoterm = "DAP", decimal protein = 12.5m) => new(
        new PriceInput(238m, "USD", "t"), new QuantityInput(tonnes, "t"), 5m, incoterm, "Khorgos", null,
        new DeliveryWindowInput(new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 31)), "lc_sight", "SGS",
        new Dictionary<string, JsonElement> { ["protein"] = JsonSerializer.SerializeToElement(protein) }, null, Now.AddDays(2), null);

    [Fact]
    public void A_valid_term_sheet_keeps_the_listing_delivery_mode_and_normalizes_values()
    {
        var errors = new ValidationErrors();

        var sheet = OfferRules.Read(Terms(), ListingTerms.Of(RailListing(), Wheat), Side.Buyer, Now, errors);

        errors.IsValid.Should().BeTrue();
        sheet!.DeliveryMode.Should().Be("rail");
        sheet.Specs.Should().ContainKey("protein").WhoseValue.Should().Be("12.5");
        sheet.Quantity.Should().Be(new Quantity(1000m, "t"));
    }

    [Theory]
    [InlineData(100, "DAP", 12.5, "quantity.value")] // a buyer below the seller's minimum order
    [InlineData(6000, "DAP", 12.5, "quantity.value")] // more than the listing offers
    [InlineData(1000, "CIF", 12.5, "incoterm")] // sea-only term for rail
    [InlineData(1000, "DAP", 25, "specs.protein")]
    public void Bad_terms_name_the_field(decimal tonnes, string incoterm, decimal protein, string field)
    {
        var errors = new ValidationErrors();

        OfferRules.Read(Terms(tonnes, incoterm, protein), ListingTerms.Of(RailListing(), Wheat), Side.Buyer, Now, errors).Should().BeNull();

        errors.ToDictionary().Should().ContainKey(field);
    }

    [Fact]
    public void The_minimum_order_binds_buyers_not_the_seller_itself()
    {
        var errors = new ValidationErrors();

        OfferRules.Read(Terms(tonnes: 100m), ListingTerms.Of(RailListing(), Wheat), Side.Seller, Now, errors).Should().NotBeNull();
    }

    [Fact]
    public void A_counter_lists_exactly_the_fields_it_changed()
    {
        var errors = new ValidationErrors();
        var offer = OfferRules.Read(Terms(), ListingTerms.Of(RailListing(), Wheat), Side.Buyer, Now, errors)!;
        var counter = offer with { Price = new UnitPrice(241.5m, "USD", "t"), TolerancePercent = 10m, Specs = new SpecValues(new Dictionary<string, string> { ["protein"] = "13" }) };

        counter.ChangesFrom(offer).Should().BeEquivalentTo(new[]
        {
            new TermChange("price", "238 USD/t", "241.5 USD/t"),
            new TermChange("tolerancePercent", "5", "10"),
            new TermChange("specs.protein", "12.5", "13"),
        }, o => o.WithStrictOrdering());
    }
}
