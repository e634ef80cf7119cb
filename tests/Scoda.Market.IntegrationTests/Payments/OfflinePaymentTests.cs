using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Deals;

namespace Scoda.Market.IntegrationTests.Payments;

/// <summary>The Offline provider (the default): bank instructions, idempotent deposits, admin confirmation, L/C, ledger, outsiders.</summary>
public abstract class OfflinePaymentTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static string InDays(int days) => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_deposit_gives_bank_instructions_and_an_admin_confirmation_makes_the_deal_deposit_paid()
    {
        var agreed = await App.DealAsync();

        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);

        deposit.GetProperty("provider").GetString().Should().Be("offline");
        deposit.GetProperty("status").GetString().Should().Be("pending");
        deposit.GetProperty("amount").GetProperty("amount").GetDecimal().Should().Be(12_000m);
        var instructions = deposit.GetProperty("bankInstructions");
        instructions.GetProperty("iban").GetString().Should().NotBeNullOrEmpty();
        instructions.GetProperty("reference").GetString().Should().MatchRegex("^SCM-[0-9A-Z]{4}-[0-9A-Z]{4}$")
            .And.Be(deposit.GetProperty("reference").GetString());
        (await App.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPending);

        var admin = await App.AdminAsync();
        var confirmed = await admin.ConfirmAsync(deposit.GetProperty("paymentId").GetGuid(), 12_000m);

        confirmed.StatusCode.Should().Be(HttpStatusCode.OK, await confirmed.Content.ReadAsStringAsync(Ct));
        (await App.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPaid);
        var payments = await agreed.Seller.PaymentsOfAsync(agreed.DealId);
        var ledger = payments.GetProperty("ledger");
        ledger.GetProperty("expected").GetDecimal().Should().Be(120_000m);
        ledger.GetProperty("captured").GetDecimal().Should().Be(12_000m);
        ledger.GetProperty("held").GetDecimal().Should().Be(12_000m);
        ledger.GetProperty("balanced").GetBoolean().Should().BeTrue();
        payments.GetProperty("payments")[0].GetProperty("bankReference").GetString().Should().Be("MT103-REF-1");
        (await admin.ConfirmAsync(deposit.GetProperty("paymentId").GetGuid(), 12_000m)).StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_same_key_and_body_return_the_first_deposit_and_a_new_key_while_one_is_pending_is_a_conflict()
    {
        var agreed = await App.DealAsync();
        var body = new { amount = 12_000m, currency = "USD" };

        var first = await agreed.Buyer.PostDepositAsync(agreed.DealId, body, "key-1");
        var again = await agreed.Buyer.PostDepositAsync(agreed.DealId, body, "key-1");
        var otherBody = await agreed.Buyer.PostDepositAsync(agreed.DealId, new { amount = 12_000.00m, currency = "usd" }, "key-1");
        var newKey = await agreed.Buyer.PostDepositAsync(agreed.DealId, body, "key-2");

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        (await again.ReadJsonAsync()).GetProperty("paymentId").GetGuid().Should().Be((await first.ReadJsonAsync()).GetProperty("paymentId").GetGuid());
        otherBody.StatusCode.Should().Be(HttpStatusCode.OK, "the same amount and currency is the same request");
        (await newKey.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("detail").GetString().Should().Contain("already pending");
        (await agreed.Buyer.PaymentsOfAsync(agreed.DealId)).GetProperty("payments").GetArrayLength().Should().Be(1);
    }

    [Fact]
    public async Task Concurrent_deposits_with_different_keys_make_one_payment()
    {
        var agreed = await App.DealAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => agreed.Buyer.PostDepositAsync(agreed.DealId, new { amount = 12_000m })));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).Should().Be(1);
        responses.Where(r => r.StatusCode != HttpStatusCode.Created).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.Conflict);
        (await agreed.Buyer.PaymentsOfAsync(agreed.DealId)).GetProperty("payments").GetArrayLength().Should().Be(1);
    }

    [Fact]
    public async Task Wrong_amounts_missing_keys_and_the_wrong_party_are_refused_and_change_nothing()
    {
        var agreed = await App.DealAsync();

        (await (await agreed.Buyer.PostDepositAsync(agreed.DealId, new { amount = 11_999.99m })).ShouldBeValidationProblemAsync()).Should().ContainKey("amount");
        (await (await agreed.Buyer.PostDepositAsync(agreed.DealId, new { amount = 12_000m, currency = "EUR" })).ShouldBeValidationProblemAsync()).Should().ContainKey("currency");
        (await (await agreed.Buyer.PostDepositAsync(agreed.DealId, new { amount = 12_000m }, key: null)).ShouldBeValidationProblemAsync()).Should().ContainKey("Idempotency-Key");
        await (await agreed.Seller.PostDepositAsync(agreed.DealId, new { amount = 12_000m })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        var outsider = await App.SignUpAsync();
        await (await outsider.PostDepositAsync(agreed.DealId, new { amount = 12_000m })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await agreed.Buyer.PostDepositAsync(Guid.NewGuid(), new { amount = 12_000m })).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await agreed.Buyer.PaymentsOfAsync(agreed.DealId)).GetProperty("payments").GetArrayLength().Should().Be(0);
        (await App.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.Agreed);
    }

    [Fact]
    public async Task Another_organization_cannot_read_a_deals_payments_or_a_payment()
    {
        var agreed = await App.DealAsync();
        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        var other = await App.DealAsync();

        await (await other.Buyer.Client.GetAsync($"/api/deals/{agreed.DealId}/payments", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await other.Seller.Client.GetAsync($"/api/payments/{deposit.GetProperty("paymentId").GetGuid()}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await other.Buyer.ConfirmAsync(deposit.GetProperty("paymentId").GetGuid(), 12_000m)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await (await agreed.Seller.Client.GetAsync($"/api/payments/{deposit.GetProperty("paymentId").GetGuid()}", Ct)).ReadJsonAsync())
            .GetProperty("status").GetString().Should().Be("pending");
    }

    [Fact]
    public async Task An_admin_confirmation_must_match_the_amount_and_name_the_bank_reference()
    {
        var agreed = await App.DealAsync();
        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        var admin = await App.AdminAsync();
        var id = deposit.GetProperty("paymentId").GetGuid();

        (await (await admin.ConfirmAsync(id, 10_000m)).ShouldBeValidationProblemAsync()).Should().ContainKey("amount");
        (await (await admin.ConfirmAsync(id, 12_000m, " ")).ShouldBeValidationProblemAsync()).Should().ContainKey("bankReference");
        (await (await admin.Client.PostAsJsonAsync($"/api/admin/payments/{id}/confirm", new { amount = 12_000m, bankReference = "X", valueDate = "2099-01-01" }, Ct))
            .ShouldBeValidationProblemAsync()).Should().ContainKey("valueDate");
        await (await admin.ConfirmAsync(Guid.NewGuid(), 1m)).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        (await App.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPending);
    }

    [Fact]
    public async Task A_letter_of_credit_and_the_balance_against_documents_are_recorded_and_confirmed_the_same_way()
    {
        var agreed = await App.DealAsync();
        var admin = await App.AdminAsync();
        var lc = new HttpRequestMessage(HttpMethod.Post, $"/api/deals/{agreed.DealId}/letters-of-credit")
        {
            Content = JsonContent.Create(new { issuingBank = "Bank of Qingdao", number = "LC-2026-0042", expiresAt = InDays(90), amount = 108_000m }),
        };
        lc.Headers.Add("Idempotency-Key", "lc-1");

        var recorded = await agreed.Buyer.Client.SendAsync(lc, Ct);

        recorded.StatusCode.Should().Be(HttpStatusCode.Created, await recorded.Content.ReadAsStringAsync(Ct));
        var letter = await recorded.ReadJsonAsync();
        letter.GetProperty("kind").GetString().Should().Be("letterOfCredit");
        letter.GetProperty("instrumentNumber").GetString().Should().Be("LC-2026-0042");
        var reused = new HttpRequestMessage(HttpMethod.Post, $"/api/deals/{agreed.DealId}/letters-of-credit")
        {
            Content = JsonContent.Create(new { issuingBank = "Bank of Qingdao", number = "LC-OTHER", expiresAt = InDays(90), amount = 108_000m }),
        };
        reused.Headers.Add("Idempotency-Key", "lc-1");
        (await (await agreed.Buyer.Client.SendAsync(reused, Ct)).ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("detail").GetString().Should().Contain("different");
        (await admin.ConfirmAsync(letter.GetProperty("paymentId").GetGuid(), 108_000m, "MT700-1")).StatusCode.Should().Be(HttpStatusCode.OK);

        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        (await admin.ConfirmAsync(deposit.GetProperty("paymentId").GetGuid(), 12_000m)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.AdvanceAsync(agreed.DealId, DealStatus.Shipped);
        var balance = new HttpRequestMessage(HttpMethod.Post, $"/api/deals/{agreed.DealId}/balance") { Content = JsonContent.Create(new { amount = 108_000m }) };
        balance.Headers.Add("Idempotency-Key", "balance-1");
        var paid = await (await agreed.Buyer.Client.SendAsync(balance, Ct)).ReadJsonAsync();
        (await admin.ConfirmAsync(paid.GetProperty("paymentId").GetGuid(), 108_000m, "MT103-BAL")).StatusCode.Should().Be(HttpStatusCode.OK);

        var ledger = (await agreed.Buyer.PaymentsOfAsync(agreed.DealId)).GetProperty("ledger");
        ledger.GetProperty("captured").GetDecimal().Should().Be(120_000m);
        ledger.GetProperty("authorized").GetDecimal().Should().Be(228_000m, "the confirmed L/C secures the amount on top of the money received");
        ledger.GetProperty("balanced").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Bad_instrument_fields_are_named()
    {
        var agreed = await App.DealAsync();
        var lc = new HttpRequestMessage(HttpMethod.Post, $"/api/deals/{agreed.DealId}/letters-of-credit")
        {
            Content = JsonContent.Create(new { issuingBank = "", number = new string('9', 101), expiresAt = "2020-01-01", amount = 1_000_000m }),
        };
        lc.Headers.Add("Idempotency-Key", "lc-bad");

        var errors = await (await agreed.Buyer.Client.SendAsync(lc, Ct)).ShouldBeValidationProblemAsync();

        errors.Keys.Should().Contain(["issuingBank", "number", "expiresAt", "amount"]);
    }

    [Fact]
    public async Task Cancelling_a_paid_deal_before_shipment_stages_an_offline_refund_and_completing_one_an_offline_payout()
    {
        var admin = await App.AdminAsync();
        var cancelled = await App.DealAsync();
        var deposit = await cancelled.Buyer.PayDepositAsync(cancelled.DealId);
        await admin.ConfirmAsync(deposit.GetProperty("paymentId").GetGuid(), 12_000m);

        await App.AdvanceAsync(cancelled.DealId, DealStatus.Cancelled);

        var refund = (await cancelled.Buyer.PaymentsOfAsync(cancelled.DealId)).GetProperty("payments").EnumerateArray().Single(p => p.GetProperty("kind").GetString() == "refund");
        refund.GetProperty("status").GetString().Should().Be("pending");
        refund.GetProperty("amount").GetProperty("amount").GetDecimal().Should().Be(12_000m);
        (await admin.ConfirmAsync(refund.GetProperty("paymentId").GetGuid(), 12_000m, "MT103-REFUND")).StatusCode.Should().Be(HttpStatusCode.OK);
        var afterRefund = (await cancelled.Buyer.PaymentsOfAsync(cancelled.DealId)).GetProperty("ledger");
        afterRefund.GetProperty("refunded").GetDecimal().Should().Be(12_000m);
        afterRefund.GetProperty("held").GetDecimal().Should().Be(0m);

        var completed = await App.DealAsync();
        var paid = await completed.Buyer.PayDepositAsync(completed.DealId);
        await admin.ConfirmAsync(paid.GetProperty("paymentId").GetGuid(), 12_000m);
        await App.AdvanceAsync(completed.DealId, DealStatus.Shipped, DealStatus.Delivered, DealStatus.Completed);

        var payout = (await completed.Seller.PaymentsOfAsync(completed.DealId)).GetProperty("payments").EnumerateArray().Single(p => p.GetProperty("kind").GetString() == "payout");
        payout.GetProperty("provider").GetString().Should().Be("offline");
        payout.GetProperty("amount").GetProperty("amount").GetDecimal().Should().Be(12_000m - 240m, "the default commission is 2 %");
    }

    [Fact]
    public async Task Admins_list_payments_by_status()
    {
        var agreed = await App.DealAsync();
        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        var admin = await App.AdminAsync();

        var page = await (await admin.Client.GetAsync("/api/admin/payments?status=pending&limit=100", Ct)).ReadJsonAsync();

        page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("paymentId").GetGuid()).Should().Contain(deposit.GetProperty("paymentId").GetGuid());
        (await (await admin.Client.GetAsync("/api/admin/payments?status=paid", Ct)).ShouldBeValidationProblemAsync()).Should().ContainKey("status");
        await (await agreed.Buyer.Client.GetAsync("/api/admin/payments", Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }
}

public sealed class SqliteOfflinePaymentTests(SqliteApp fixture) : OfflinePaymentTests<SqliteApp>(fixture), IClassFixture<SqliteApp>;

public sealed class PostgresOfflinePaymentTests(PostgresApp fixture) : OfflinePaymentTests<PostgresApp>(fixture), IClassFixture<PostgresApp>;
