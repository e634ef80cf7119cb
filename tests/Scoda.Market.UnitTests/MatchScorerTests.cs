using FluentAssertions;
using Scoda.Market.Search;
using Scoda.Market.Web.Features.BuyRequests;
using Scoda.Market.Web.Features.Listings;

namespace Scoda.Market.UnitTests;

public class MatchScorerTests
{
    static readonly Dictionary<string, string?> Units = new() { ["protein"] = "%", ["testWeight"] = "kg/hl" };

    static BuyRequest Request(decimal? targetUsd = 230m) => new()
    {
        QuantityUnit = "t", Quantity = 2000m, TargetCurrency = "USD", TargetUnit = "t", TargetAmount = 230m, TargetUsd = targetUsd,
        Incoterm = "DAP", NamedPlace = "Khorgos", OriginCountries = new TextList(),
        SpecRanges = new SpecRanges(new Dictionary<string, SpecRange> { ["protein"] = new(12m, 14m, null), ["testWeight"] = new(74m, null, null) }),
    };

    static ListingDocument Listing(decimal protein = 12.5m, decimal price = 245.5m, string incoterm = "DAP", string place = "Khorgos", decimal available = 5000m) => new()
    {
        Id = Guid.NewGuid(), SellerId = Guid.NewGuid(), SellerName = "Kostanay Grain", SellerVerified = true, CategoryPath = ["agriculture", "grains", "wheat"],
        CategoryNames = ["Wheat"], HsCode = "100199", Title = new Dictionary<string, string> { ["en"] = "Wheat" }, Description = new Dictionary<string, string>(),
        OriginCountry = "KZ", Incoterm = incoterm, NamedPlace = place, WarehouseCountries = [], Certificates = [], PriceUsd = price, PriceCny = price * 7.12m,
        BasisUnit = "t", PriceAmount = price, PriceCurrency = "USD", PriceUnit = "t", Quantity = 5000m, QuantityUnit = "t", Available = available,
        NumericSpecs = new Dictionary<string, decimal> { ["protein"] = protein }, TextSpecs = new Dictionary<string, string>(), PublishedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void Reasons_read_as_a_trader_would_say_them()
    {
        var verdict = MatchScorer.Score(Request(), Listing(), Units);

        verdict.Qualifies.Should().BeTrue();
        verdict.Reasons.Select(r => r.Text).Should().Contain(["spec protein 12.5% within 12–14", "spec testWeight not stated", "DAP Khorgos matches", "price 7% above target", "covers the full 2000 t", "verified seller"]);
    }

    [Fact]
    public void Each_reason_carries_a_code_and_the_params_a_client_renders_it_from()
    {
        var reasons = MatchScorer.Score(Request(), Listing(), Units).Reasons;

        reasons.Select(r => r.Code).Should().Contain(["spec_within", "spec_not_stated", "place_matches", "price_above", "covers_full", "verified_seller"]);
        reasons.Single(r => r.Code == "spec_within").Params.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["key"] = "protein", ["value"] = "12.5", ["unit"] = "%", ["min"] = "12", ["max"] = "14",
        });
        reasons.Single(r => r.Code == "price_above").Params["percent"].Should().Be("7");
        reasons.Single(r => r.Code == "covers_full").Params.Should().Contain("quantity", "2000").And.Contain("unit", "t");
    }

    [Fact]
    public void A_stated_spec_outside_the_range_disqualifies() =>
        MatchScorer.Score(Request(), Listing(protein: 14.1m), Units).Should().Match<MatchVerdict>(v => !v.Qualifies && v.Reasons[0].Text == "spec protein 14.1% outside 12–14" && v.Reasons[0].Code == "spec_outside");

    [Fact]
    public void Cheaper_closer_and_fuller_offers_score_higher()
    {
        var best = MatchScorer.Score(Request(), Listing(price: 225m), Units).Score;
        var dearer = MatchScorer.Score(Request(), Listing(price: 280m), Units).Score;
        var elsewhere = MatchScorer.Score(Request(), Listing(price: 225m, place: "Alashankou"), Units).Score;
        var otherTerm = MatchScorer.Score(Request(), Listing(price: 225m, incoterm: "FCA", place: "Kostanay"), Units).Score;
        var partial = MatchScorer.Score(Request(), Listing(price: 225m, available: 500m), Units).Score;

        best.Should().BeGreaterThan(dearer).And.BeGreaterThan(elsewhere).And.BeGreaterThan(partial);
        elsewhere.Should().BeGreaterThan(otherTerm);
        best.Should().BeLessThanOrEqualTo(100);
    }

    [Fact]
    public void Without_a_comparable_target_the_price_is_said_so() =>
        MatchScorer.Score(Request(targetUsd: null), Listing(), Units).Reasons.Select(r => r.Code).Should().Contain("price_not_comparable");
}
