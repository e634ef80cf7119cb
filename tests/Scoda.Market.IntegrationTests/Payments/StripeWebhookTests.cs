using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.IntegrationTests.Deals;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Deals;

namespace Scoda.Market.IntegrationTests.Payments;

/// <summary>
/// <c>POST /api/payments/stripe/webhook</c>: signatures (valid, tampered, wrong secret, stale, rotated with two v1
/// values), replays, events out of order, another API version, unknown types.
/// </summary>
public sealed class StripeWebhookTests : IAsyncLifetime
{
    readonly FakeStripe _stripe = new();
    MarketApp _app = null!;
    CapturedLogs _logs = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _app = await PaymentKit.StripeAppAsync(DatabaseKind.Sqlite, _stripe);
        _logs = CapturedLogs.On(_app);
        _ = _app.Server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _stripe.Dispose();
    }

    async Task<(AgreedTrade Deal, JsonObject PaidSession, Guid PaymentId)> PendingDepositAsync()
    {
        var agreed = await _app.DealAsync();
        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);
        var id = deposit.GetProperty("paymentId").GetGuid();
        var session = _stripe.ObjectsOf("checkout.session").Single(s => (string?)s["client_reference_id"] == id.ToString());
        return (agreed, _stripe.PayCheckout((string)session["id"]!), id);
    }

    async Task<int> EventRowsAsync(string eventId)
    {
        var count = 0;
        await _app.WithDbAsync(async db => count = await db.StripeWebhookEvents.CountAsync(e => e.Id == eventId, Ct));
        return count;
    }

    [Fact]
    public async Task A_valid_event_is_applied()
    {
        var (agreed, session, _) = await PendingDepositAsync();
        var body = FakeStripe.Event("checkout.session.completed", session);

        var response = await _app.DeliverAsync(body, FakeStripe.Sign(body, DateTimeOffset.UtcNow, PaymentKit.Secret));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPaid);
    }

    [Fact]
    public async Task A_tampered_body_a_wrong_secret_a_stale_timestamp_and_no_signature_are_refused_and_change_nothing()
    {
        var (agreed, session, _) = await PendingDepositAsync();
        var body = FakeStripe.Event("checkout.session.completed", session);
        var tampered = body.Replace("1200000", "1", StringComparison.Ordinal);

        var responses = new[]
        {
            await _app.DeliverAsync(tampered, FakeStripe.Sign(body, DateTimeOffset.UtcNow, PaymentKit.Secret)),
            await _app.DeliverAsync(body, FakeStripe.Sign(body, DateTimeOffset.UtcNow, "whsec_someone_else")),
            await _app.DeliverAsync(body, FakeStripe.Sign(body, DateTimeOffset.UtcNow.AddMinutes(-10), PaymentKit.Secret)),
            await _app.DeliverAsync(body, null),
            await _app.DeliverAsync(body, "t=garbage,v1=zz"),
            await _app.DeliverAsync("not json", FakeStripe.Sign("not json", DateTimeOffset.UtcNow, PaymentKit.Secret)),
        };

        foreach (var response in responses)
        {
            await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        }
        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPending);
        (await EventRowsAsync(JsonNode.Parse(body)!["id"]!.GetValue<string>())).Should().Be(0);
    }

    [Fact]
    public async Task During_secret_rotation_a_header_with_two_v1_signatures_verifies_and_so_does_the_old_secret_alone()
    {
        var (agreed, session, _) = await PendingDepositAsync();
        var first = FakeStripe.Event("checkout.session.completed", session);
        var unknown = FakeStripe.Event("customer.created", new JsonObject { ["id"] = "cus_1", ["object"] = "customer" });

        var both = await _app.DeliverAsync(first, FakeStripe.Sign(first, DateTimeOffset.UtcNow, "whsec_not_ours", PaymentKit.Secret));
        var old = await _app.DeliverAsync(unknown, FakeStripe.Sign(unknown, DateTimeOffset.UtcNow, PaymentKit.OldSecret));

        both.StatusCode.Should().Be(HttpStatusCode.OK);
        old.StatusCode.Should().Be(HttpStatusCode.OK);
        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPaid);
    }

    [Fact]
    public async Task The_same_event_three_times_is_applied_once()
    {
        var (agreed, session, _) = await PendingDepositAsync();
        var body = FakeStripe.Event("checkout.session.completed", session);

        var replies = new List<JsonElement>();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            var response = await _app.DeliverSignedAsync(body);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            replies.Add(await response.ReadJsonAsync());
        }

        replies.Select(r => r.GetProperty("duplicate").GetBoolean()).Should().Equal(false, true, true);
        (await EventRowsAsync(JsonNode.Parse(body)!["id"]!.GetValue<string>())).Should().Be(1);
        var payments = await agreed.Buyer.PaymentsOfAsync(agreed.DealId);
        payments.GetProperty("ledger").GetProperty("captured").GetDecimal().Should().Be(12_000m);
        var events = await (await agreed.Buyer.Client.GetAsync($"/api/deals/{agreed.DealId}", Ct)).ReadJsonAsync();
        events.GetProperty("status").GetString().Should().Be("depositPaid");
    }

    [Fact]
    public async Task Events_out_of_order_never_move_a_payment_backwards()
    {
        var (agreed, session, paymentId) = await PendingDepositAsync();
        var intent = _stripe.Find((string)session["payment_intent"]!);
        var succeeded = FakeStripe.Event("payment_intent.succeeded", intent);
        var capturable = FakeStripe.Event("payment_intent.amount_capturable_updated", intent);
        var expired = session.DeepClone().AsObject();
        expired["status"] = "expired";

        foreach (var body in new[] { succeeded, capturable, FakeStripe.Event("checkout.session.expired", expired), FakeStripe.Event("checkout.session.completed", session) })
        {
            (await _app.DeliverSignedAsync(body)).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var payment = await (await agreed.Buyer.Client.GetAsync($"/api/payments/{paymentId}", Ct)).ReadJsonAsync();
        payment.GetProperty("status").GetString().Should().Be("succeeded");
        payment.GetProperty("received").GetProperty("amount").GetDecimal().Should().Be(12_000m);
        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPaid);
    }

    [Fact]
    public async Task An_event_of_another_api_version_is_applied_from_the_fields_we_read_and_logged()
    {
        var (agreed, session, _) = await PendingDepositAsync();
        var body = FakeStripe.Event("checkout.session.completed", session, apiVersion: "2025-03-31.basil");

        var response = await _app.DeliverSignedAsync(body);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await _app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPaid);
        _logs.Lines.Should().Contain(l => l.Text.Contains("2025-03-31.basil", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_event_types_are_acknowledged_and_ignored()
    {
        var body = FakeStripe.Event("invoice.finalized", new JsonObject { ["id"] = "in_1", ["object"] = "invoice" });

        var response = await _app.DeliverSignedAsync(body);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await EventRowsAsync(JsonNode.Parse(body)!["id"]!.GetValue<string>())).Should().Be(1);
    }

    [Fact]
    public async Task An_oversized_body_is_refused()
    {
        var body = "{\"pad\":\"" + new string('x', 300 * 1024) + "\"}";

        var response = await _app.DeliverSignedAsync(body);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }
}
