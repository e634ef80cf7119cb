using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Organizations;

namespace Scoda.Market.IntegrationTests.Inventory;

/// <summary>What reservation tests share: the request with its Idempotency-Key, and a buyer organization that passed KYB.</summary>
public static class Reservations
{
    public static async Task<HttpResponseMessage> ReserveAsync(this TestUser user, Guid listing, object body, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/listings/{listing}/reservations") { Content = JsonContent.Create(body) };
        request.Headers.Add(ReservationsEndpoints.IdempotencyHeader, idempotencyKey);
        return await user.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Marks the organization verified, as a moderator's decision would (the decision itself has its own tests).</summary>
    public static Task VerifyOrganizationAsync(this MarketApp app, Guid organization) =>
        app.WithDbAsync(db => db.Organizations.Where(o => o.Id == organization)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.VerificationStatus, VerificationStatus.Verified), TestContext.Current.CancellationToken));
}
