using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Deals;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Payments;

namespace Scoda.Market.IntegrationTests.Payments;

/// <summary>
/// The Stripe provider against <see cref="FakeStripe"/>: Checkout for the deposit, the webhook, the payout Transfer or the
/// offline fallback, the Refund, onboarding, Stripe's errors and retries, reconciliation, and secrets kept out of logs.
/// </summary>
public abstract class StripePaymentTests(DatabaseKind kind) : IAsyncLifetime
{
    readonly FakeStripe _stripe = new();
    MarketApp _app = null!;
    CapturedLogs _logs = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _app = await PaymentKit.StripeAppAsync(kind, _stripe);
        _logs = CapturedLogs.On(_app);
        _ = _app.Server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _stripe.Dispose();
    }

    async Task<(AgreedTrade Deal, JsonElement Deposit)> PaidDepositAsync()
    {
        var agreed = await _app.DealAsync();
        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        var session = _stripe.PayCheckout(SessionIdOf(deposit));
        (await _app.DeliverSignedAsync(FakeStripe.Event("checkout.session.completed", session))).StatusCode.Should().Be(HttpStatusCode.OK);
        return (agreed, deposit);
    }

    string SessionIdOf(JsonElement deposit) =>
        _stripe.ObjectsOf("checkout.session").Single(s => (string?)s["client_reference_id"] == deposit.GetProperty("paymentId").GetString())["id"]!.GetValue<string>();

    [Fact]
    public async Task A_deposit_opens_a_checkout_session_for_the_deal_and_the_webhook_makes_it_deposit_paid()
    {
        var agreed = await _app.DealAsync();

        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);

        deposit.GetProperty("provider").GetString().Should().Be("stripe");
        deposit.GetProperty("checkoutUrl").GetString().Should().StartWith("https://checkout.stripe.com/c/pay/cs_test_");
        var call = _stripe.Requests.Single(r => r.Path == "/v1/checkout/sessions");
        call.Form["payment_intent_data[transfer_group]"].Should().Be(agreed.DealId.ToString());
        call.Form["line_items[0][price_data][unit_amount]"].Should().Be("1200000");
        call.Form["line_items[0][price_data][currency]"].Should().Be("usd");
        call.Form["success_url"].Should().StartWith("http://localhost/deals/" + agreed.DealId);
        call.IdempotencyKey.Should().Be($"CreateCheckoutSession:{deposit.GetProperty("paymentId").GetGuid():N}");
        call.StripeVersion.Should().Be(FakeStripe.ApiVersion);
        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPending);

        var session = _stripe.PayCheckout(SessionIdOf(deposit));
        var delivered = await _app.DeliverSignedAsync(FakeStripe.Event("checkout.session.completed", session));

        delivered.StatusCode.Should().Be(HttpStatusCode.OK);
        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPaid);
        var payments = await agreed.Seller.PaymentsOfAsync(agreed.DealId);
        payments.GetProperty("payments")[0].GetProperty("status").GetString().Should().Be("succeeded");
        payments.GetProperty("payments")[0].TryGetProperty("checkoutUrl", out var url).Should().BeTrue();
        url.ValueKind.Should().Be(JsonValueKind.Null, "a paid session's link is no longer offered");
        payments.GetProperty("ledger").GetProperty("captured").GetDecimal().Should().Be(12_000m);
        payments.GetProperty("ledger").GetProperty("balanced").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Completion_transfers_the_sellers_share_to_an_enabled_connected_account()
    {
        var (agreed, _) = await PaidDepositAsync();
        var onboard = await agreed.Seller.Client.PostAsync($"/api/organizations/{agreed.Trade.Seller.OrganizationId}/payouts/onboard", null, Ct);
        onboard.StatusCode.Should().Be(HttpStatusCode.OK, await onboard.Content.ReadAsStringAsync(Ct));
        var link = await onboard.ReadJsonAsync();
        link.GetProperty("url").GetString().Should().StartWith("https://connect.stripe.com/setup/");
        var account = _stripe.Find(link.GetProperty("accountId").GetString()!);
        account["payouts_enabled"] = true;
        account["details_submitted"] = true;
        (await _app.DeliverSignedAsync(FakeStripe.Event("account.updated", account))).StatusCode.Should().Be(HttpStatusCode.OK);

        await _app.AdvanceAsync(agreed.DealId, DealStatus.Shipped, DealStatus.Delivered, DealStatus.Completed);
        await RunWorkerAsync();

        var transfer = _stripe.Requests.Single(r => r.Path == "/v1/transfers");
        transfer.Form["amount"].Should().Be("1170000", "12,000 USD less the 2.5 % commission");
        transfer.Form["destination"].Should().Be(link.GetProperty("accountId").GetString());
        transfer.Form["transfer_group"].Should().Be(agreed.DealId.ToString());
        transfer.IdempotencyKey.Should().StartWith("CreateTransfer:");
        var ledger = (await agreed.Seller.PaymentsOfAsync(agreed.DealId)).GetProperty("ledger");
        ledger.GetProperty("transferred").GetDecimal().Should().Be(11_700m);
        ledger.GetProperty("commission").GetDecimal().Should().Be(300m);
        ledger.GetProperty("fees").GetDecimal().Should().Be(348.30m, "Stripe's fee on the deposit, read by the worker");
        ledger.GetProperty("held").GetDecimal().Should().Be(300m - 348.30m, "the commission less Stripe's fee, which the platform bears");
        ledger.GetProperty("balanced").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task A_seller_without_payouts_enabled_gets_an_offline_payout_for_an_admin()
    {
        var (agreed, _) = await PaidDepositAsync();

        await _app.AdvanceAsync(agreed.DealId, DealStatus.Shipped, DealStatus.Delivered, DealStatus.Completed);
        await RunWorkerAsync();

        _stripe.Requests.Should().NotContain(r => r.Path == "/v1/transfers");
        var payout = (await agreed.Seller.PaymentsOfAsync(agreed.DealId)).GetProperty("payments").EnumerateArray().Single(p => p.GetProperty("kind").GetString() == "payout");
        payout.GetProperty("provider").GetString().Should().Be("offline");
        payout.GetProperty("status").GetString().Should().Be("pending");
        payout.GetProperty("lastError").GetString().Should().Contain("bank transfer");
    }

    [Fact]
    public async Task Cancelling_before_shipment_refunds_the_deposit_through_stripe()
    {
        var (agreed, _) = await PaidDepositAsync();

        await _app.AdvanceAsync(agreed.DealId, DealStatus.Cancelled);
        await RunWorkerAsync();

        var refund = _stripe.Requests.Single(r => r.Path == "/v1/refunds");
        refund.Form["amount"].Should().Be("1200000");
        refund.Form["payment_intent"].Should().StartWith("pi_");
        var ledger = (await agreed.Buyer.PaymentsOfAsync(agreed.DealId)).GetProperty("ledger");
        ledger.GetProperty("refunded").GetDecimal().Should().Be(12_000m);
        ledger.GetProperty("held").GetDecimal().Should().Be(-348.30m, "the whole deposit goes back; Stripe keeps its fee");
        ledger.GetProperty("balanced").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task A_500_then_success_and_a_retryable_429_are_retried_by_stripe_net_under_the_same_idempotency_key()
    {
        var agreed = await _app.DealAsync();
        _stripe.FailNext("/v1/checkout/sessions", HttpStatusCode.InternalServerError, "api_error", shouldRetry: true);

        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);

        deposit.GetProperty("checkoutUrl").GetString().Should().NotBeNullOrEmpty();
        var calls = _stripe.Requests.Where(r => r.Path == "/v1/checkout/sessions").ToList();
        calls.Should().HaveCount(2);
        calls.Select(c => c.IdempotencyKey).Distinct().Should().ContainSingle();

        var other = await _app.DealAsync();
        _stripe.FailNext("/v1/checkout/sessions", HttpStatusCode.TooManyRequests, "invalid_request_error", code: "lock_timeout", shouldRetry: true);
        (await other.Buyer.PayDepositAsync(other.DealId)).GetProperty("checkoutUrl").GetString().Should().NotBeNullOrEmpty();

        // A 429 Stripe does not mark retryable is not retried at once; the call stays staged for the worker's back-off.
        var third = await _app.DealAsync();
        _stripe.FailNext("/v1/checkout/sessions", HttpStatusCode.TooManyRequests, "invalid_request_error", code: "rate_limit");
        var limited = await third.Buyer.PayDepositAsync(third.DealId);
        limited.GetProperty("status").GetString().Should().Be("pending");
        limited.GetProperty("checkoutUrl").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Stripe_failing_after_its_retries_leaves_the_call_staged_for_the_worker()
    {
        var agreed = await _app.DealAsync();
        for (var i = 0; i < 3; i++)
        {
            _stripe.FailNext("/v1/checkout/sessions", HttpStatusCode.ServiceUnavailable, "api_error", shouldRetry: true);
        }

        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);

        deposit.GetProperty("status").GetString().Should().Be("pending");
        deposit.GetProperty("checkoutUrl").ValueKind.Should().Be(JsonValueKind.Null);
        await _app.WithDbAsync(async db =>
        {
            await db.StripeOperations.ExecuteUpdateAsync(u => u.SetProperty(o => o.NextAttemptAt, DateTimeOffset.UtcNow.AddMinutes(-1)), Ct);
        });
        await RunWorkerAsync();
        var payment = await (await agreed.Buyer.Client.GetAsync($"/api/payments/{deposit.GetProperty("paymentId").GetGuid()}", Ct)).ReadJsonAsync();
        payment.GetProperty("checkoutUrl").GetString().Should().StartWith("https://checkout.stripe.com/");
    }

    [Fact]
    public async Task An_idempotency_key_reused_with_other_parameters_fails_the_call_and_the_deposit_without_retrying()
    {
        var agreed = await _app.DealAsync();
        // Our keys come from our ids; a clash means someone else used the key: Stripe answers 400 idempotency_error.
        _stripe.FailNext("/v1/checkout/sessions", HttpStatusCode.BadRequest, "idempotency_error");

        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);

        deposit.GetProperty("status").GetString().Should().Be("failed");
        deposit.GetProperty("lastError").GetString().Should().Contain("idempotency_error");
        _stripe.Requests.Count(r => r.Path == "/v1/checkout/sessions").Should().Be(1);
        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.Agreed, "a deposit Stripe refused frees the deal for another");
    }

    [Fact]
    public async Task The_fake_refuses_a_reused_key_with_another_body_as_stripe_does()
    {
        var agreed = await _app.DealAsync();
        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        var key = $"CreateCheckoutSession:{deposit.GetProperty("paymentId").GetGuid():N}";
        _stripe.UseKey("CreateTransfer:clash", "/v1/transfers\namount=1");

        using var client = new HttpClient(_stripe, disposeHandler: false);
        var request = new HttpRequestMessage(HttpMethod.Post, $"{FakeStripe.ApiBase}/v1/checkout/sessions")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["mode"] = "payment", ["line_items[0][price_data][unit_amount]"] = "1" }),
        };
        request.Headers.Add("Idempotency-Key", key);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", FakeStripe.SecretKey);
        var response = await client.SendAsync(request, Ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.ReadJsonAsync()).GetProperty("error").GetProperty("type").GetString().Should().Be("idempotency_error");
    }

    [Fact]
    public async Task A_declined_card_keeps_the_deposit_open_with_the_reason_and_a_later_payment_succeeds()
    {
        var agreed = await _app.DealAsync();
        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        var sessionId = SessionIdOf(deposit);
        var declined = new JsonObject
        {
            ["id"] = "pi_declined_" + Guid.NewGuid().ToString("N")[..10], ["object"] = "payment_intent", ["amount"] = 1_200_000, ["amount_received"] = 0,
            ["currency"] = "usd", ["status"] = "requires_payment_method",
            ["metadata"] = new JsonObject { ["payment_id"] = deposit.GetProperty("paymentId").GetString(), ["deal_id"] = agreed.DealId.ToString() },
            ["last_payment_error"] = new JsonObject { ["type"] = "card_error", ["code"] = "card_declined", ["decline_code"] = "insufficient_funds", ["message"] = "Your card has insufficient funds." },
        };

        (await _app.DeliverSignedAsync(FakeStripe.Event("payment_intent.payment_failed", declined))).StatusCode.Should().Be(HttpStatusCode.OK);

        var payment = await (await agreed.Buyer.Client.GetAsync($"/api/payments/{deposit.GetProperty("paymentId").GetGuid()}", Ct)).ReadJsonAsync();
        payment.GetProperty("status").GetString().Should().Be("pending");
        payment.GetProperty("lastError").GetString().Should().StartWith("card_declined");
        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPending);

        (await _app.DeliverSignedAsync(FakeStripe.Event("checkout.session.completed", _stripe.PayCheckout(sessionId)))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPaid);
    }

    [Fact]
    public async Task An_expired_checkout_frees_the_deal_for_a_new_deposit()
    {
        var agreed = await _app.DealAsync();
        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        var session = _stripe.Find(SessionIdOf(deposit));
        session["status"] = "expired";

        (await _app.DeliverSignedAsync(FakeStripe.Event("checkout.session.expired", session))).StatusCode.Should().Be(HttpStatusCode.OK);

        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.Agreed);
        var again = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        again.GetProperty("paymentId").GetGuid().Should().NotBe(deposit.GetProperty("paymentId").GetGuid());
    }

    [Fact]
    public async Task Onboarding_is_for_owners_and_outsiders_do_not_see_the_organization()
    {
        var agreed = await _app.DealAsync();

        var outsider = await agreed.Buyer.Client.PostAsync($"/api/organizations/{agreed.Trade.Seller.OrganizationId}/payouts/onboard", null, Ct);
        var again = await agreed.Seller.Client.PostAsync($"/api/organizations/{agreed.Trade.Seller.OrganizationId}/payouts/onboard", null, Ct);
        var twice = await agreed.Seller.Client.PostAsync($"/api/organizations/{agreed.Trade.Seller.OrganizationId}/payouts/onboard", null, Ct);

        await outsider.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        (await twice.ReadJsonAsync()).GetProperty("accountId").GetString().Should().Be((await again.ReadJsonAsync()).GetProperty("accountId").GetString());
        _stripe.Requests.Count(r => r.Path == "/v1/accounts").Should().Be(1);
        _stripe.Requests.Single(r => r.Path == "/v1/accounts").Form["type"].Should().Be("express");
    }

    [Fact]
    public async Task Reconciliation_matches_a_clean_ledger_and_lists_what_stripe_disagrees_with()
    {
        var (agreed, deposit) = await PaidDepositAsync();
        await RunWorkerAsync(); // reads the charge's fee, which reconciliation compares too

        var clean = new StringWriter();
        (await ReconcilePaymentsCommand.RunAsync(_app.Services, clean, Ct)).Should().Be(0, clean.ToString());

        _stripe.Find(SessionIdOf(deposit))["amount_total"] = 1_100_000;
        var dirty = new StringWriter();
        (await ReconcilePaymentsCommand.RunAsync(_app.Services, dirty, Ct)).Should().Be(1);
        dirty.ToString().Should().Contain("MISMATCH").And.Contain(deposit.GetProperty("paymentId").GetString()).And.Contain("11000 USD");
        agreed.DealId.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Logs_never_carry_the_stripe_key_or_a_webhook_secret()
    {
        var (agreed, _) = await PaidDepositAsync();
        _stripe.FailNext("/v1/refunds", HttpStatusCode.PaymentRequired, "card_error", code: "card_declined");
        await _app.AdvanceAsync(agreed.DealId, DealStatus.Cancelled);
        await RunWorkerAsync();
        await _app.DeliverAsync("{\"id\":\"evt_forged\"}", FakeStripe.Sign("{}", DateTimeOffset.UtcNow, PaymentKit.Secret));

        var text = string.Join('\n', _logs.Lines.Select(l => l.Text));
        text.Should().Contain("Stripe refused", "the refused refund is logged");
        text.Should().NotContain(FakeStripe.SecretKey).And.NotContain(PaymentKit.Secret).And.NotContain(PaymentKit.OldSecret);
        text.Should().NotContain(FakeStripe.SecretKey[..20]);
    }

    Task<int> RunWorkerAsync() => _app.Services.GetRequiredService<StripeOperationWorker>().RunOnceAsync(Ct);
}

public sealed class SqliteStripePaymentTests() : StripePaymentTests(DatabaseKind.Sqlite);

public sealed class PostgresStripePaymentTests() : StripePaymentTests(DatabaseKind.Postgres);
