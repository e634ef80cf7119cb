using System.Net;
using FluentAssertions;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Deals;
using Stripe;
using Stripe.Checkout;

namespace Scoda.Market.IntegrationTests.Payments;

/// <summary>
/// Against Stripe's test mode, only when <c>STRIPE_TEST_SECRET_KEY</c> is set (skipped with that reason otherwise): what the
/// fake cannot prove — that Stripe accepts the Checkout Session we build (transfer_group, URLs, amounts), that our API
/// version is one Stripe serves, and that its idempotency replays the same session for the same key.
/// </summary>
public sealed class StripeLiveTests
{
    static readonly string? Key = Environment.GetEnvironmentVariable("STRIPE_TEST_SECRET_KEY");
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static void RequireKey()
    {
        if (string.IsNullOrWhiteSpace(Key))
        {
            Assert.Skip("STRIPE_TEST_SECRET_KEY is not set: the live Stripe test-mode suite did not run (the fake-Stripe suite did).");
        }
        if (!Key.StartsWith("sk_test_", StringComparison.Ordinal) && !Key.StartsWith("rk_test_", StringComparison.Ordinal))
        {
            Assert.Skip("STRIPE_TEST_SECRET_KEY is not a test-mode key; the live suite never runs against live mode.");
        }
    }

    [Fact]
    public async Task Stripe_test_mode_accepts_our_checkout_session_and_refuses_our_key_with_other_parameters()
    {
        RequireKey();
        await using var app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Payments:Provider"] = "Stripe",
            ["Payments:Stripe:SecretKey"] = Key,
            ["Payments:Stripe:WebhookSecret"] = PaymentKit.Secret,
            ["Payments:Stripe:WorkerInterval"] = "01:00:00",
        });
        var agreed = await app.DealAsync();

        var deposit = await agreed.Buyer.PayDepositAsync(agreed.DealId);

        deposit.GetProperty("checkoutUrl").GetString().Should().StartWith("https://checkout.stripe.com/");
        var client = new StripeClient(Key);
        var sessions = await new SessionService(client).ListAsync(new SessionListOptions { Limit = 10 }, cancellationToken: Ct);
        var session = sessions.Data.Single(s => s.ClientReferenceId == deposit.GetProperty("paymentId").GetString());
        session.AmountTotal.Should().Be(1_200_000);
        session.Currency.Should().Be("usd");
        session.Metadata["deal_id"].Should().Be(agreed.DealId.ToString());
        (await app.DealStatusAsync(agreed.DealId)).Should().Be(DealStatus.DepositPending);

        var again = await new SessionService(client).CreateAsync(new SessionCreateOptions
        {
            Mode = "payment", SuccessUrl = "https://example.com/ok", ClientReferenceId = "other",
            LineItems = [new SessionLineItemOptions { Quantity = 1, PriceData = new SessionLineItemPriceDataOptions { Currency = "usd", UnitAmount = 100, ProductData = new() { Name = "x" } } }],
        }, new RequestOptions { IdempotencyKey = $"CreateCheckoutSession:{deposit.GetProperty("paymentId").GetGuid():N}" }, Ct).ContinueWith(t => t, Ct);
        again.Exception?.InnerException.Should().BeOfType<StripeException>()
            .Which.StripeError.Type.Should().Be("idempotency_error", "the same key with other parameters is refused");
        ((StripeException)again.Exception!.InnerException!).HttpStatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
