using FluentAssertions;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.UnitTests;

public class DealChecklistTests
{
    static TermSheet Terms(string incoterm = "DAP", string mode = "rail", string payment = "tt_advance", string? inspection = "SGS") => new(
        new UnitPrice(240m, "USD", "t"), new Quantity(500m, "t"), 5m, incoterm, "Khorgos", mode,
        new DeliveryWindow(new DateOnly(2027, 1, 10), new DateOnly(2027, 2, 10)), payment, inspection, new(), null);

    static IEnumerable<string> Kinds(TermSheet terms, string? hs) => DealChecklist.For(terms, hs).Select(d => d.Kind);

    [Fact]
    public void Wheat_by_rail_on_TT_needs_the_basic_set_a_phytosanitary_certificate_and_a_rail_waybill()
    {
        Kinds(Terms(), "100199").Should().Equal("commercial_invoice", "packing_list", "certificate_of_origin", "quality_certificate",
            "phytosanitary_certificate", "rail_waybill");
        DealChecklist.For(Terms(), "100199").Single(d => d.Kind == "quality_certificate").Issuer.Should().Be("SGS");
    }

    [Fact]
    public void Sunflower_oil_is_no_plant_product_for_the_phytosanitary_rule()
    {
        Kinds(Terms(), "151211").Should().NotContain("phytosanitary_certificate");
        DealChecklist.IsPlantProduct("060290").Should().BeTrue();
        DealChecklist.IsPlantProduct("140490").Should().BeTrue();
        DealChecklist.IsPlantProduct(null).Should().BeFalse();
    }

    [Theory]
    [InlineData("CIF", "sea", "bill_of_lading", true)]
    [InlineData("CIP", "road", "road_consignment_note", true)]
    [InlineData("FOB", "inland_waterway", "bill_of_lading", false)]
    [InlineData("CPT", "multimodal", "bill_of_lading", false)]
    public void The_transport_document_follows_the_mode_and_insurance_the_incoterm(string incoterm, string mode, string transport, bool insured)
    {
        var kinds = Kinds(Terms(incoterm, mode), "100199").ToList();
        kinds.Should().Contain(transport);
        kinds.Where(DealChecklist.TransportDocuments.Contains).Should().ContainSingle();
        kinds.Contains("insurance_certificate").Should().Be(insured);
    }

    [Theory]
    [InlineData("lc_sight", new[] { "bill_of_exchange", "beneficiary_certificate" })]
    [InlineData("lc_deferred", new[] { "bill_of_exchange", "beneficiary_certificate" })]
    [InlineData("dp", new[] { "bill_of_exchange" })]
    [InlineData("cad", new string[0])]
    public void Documentary_payment_terms_add_their_documents(string payment, string[] extra)
    {
        var kinds = Kinds(Terms(payment: payment), "100199").ToList();
        kinds.Where(k => k is "bill_of_exchange" or "beneficiary_certificate").Should().BeEquivalentTo(extra);
        kinds.Should().OnlyContain(k => DealChecklist.AllKinds.Contains(k));
    }

    [Fact]
    public void The_transition_table_lets_cancel_before_shipment_and_dispute_only_after_the_deposit()
    {
        DealTransitions.AllowedFor(DealStatus.Agreed, DealParty.Buyer | DealParty.Seller).Select(t => t.Action).Should().Equal("cancel");
        DealTransitions.AllowedFor(DealStatus.DepositPaid, DealParty.Seller).Select(t => t.Action).Should().BeEquivalentTo("ship", "cancel", "dispute");
        DealTransitions.AllowedFor(DealStatus.Shipped, DealParty.Buyer).Select(t => t.Action).Should().BeEquivalentTo("deliver", "dispute");
        DealTransitions.AllowedFor(DealStatus.Disputed, DealParty.Buyer | DealParty.Seller).Should().BeEmpty();
        DealTransitions.AllowedFor(DealStatus.Disputed, DealParty.Admin).Select(t => t.To).Should().BeEquivalentTo([DealStatus.Completed, DealStatus.Cancelled]);
        foreach (var final in new[] { DealStatus.Completed, DealStatus.Cancelled })
        {
            DealTransitions.All.Should().NotContain(t => t.From == final);
        }
    }

    [Fact]
    public void A_dispute_resumes_only_where_it_was_opened_and_cancelling_it_counts_as_before_shipment_only_from_deposit_paid()
    {
        DealTransitions.AllowedFor(DealStatus.Disputed, DealParty.Admin, DealStatus.DepositPaid).Select(t => t.To)
            .Should().BeEquivalentTo([DealStatus.Completed, DealStatus.Cancelled, DealStatus.DepositPaid]);
        DealTransitions.AllowedFor(DealStatus.Disputed, DealParty.Admin, DealStatus.Delivered).Select(t => t.To)
            .Should().BeEquivalentTo([DealStatus.Completed, DealStatus.Cancelled, DealStatus.Delivered]);
        DealTransitions.IsCancelledBeforeShipment(DealStatus.DepositPending, null).Should().BeTrue();
        DealTransitions.IsCancelledBeforeShipment(DealStatus.Disputed, DealStatus.DepositPaid).Should().BeTrue();
        DealTransitions.IsCancelledBeforeShipment(DealStatus.Disputed, DealStatus.Shipped).Should().BeFalse();
        DealTransitions.IsCancelledBeforeShipment(DealStatus.Disputed, null).Should().BeFalse();
    }
}
