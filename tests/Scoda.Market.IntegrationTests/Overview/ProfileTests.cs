using System.Net;
using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Organizations;

namespace Scoda.Market.IntegrationTests.Overview;

public abstract class ProfileTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static string NewId() => Guid.NewGuid().ToString("N");

    Task VerifyAsync(Guid organizationId, DateTimeOffset at) => App.WithDbAsync(db =>
        db.Organizations.Where(o => o.Id == organizationId).ExecuteUpdateAsync(s => s
            .SetProperty(o => o.VerificationStatus, VerificationStatus.Verified).SetProperty(o => o.VerificationDecidedAt, at), Ct));

    [Fact]
    public async Task A_profile_shows_public_facts_to_anonymous_visitors_and_nothing_private()
    {
        var trade = await Trade.CreateAsync(App);
        var verifiedAt = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
        await VerifyAsync(trade.Seller.OrganizationId, verifiedAt);
        var draft = (await new ListingBuilder(trade.Seller.OrganizationId).With("title.en", "Secret draft barley").CreateAsync(trade.Seller.Owner)).GetProperty("id").GetGuid();
        await using (var negotiation = await trade.NegotiateAsync())
        {
            await negotiation.Seller.InvokeAsync("SendMessage", negotiation.Room, NewId(), "Hello, the price is firm.");
        }

        var response = await App.CreateClient().GetAsync($"/api/organizations/{trade.Seller.OrganizationId}/profile", Ct);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var profile = await response.ReadJsonAsync();
        profile.GetProperty("id").GetGuid().Should().Be(trade.Seller.OrganizationId);
        profile.GetProperty("countryCode").GetString().Should().Be("KZ");
        profile.GetProperty("kind").GetString().Should().Be("exporter");
        profile.GetProperty("verified").GetBoolean().Should().BeTrue();
        profile.GetProperty("verifiedSince").GetDateTimeOffset().Should().Be(verifiedAt);
        profile.GetProperty("publishedListings").GetInt32().Should().Be(1);
        profile.GetProperty("dealsCompleted").GetInt32().Should().Be(0);
        profile.GetProperty("medianFirstResponseSeconds").GetInt64().Should().BeGreaterThanOrEqualTo(0);
        profile.GetProperty("listings").EnumerateArray().Select(l => l.GetProperty("id").GetGuid()).Should().Equal(trade.ListingId);

        // Only the public facts: no registration number, members, drafts, stock or rooms.
        var names = profile.EnumerateObject().Select(p => p.Name).ToList();
        names.Should().BeEquivalentTo(["id", "name", "countryCode", "kind", "verified", "verifiedSince", "memberSince", "publishedListings",
            "dealsCompleted", "medianFirstResponseSeconds", "listings"]);
        var text = profile.GetRawText();
        text.Should().NotContain(draft.ToString()).And.NotContain("Secret draft").And.NotContain(trade.Seller.Owner.Email).And.NotContain(trade.WarehouseId.ToString());
    }

    [Fact]
    public async Task An_unverified_company_has_no_verified_since_and_an_unknown_one_is_not_found()
    {
        var seller = await Seller.CreateAsync(App);
        var profile = await (await App.CreateClient().GetAsync($"/api/organizations/{seller.OrganizationId}/profile", Ct)).ReadJsonAsync();
        profile.GetProperty("verified").GetBoolean().Should().BeFalse();
        profile.GetProperty("verifiedSince").ValueKind.Should().Be(JsonValueKind.Null);
        profile.GetProperty("medianFirstResponseSeconds").ValueKind.Should().Be(JsonValueKind.Null);
        var missing = await (await App.CreateClient().GetAsync($"/api/organizations/{Guid.NewGuid()}/profile", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        // Problems carry a stable code (and its params) beside the English title, for clients to word.
        missing.GetProperty("code").GetString().Should().Be("not_found");
        missing.GetProperty("params").GetProperty("resource").GetString().Should().Be("Organization");
    }

    [Fact]
    public async Task The_landing_page_counts_families_and_lists_only_verified_sellers_recent_listings()
    {
        var verified = await Seller.CreateAsync(App);
        await VerifyAsync(verified.OrganizationId, DateTimeOffset.UtcNow);
        var shown = await new ListingBuilder(verified.OrganizationId).PublishAsync(verified.Owner);
        var unverified = await Seller.CreateAsync(App);
        var hidden = await new ListingBuilder(unverified.OrganizationId).PublishAsync(unverified.Owner);

        var landing = await (await App.CreateClient().GetAsync("/api/landing", Ct)).ReadJsonAsync();
        var families = landing.GetProperty("families").EnumerateArray().ToDictionary(f => f.GetProperty("key").GetString()!, f => f.GetProperty("count").GetInt32());
        families.Should().ContainKey("agriculture");
        families["agriculture"].Should().BeGreaterThanOrEqualTo(2);
        var recent = landing.GetProperty("recentListings").EnumerateArray().Select(l => l.GetProperty("id").GetGuid()).ToList();
        recent.Should().Contain(shown).And.NotContain(hidden);
        landing.GetProperty("recentListings").EnumerateArray().Should().OnlyContain(l => l.GetProperty("seller").GetProperty("verified").GetBoolean());
    }
}

public sealed class ProfileTests_Sqlite(SqliteApp app) : ProfileTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class ProfileTests_Postgres(PostgresApp app) : ProfileTests<PostgresApp>(app), IClassFixture<PostgresApp>;
