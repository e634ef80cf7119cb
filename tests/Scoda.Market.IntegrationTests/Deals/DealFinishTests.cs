using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.IntegrationTests.Payments;
using Scoda.Market.Web.Features.Deals;
using UglyToad.PdfPig;
using Scoda.Market.Web.Infrastructure.Pdf;

namespace Scoda.Market.IntegrationTests.Deals;

/// <summary>
/// Issue 13's last gaps on the deal side: each event's actor side (API and /hubs/deals), a dispute resolved as cancelled
/// releasing the stock and refunding, or resumed where it was opened, and the parties' Russian and Chinese legal names
/// in the contract.
/// </summary>
public abstract class DealFinishTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A deal whose buyer paid the deposit by bank transfer and a platform admin confirmed it.</summary>
    async Task<(AgreedTrade Deal, TestUser Admin, Guid DepositId)> PaidOfflineAsync()
    {
        var deal = await AgreedTrade.CreateAsync(App);
        var deposit = await deal.Buyer.PayDepositAsync(deal.DealId);
        var admin = await App.AdminAsync();
        var depositId = deposit.GetProperty("paymentId").GetGuid();
        (await admin.ConfirmAsync(depositId, 12_000m)).StatusCode.Should().Be(HttpStatusCode.OK);
        return (deal, admin, depositId);
    }

    [Fact]
    public async Task Each_event_names_the_side_its_actor_acted_for_in_the_log_and_the_live_push()
    {
        var deal = await AgreedTrade.CreateAsync(App);
        await using var hub = await App.ConnectHubAsync("/hubs/deals", deal.Buyer);
        var missed = await hub.InvokeAsync("JoinDeal", deal.DealId, 0);
        missed.EnumerateArray().Single().GetProperty("actorSide").GetString().Should().Be("buyer", "the buyer accepted the seller's offer");

        var deposit = await deal.Buyer.PayDepositAsync(deal.DealId);
        var requested = await hub.NextAsync("DealEvent");
        requested.GetProperty("to").GetString().Should().Be("depositPending");
        requested.GetProperty("actorSide").GetString().Should().Be("buyer");

        var admin = await App.AdminAsync();
        (await admin.ConfirmAsync(deposit.GetProperty("paymentId").GetGuid(), 12_000m)).StatusCode.Should().Be(HttpStatusCode.OK);
        var confirmed = await hub.NextAsync("DealEvent");
        confirmed.GetProperty("to").GetString().Should().Be("depositPaid");
        confirmed.GetProperty("actorSide").GetString().Should().Be("admin");
        confirmed.GetProperty("actorUserId").GetGuid().Should().Be(admin.Id);

        (await deal.UploadAsync(DealChecklist.CommercialInvoice)).StatusCode.Should().Be(HttpStatusCode.Created);
        var uploaded = await hub.NextAsync("DealEvent");
        uploaded.GetProperty("kind").GetString().Should().Be("document_uploaded");
        uploaded.GetProperty("actorSide").GetString().Should().Be("seller");

        var other = await AgreedTrade.CreateAsync(App);
        await other.AdvanceBySystemAsync(DealStatus.DepositPaid);

        var log = (await deal.DealAsync(deal.Seller)).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("actorSide").GetString());
        log.Should().Equal("buyer", "buyer", "admin", "seller");
        (await other.DealAsync()).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("actorSide").GetString())
            .Should().Equal("buyer", "system");
    }

    [Fact]
    public async Task A_dispute_opened_before_shipment_and_resolved_as_cancelled_releases_the_stock_and_refunds_the_deposit()
    {
        var (deal, admin, depositId) = await PaidOfflineAsync();
        (await deal.Trade.ReservedAsync()).Should().Be(500m);
        (await deal.PostAsync("dispute", new { reason = "Protein 10.9 % on the pre-shipment sample" }, deal.Seller)).StatusCode.Should().Be(HttpStatusCode.OK);

        (await deal.PostAsync("resolve", new { outcome = "cancelled", reason = "Agreed refund" }, deal.Buyer)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await deal.PostAsync("resolve", new { outcome = "resumed" }, admin)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await deal.Trade.ReservedAsync()).Should().Be(500m, "refused requests change nothing");
        var resolved = await deal.PostAsync("resolve", new { outcome = "cancelled", reason = "The sample fails the contract: refund" }, admin);
        resolved.StatusCode.Should().Be(HttpStatusCode.OK, await resolved.Content.ReadAsStringAsync(Ct));
        (await resolved.ReadJsonAsync()).GetProperty("actorSide").GetString().Should().Be("admin");

        var cancelled = await deal.DealAsync();
        cancelled.GetProperty("status").GetString().Should().Be("cancelled");
        cancelled.GetProperty("reservation").GetProperty("status").GetString().Should().Be("released");
        (await deal.Trade.ReservedAsync()).Should().Be(0m);
        var payments = await deal.Buyer.PaymentsOfAsync(deal.DealId);
        var refund = payments.GetProperty("payments").EnumerateArray().Single(p => p.GetProperty("kind").GetString() == "refund");
        refund.GetProperty("amount").GetProperty("amount").GetDecimal().Should().Be(12_000m);
        refund.GetProperty("status").GetString().Should().Be("pending", "an offline refund waits for the admin to record the transfer");
        (await admin.ConfirmAsync(refund.GetProperty("paymentId").GetGuid(), 12_000m)).StatusCode.Should().Be(HttpStatusCode.OK);
        var ledger = (await deal.Buyer.PaymentsOfAsync(deal.DealId)).GetProperty("ledger");
        ledger.GetProperty("refunded").GetDecimal().Should().Be(12_000m);
        ledger.GetProperty("held").GetDecimal().Should().Be(0m);
        ledger.GetProperty("balanced").GetBoolean().Should().BeTrue();
        depositId.Should().NotBeEmpty();
    }

    [Fact]
    public async Task A_dispute_resumed_goes_back_where_it_was_opened_and_keeps_the_stock_and_the_deposit()
    {
        var (deal, admin, _) = await PaidOfflineAsync();
        (await (await deal.PostAsync("resolve", new { outcome = "resumed", reason = "Nothing to resolve" }, admin)).ShouldBeProblemAsync(HttpStatusCode.Conflict))
            .GetProperty("dealStatus").GetString().Should().Be("depositPaid");
        (await deal.PostAsync("dispute", new { reason = "Loading delayed by two weeks" })).StatusCode.Should().Be(HttpStatusCode.OK);

        var disputed = await deal.DealAsync(admin);
        disputed.GetProperty("allowedTransitions").EnumerateArray().Select(t => t.GetProperty("to").GetString())
            .Should().BeEquivalentTo("completed", "cancelled", "depositPaid");
        var resumed = await deal.PostAsync("resolve", new { outcome = "resumed", reason = "The seller confirmed a new loading date" }, admin);
        resumed.StatusCode.Should().Be(HttpStatusCode.OK, await resumed.Content.ReadAsStringAsync(Ct));

        var back = await deal.DealAsync();
        back.GetProperty("status").GetString().Should().Be("depositPaid");
        back.GetProperty("reservation").GetProperty("status").GetString().Should().Be("active");
        (await deal.Trade.ReservedAsync()).Should().Be(500m);
        (await deal.Buyer.PaymentsOfAsync(deal.DealId)).GetProperty("payments").EnumerateArray()
            .Should().NotContain(p => p.GetProperty("kind").GetString() == "refund");
        var last = back.GetProperty("events").EnumerateArray().Last();
        (last.GetProperty("from").GetString(), last.GetProperty("to").GetString(), last.GetProperty("actorSide").GetString())
            .Should().Be(("disputed", "depositPaid", "admin"));

        // The deal goes on from there: the seller ships.
        (await deal.UploadAsync(DealChecklist.RailWaybill)).StatusCode.Should().Be(HttpStatusCode.Created);
        (await deal.PostAsync("ship", by: deal.Seller)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_dispute_opened_after_shipment_resolved_as_cancelled_leaves_the_shipment_and_the_deposit()
    {
        var (deal, admin, _) = await PaidOfflineAsync();
        (await deal.UploadAsync(DealChecklist.RailWaybill)).StatusCode.Should().Be(HttpStatusCode.Created);
        (await deal.PostAsync("ship", by: deal.Seller)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await deal.PostAsync("dispute", new { reason = "Wagons arrived short" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await deal.DealAsync(admin)).GetProperty("allowedTransitions").EnumerateArray().Select(t => t.GetProperty("to").GetString())
            .Should().BeEquivalentTo("completed", "cancelled", "shipped");

        (await deal.PostAsync("resolve", new { outcome = "cancelled", reason = "Settled outside the platform" }, admin)).StatusCode.Should().Be(HttpStatusCode.OK);

        (await deal.DealAsync()).GetProperty("reservation").GetProperty("status").GetString().Should().Be("shipped");
        (await deal.Buyer.PaymentsOfAsync(deal.DealId)).GetProperty("payments").EnumerateArray()
            .Should().NotContain(p => p.GetProperty("kind").GetString() == "refund", "the goods left: no automatic refund");
    }

    [Fact]
    public async Task A_dispute_opened_after_shipment_and_resumed_goes_back_to_shipped_without_shipping_again()
    {
        var (deal, admin, _) = await PaidOfflineAsync();
        (await deal.UploadAsync(DealChecklist.RailWaybill)).StatusCode.Should().Be(HttpStatusCode.Created);
        (await deal.PostAsync("ship", by: deal.Seller)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await deal.PostAsync("dispute", new { reason = "Wagon 4417 missing" })).StatusCode.Should().Be(HttpStatusCode.OK);

        (await deal.PostAsync("resolve", new { outcome = "resumed", reason = "Wagon 4417 found at Dostyk" }, admin)).StatusCode.Should().Be(HttpStatusCode.OK);

        var back = await deal.DealAsync();
        back.GetProperty("status").GetString().Should().Be("shipped");
        back.GetProperty("reservation").GetProperty("status").GetString().Should().Be("shipped");
        back.GetProperty("allowedTransitions").EnumerateArray().Select(t => t.GetProperty("action").GetString()).Should().BeEquivalentTo("deliver", "dispute");
        (await deal.PostAsync("deliver")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_reconciliation_endpoint_is_for_admins_and_says_when_stripe_is_not_configured()
    {
        var admin = await App.AdminAsync();
        var user = await App.SignUpAsync();

        var report = await admin.Client.GetAsync("/api/admin/payments/reconciliation", Ct);
        report.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await report.ReadJsonAsync();
        body.GetProperty("stripeConfigured").GetBoolean().Should().BeFalse();
        body.GetProperty("mismatches").GetArrayLength().Should().Be(0);
        (await user.Client.GetAsync("/api/admin/payments/reconciliation", Ct)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Owners_set_russian_and_chinese_legal_names_that_the_contract_prints_under_the_english_name()
    {
        var deal = await AgreedTrade.CreateAsync(App);
        var sellerId = deal.Trade.Seller.OrganizationId;
        var current = await (await deal.Seller.Client.GetAsync($"/api/organizations/{sellerId}", Ct)).ReadJsonAsync();
        object Body(string? ru, string? zh) => new
        {
            name = current.GetProperty("name").GetString(), countryCode = current.GetProperty("countryCode").GetString(),
            kind = current.GetProperty("kind").GetString(), registrationNumber = current.GetProperty("registrationNumber").GetString(),
            legalNameRu = ru, legalNameZh = zh,
        };
        const string Russian = "ТОО «Костанайский зерновой терминал»";
        const string Chinese = "科斯塔奈粮食码头有限责任公司";

        (await (await deal.Seller.Client.PutAsJsonAsync($"/api/organizations/{sellerId}", Body(new string('я', 201), Chinese), Ct)).ShouldBeValidationProblemAsync())
            .Should().ContainKey("legalNameRu");
        (await deal.Buyer.Client.PutAsJsonAsync($"/api/organizations/{sellerId}", Body("Чужое", "别人的"), Ct)).StatusCode
            .Should().BeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.NotFound);
        var saved = await deal.Seller.Client.PutAsJsonAsync($"/api/organizations/{sellerId}", Body($"  {Russian} ", Chinese), Ct);
        saved.StatusCode.Should().Be(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync(Ct));
        var organization = await saved.ReadJsonAsync();
        organization.GetProperty("legalNameRu").GetString().Should().Be(Russian);
        organization.GetProperty("legalNameZh").GetString().Should().Be(Chinese);

        var pdf = await deal.Buyer.Client.GetAsync($"/api/deals/{deal.DealId}/contract", Ct);
        pdf.StatusCode.Should().Be(HttpStatusCode.OK);
        using var document = PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync(Ct));
        var text = string.Join("\n", document.GetPages().Select(p => p.Text)).Replace(" ", "", StringComparison.Ordinal);
        text.Should().Contain(Russian.Replace(" ", "", StringComparison.Ordinal), "Cyrillic names embed through DejaVu Sans");
        if (PdfFonts.Install().HasCjk)
        {
            text.Should().Contain(Chinese, "Chinese names embed through Noto Sans CJK SC");
        }
        text.IndexOf(Russian.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal)
            .Should().BeGreaterThan(text.IndexOf("registrationNo.", StringComparison.Ordinal), "the localized names follow the English party line");

        // A PUT without them clears them.
        var cleared = await (await deal.Seller.Client.PutAsJsonAsync($"/api/organizations/{sellerId}", Body(null, "   "), Ct)).ReadJsonAsync();
        cleared.GetProperty("legalNameRu").ValueKind.Should().Be(JsonValueKind.Null);
        cleared.GetProperty("legalNameZh").ValueKind.Should().Be(JsonValueKind.Null);
    }
}

public sealed class DealFinishTests_Sqlite(SqliteApp fixture) : DealFinishTests<SqliteApp>(fixture), IClassFixture<SqliteApp>;

public sealed class DealFinishTests_Postgres(PostgresApp fixture) : DealFinishTests<PostgresApp>(fixture), IClassFixture<PostgresApp>;
