using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Deals;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Payments;

namespace Scoda.Market.IntegrationTests.Payments;

/// <summary>Hosts with the Stripe provider on the fake, and the requests payment tests make.</summary>
public static class PaymentKit
{
    public const string Secret = "whsec_test_current0000000000000000";
    public const string OldSecret = "whsec_test_previous000000000000000";

    /// <summary>A host whose Stripe client talks to <paramref name="stripe"/>; the worker's timer stays out of the way.</summary>
    public static async Task<MarketApp> StripeAppAsync(DatabaseKind kind, FakeStripe stripe, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Payments:Provider"] = "Stripe",
            ["Payments:Stripe:SecretKey"] = FakeStripe.SecretKey,
            ["Payments:Stripe:WebhookSecret"] = $"{Secret},{OldSecret}",
            ["Payments:Stripe:ApiBase"] = FakeStripe.ApiBase,
            ["Payments:Stripe:WorkerInterval"] = "01:00:00",
            ["Payments:CommissionRate"] = "0.025",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }
        var app = await MarketApp.CreateAsync(kind, settings);
        app.ServiceOverrides.Add(services =>
            services.AddHttpClient(StripeClientHolder.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => stripe));
        return app;
    }

    public static Task<HttpResponseMessage> PostDepositAsync(this TestUser user, Guid dealId, object? body, string? key = "auto")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/deals/{dealId}/deposit") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key == "auto" ? Guid.NewGuid().ToString("N") : key);
        }
        return user.Client.SendAsync(request);
    }

    public static async Task<JsonElement> PayDepositAsync(this TestUser user, Guid dealId, decimal amount = 12_000m)
    {
        var response = await user.PostDepositAsync(dealId, new { amount, currency = "USD" });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    public static async Task<JsonElement> PaymentsOfAsync(this TestUser user, Guid dealId)
    {
        var response = await user.Client.GetAsync($"/api/deals/{dealId}/payments");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    public static Task<HttpResponseMessage> ConfirmAsync(this TestUser admin, Guid paymentId, decimal amount, string bankReference = "MT103-REF-1") =>
        admin.Client.PostAsJsonAsync($"/api/admin/payments/{paymentId}/confirm",
            new { amount, valueDate = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), bankReference });

    /// <summary>Delivers a webhook as Stripe does: the raw body and its signature header.</summary>
    public static Task<HttpResponseMessage> DeliverAsync(this MarketApp app, string body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, StripeWebhook.Path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add("Stripe-Signature", signature);
        }
        return app.CreateClient().SendAsync(request);
    }

    public static Task<HttpResponseMessage> DeliverSignedAsync(this MarketApp app, string body) =>
        app.DeliverAsync(body, FakeStripe.Sign(body, DateTimeOffset.UtcNow, Secret));

    public static async Task<DealStatus> DealStatusAsync(this MarketApp app, Guid dealId) =>
        await app.WithScopeAsync(async s => (await s.GetRequiredService<DealService>().FactsAsync(dealId, CancellationToken.None))!.Status);

    /// <summary>Moves the deal as the system may (the deal's own endpoints are deal-flow's), in one transaction.</summary>
    public static Task AdvanceAsync(this MarketApp app, Guid dealId, params DealStatus[] path) =>
        app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<MarketDbContext>();
            foreach (var to in path)
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                await ForceAsync(db, s.GetRequiredService<DealService>(), dealId, to);
                await transaction.CommitAsync();
            }
            return true;
        });

    /// <summary>
    /// The system may not ship or deliver (those are the sides' actions); tests that need a shipped deal set the status
    /// directly and let the system take the next step, so listeners run where the system acts.
    /// </summary>
    static async Task ForceAsync(MarketDbContext db, DealService deals, Guid dealId, DealStatus to)
    {
        if (to is DealStatus.Shipped or DealStatus.Delivered)
        {
            await db.Deals.Where(d => d.Id == dealId).ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, to));
            return;
        }
        await deals.AdvanceBySystemAsync(dealId, to, null, "test", CancellationToken.None);
    }

    public static async Task<TestUser> AdminAsync(this MarketApp app) => await app.SignUpWithRoleAsync(PlatformRoles.Admin);

    public static async Task<AgreedTrade> DealAsync(this MarketApp app) => await AgreedTrade.CreateAsync(app);
}
