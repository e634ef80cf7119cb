using System.Net;
using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Deals;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Payments;

namespace Scoda.Market.IntegrationTests.Payments;

/// <summary>
/// Issue 13's last Stripe gaps against <see cref="FakeStripe"/>: the charge's fee read into the ledger, the admin's
/// reconciliation endpoint (the command's comparison), and a cancelled deposit's Checkout Session expired, with a late
/// payment of it refunded rather than moving the deal.
/// </summary>
public abstract class StripeFinishTests(DatabaseKind kind) : IAsyncLifetime
{
    const string Reconciliation = "/api/admin/payments/reconciliation";
    readonly FakeStripe _stripe = new();
    MarketApp _app = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _app = await PaymentKit.StripeAppAsync(kind, _stripe);
        _ = _app.Server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _stripe.Dispose();
    }

    Task<T> ReadAsync<T>(Func<Scoda.Market.Web.Data.MarketDbContext, Task<T>> read) =>
        _app.WithScopeAsync(s => read(s.GetRequiredService<Scoda.Market.Web.Data.MarketDbContext>()));

    Task<int> RunWorkerAsync() => _app.Services.GetRequiredService<StripeOperationWorker>().RunOnceAsync(Ct);

    string SessionIdOf(JsonElement deposit) =>
        _stripe.ObjectsOf("checkout.session").Single(s => (string?)s["client_reference_id"] == deposit.GetProperty("paymentId").GetString())["id"]!.GetValue<string>();

    async Task<(AgreedTrade Deal, JsonElement Deposit)> PaidDepositAsync()
    {
        var agreed = await _app.DealAsync();
        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        (await _app.DeliverSignedAsync(FakeStripe.Event("checkout.session.completed", _stripe.PayCheckout(SessionIdOf(deposit))))).StatusCode
            .Should().Be(HttpStatusCode.OK);
        return (agreed, deposit);
    }

    static decimal Fee => FakeStripe.FeeOf(1_200_000) / 100m; // 348.30 USD on a 12,000 USD deposit

    [Fact]
    public async Task The_charges_fee_is_read_through_the_expanded_balance_transaction_into_the_ledger_which_still_balances()
    {
        var (agreed, deposit) = await PaidDepositAsync();
        var intentId = _stripe.Find(SessionIdOf(deposit))["payment_intent"]!.GetValue<string>();
        (await agreed.Buyer.PaymentsOfAsync(agreed.DealId)).GetProperty("ledger").GetProperty("fees").GetDecimal()
            .Should().Be(0m, "the webhook only stages the read; Stripe is called outside its transaction");

        await RunWorkerAsync();

        var read = _stripe.Requests.Single(r => r.Method == "GET" && r.Path == $"/v1/payment_intents/{intentId}");
        read.Form.Values.Should().Contain("latest_charge.balance_transaction");
        var payments = await agreed.Seller.PaymentsOfAsync(agreed.DealId);
        payments.GetProperty("payments")[0].GetProperty("fees").GetProperty("amount").GetDecimal().Should().Be(Fee);
        var ledger = payments.GetProperty("ledger");
        ledger.GetProperty("fees").GetDecimal().Should().Be(348.30m);
        ledger.GetProperty("captured").GetDecimal().Should().Be(12_000m);
        ledger.GetProperty("held").GetDecimal().Should().Be(12_000m - 348.30m);
        ledger.GetProperty("balanced").GetBoolean().Should().BeTrue();

        // Cancelled before shipment: the buyer gets the whole deposit back, the platform bears Stripe's fee.
        await _app.AdvanceAsync(agreed.DealId, DealStatus.Cancelled);
        await RunWorkerAsync();
        var after = (await agreed.Buyer.PaymentsOfAsync(agreed.DealId)).GetProperty("ledger");
        after.GetProperty("refunded").GetDecimal().Should().Be(12_000m);
        after.GetProperty("fees").GetDecimal().Should().Be(348.30m);
        after.GetProperty("held").GetDecimal().Should().Be(-348.30m);
        after.GetProperty("balanced").GetBoolean().Should().BeTrue("nothing went out to the parties beyond what came in");
        _stripe.Requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/v1/payment_intents/", StringComparison.Ordinal)).Should().Be(1, "the fee is read once");
    }

    [Fact]
    public async Task A_charge_not_yet_settled_is_read_again_later()
    {
        var (agreed, deposit) = await PaidDepositAsync();
        var intent = _stripe.Find(_stripe.Find(SessionIdOf(deposit))["payment_intent"]!.GetValue<string>());
        var charge = _stripe.Find(intent["latest_charge"]!.GetValue<string>());
        var balanceId = charge["balance_transaction"]!.GetValue<string>();
        charge["balance_transaction"] = null;

        await RunWorkerAsync();
        (await agreed.Buyer.PaymentsOfAsync(agreed.DealId)).GetProperty("ledger").GetProperty("fees").GetDecimal().Should().Be(0m);
        var pending = await ReadAsync(db => db.StripeOperations.AsNoTracking().SingleAsync(o => o.Kind == StripeOperationKind.ReadDepositFee, Ct));
        pending.Status.Should().Be(StripeOperationStatus.Pending);

        charge["balance_transaction"] = balanceId;
        await _app.WithDbAsync(db => db.StripeOperations.ExecuteUpdateAsync(u => u.SetProperty(o => o.NextAttemptAt, DateTimeOffset.UtcNow.AddMinutes(-1)), Ct));
        await RunWorkerAsync();
        (await agreed.Buyer.PaymentsOfAsync(agreed.DealId)).GetProperty("ledger").GetProperty("fees").GetDecimal().Should().Be(Fee);
    }

    [Fact]
    public async Task Reconciliation_compares_fees_and_the_admin_endpoint_runs_the_commands_comparison()
    {
        var (agreed, deposit) = await PaidDepositAsync();
        var admin = await _app.AdminAsync();

        var unread = await (await admin.Client.GetAsync(Reconciliation, Ct)).ReadJsonAsync();
        unread.GetProperty("mismatches").EnumerateArray().Should().ContainSingle(m => m.GetProperty("code").GetString() == "fee",
            "Stripe's fee is not in the ledger until the worker reads it");

        await RunWorkerAsync();
        var clean = await admin.Client.GetAsync(Reconciliation, Ct);
        clean.StatusCode.Should().Be(HttpStatusCode.OK);
        var report = await clean.ReadJsonAsync();
        report.GetProperty("stripeConfigured").GetBoolean().Should().BeTrue();
        report.GetProperty("checked").GetInt32().Should().Be(1);
        report.GetProperty("mismatches").GetArrayLength().Should().Be(0);
        var command = new StringWriter();
        (await ReconcilePaymentsCommand.RunAsync(_app.Services, command, Ct)).Should().Be(0, command.ToString());

        var intent = _stripe.Find(_stripe.Find(SessionIdOf(deposit))["payment_intent"]!.GetValue<string>());
        var balance = _stripe.Find(_stripe.Find(intent["latest_charge"]!.GetValue<string>())["balance_transaction"]!.GetValue<string>());
        balance["fee"] = 40_000;
        _stripe.Find(SessionIdOf(deposit))["amount_total"] = 1_100_000;

        var dirty = await (await admin.Client.GetAsync(Reconciliation, Ct)).ReadJsonAsync();
        var mismatches = dirty.GetProperty("mismatches").EnumerateArray().ToList();
        mismatches.Should().OnlyContain(m => m.GetProperty("paymentId").GetString() == deposit.GetProperty("paymentId").GetString()
            && m.GetProperty("dealId").GetGuid() == agreed.DealId);
        mismatches.Select(m => (m.GetProperty("code").GetString(), m.GetProperty("stripe").GetString(), m.GetProperty("ours").GetString()))
            .Should().Contain(("fee", "400 USD", "348.3 USD")).And.Contain(("amount", "11000 USD", "12000 USD"));
        mismatches.Select(m => m.GetProperty("problem").GetString()).Should().Contain(p => p!.Contains("400 USD") && p.Contains("348.3 USD"));
        var printed = new StringWriter();
        (await ReconcilePaymentsCommand.RunAsync(_app.Services, printed, Ct)).Should().Be(1);
        printed.ToString().Should().Contain("balance_transaction").And.Contain("400 USD");

        (await agreed.Buyer.Client.GetAsync(Reconciliation, Ct)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _app.CreateClient().GetAsync(Reconciliation, Ct)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Cancelling_a_pending_stripe_deposit_expires_its_checkout_session_outside_the_transaction()
    {
        var agreed = await _app.DealAsync();
        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        var sessionId = SessionIdOf(deposit);
        var paymentId = deposit.GetProperty("paymentId").GetGuid();

        (await agreed.PostAsync("cancel", new { reason = "We bought elsewhere" })).StatusCode.Should().Be(HttpStatusCode.OK);
        _stripe.Requests.Should().NotContain(r => r.Path.EndsWith("/expire", StringComparison.Ordinal), "no call to Stripe inside the cancelling transaction");
        await RunWorkerAsync();

        var expire = _stripe.Requests.Single(r => r.Path == $"/v1/checkout/sessions/{sessionId}/expire");
        expire.Method.Should().Be("POST");
        expire.IdempotencyKey.Should().Be($"ExpireCheckoutSession:{paymentId:N}");
        _stripe.Find(sessionId)["status"]!.GetValue<string>().Should().Be("expired");
        var payment = await (await agreed.Buyer.Client.GetAsync($"/api/payments/{paymentId}", Ct)).ReadJsonAsync();
        payment.GetProperty("status").GetString().Should().Be("cancelled");
        payment.GetProperty("checkoutUrl").ValueKind.Should().Be(JsonValueKind.Null);

        // Stripe then tells of the expiry: nothing moves.
        (await _app.DeliverSignedAsync(FakeStripe.Event("checkout.session.expired", _stripe.Find(sessionId)))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.Cancelled);
    }

    [Fact]
    public async Task A_checkout_completed_after_the_deposit_was_cancelled_is_refunded_and_the_deal_stays_cancelled()
    {
        var agreed = await _app.DealAsync();
        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        var sessionId = SessionIdOf(deposit);
        (await agreed.PostAsync("cancel", new { reason = "Sanctions check failed" }, agreed.Seller)).StatusCode.Should().Be(HttpStatusCode.OK);

        // The buyer paid on Stripe's page in the moment before the expiry was made.
        var paid = _stripe.PayCheckout(sessionId);
        (await _app.DeliverSignedAsync(FakeStripe.Event("checkout.session.completed", paid))).StatusCode.Should().Be(HttpStatusCode.OK);
        await RunWorkerAsync();

        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.Cancelled);
        var refund = _stripe.Requests.Single(r => r.Path == "/v1/refunds");
        refund.Form["amount"].Should().Be("1200000");
        refund.Form["payment_intent"].Should().Be(paid["payment_intent"]!.GetValue<string>());
        var payments = await agreed.Buyer.PaymentsOfAsync(agreed.DealId);
        var late = payments.GetProperty("payments").EnumerateArray().Single(p => p.GetProperty("kind").GetString() == "deposit");
        late.GetProperty("status").GetString().Should().Be("succeeded");
        var ledger = payments.GetProperty("ledger");
        ledger.GetProperty("captured").GetDecimal().Should().Be(12_000m);
        ledger.GetProperty("refunded").GetDecimal().Should().Be(12_000m);
        ledger.GetProperty("balanced").GetBoolean().Should().BeTrue();
        (await agreed.DealAsync()).GetProperty("events").EnumerateArray().Should().NotContain(e => e.GetProperty("to").GetString() == "depositPaid");

        // The same event again refunds nothing more.
        (await _app.DeliverSignedAsync(FakeStripe.Event("checkout.session.completed", paid))).StatusCode.Should().Be(HttpStatusCode.OK);
        await RunWorkerAsync();
        _stripe.Requests.Count(r => r.Path == "/v1/refunds").Should().Be(1);
    }

    [Fact]
    public async Task A_deposit_cancelled_before_its_session_was_created_opens_none_and_expires_none()
    {
        var agreed = await _app.DealAsync();
        for (var i = 0; i < 3; i++)
        {
            _stripe.FailNext("/v1/checkout/sessions", HttpStatusCode.ServiceUnavailable, "api_error", shouldRetry: true);
        }
        (await agreed.Buyer.PayDepositAsync(agreed.DealId)).GetProperty("checkoutUrl").ValueKind.Should().Be(JsonValueKind.Null);
        (await agreed.PostAsync("cancel", new { reason = "Changed our mind" })).StatusCode.Should().Be(HttpStatusCode.OK);

        await _app.WithDbAsync(db => db.StripeOperations.ExecuteUpdateAsync(u => u.SetProperty(o => o.NextAttemptAt, DateTimeOffset.UtcNow.AddMinutes(-1)), Ct));
        await RunWorkerAsync();

        _stripe.Requests.Count(r => r.Path == "/v1/checkout/sessions").Should().Be(3, "only the three failed attempts");
        _stripe.Requests.Should().NotContain(r => r.Path.EndsWith("/expire", StringComparison.Ordinal));
        (await ReadAsync(db => db.StripeOperations.AsNoTracking().Select(o => o.Status).ToListAsync(Ct)))
            .Should().OnlyContain(s => s == StripeOperationStatus.Done);
    }
}

public sealed class SqliteStripeFinishTests() : StripeFinishTests(DatabaseKind.Sqlite);

public sealed class PostgresStripeFinishTests() : StripeFinishTests(DatabaseKind.Postgres);
