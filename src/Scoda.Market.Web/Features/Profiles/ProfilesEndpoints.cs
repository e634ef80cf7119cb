using Microsoft.AspNetCore.Http.HttpResults;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.LiveSessions;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Profiles;

public sealed record ProfileListing(Guid Id, LocalizedText Title, string CategoryKey, string OriginCountry, PriceResponse Price, Quantity Quantity, DateTimeOffset? PublishedAt);

/// <summary>
/// A company's public profile: only what anyone may know (the directory's public facts and track record on the platform);
/// never registration numbers, members, drafts, stock or the terms of its deals.
/// </summary>
public sealed record CompanyProfile(
    Guid Id, string Name, string CountryCode, OrganizationKind Kind, bool Verified, DateTimeOffset? VerifiedSince, DateTimeOffset MemberSince,
    int PublishedListings, int DealsCompleted, long? MedianFirstResponseSeconds, IReadOnlyList<ProfileListing> Listings);

public sealed record LandingListing(
    Guid Id, LocalizedText Title, string CategoryKey, string OriginCountry, PriceResponse Price, Quantity Quantity, SellerResponse Seller, DateTimeOffset? PublishedAt);

public sealed record LandingResponse(IReadOnlyList<FamilyCount> Families, IReadOnlyList<LandingListing> RecentListings, IReadOnlyList<UpcomingLiveSession> UpcomingSessions);

/// <summary>Public pages' data: company profiles and the landing page. Anonymous visitors are welcome here.</summary>
public static class ProfilesEndpoints
{
    public const int ProfileListings = 12;
    public const int LandingListings = 8;
    public const int LandingSessions = 6;

    public static IEndpointRouteBuilder MapProfilesEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/organizations/{id:guid}/profile", GetProfile).WithTags("Profiles").WithName("GetCompanyProfile").AllowAnonymous();
        app.MapGet("/api/landing", GetLanding).WithTags("Profiles").WithName("GetLanding").AllowAnonymous();
        return app;
    }

    static async Task<Results<Ok<CompanyProfile>, ProblemHttpResult>> GetProfile(
        Guid id, OrganizationDirectory organizations, ListingSummaries listings, DealSummaries deals, NegotiationSummaries negotiations, CancellationToken ct)
    {
        if (await organizations.FactsAsync(id, ct) is not { } facts)
        {
            return Problems.NotFound("Organization");
        }
        var own = await listings.OfOrganizationAsync(id, ct);
        var shown = own.Where(l => l.Status == ListingStatus.Published).OrderByDescending(l => l.PublishedAt).Take(ProfileListings)
            .Select(l => new ProfileListing(l.Id, l.Title, l.CategoryKey, l.OriginCountry, l.Price, l.Quantity, l.PublishedAt)).ToList();
        var median = await negotiations.MedianFirstResponseAsync(id, ct);
        return TypedResults.Ok(new CompanyProfile(
            facts.Id, facts.Name, facts.CountryCode, facts.Kind, facts.Verified, facts.VerifiedSince, facts.MemberSince,
            await listings.PublishedCountAsync(id, ct), await deals.CompletedCountAsync(id, ct), median is { } m ? (long)m.TotalSeconds : null, shown));
    }

    static async Task<Ok<LandingResponse>> GetLanding(
        OrganizationDirectory organizations, ListingSummaries listings, LiveSessionService liveSessions, CancellationToken ct)
    {
        var recent = await listings.RecentPublishedAsync(organizations.Verified(), LandingListings, ct);
        var sellers = await organizations.FactsAsync(recent.Select(l => l.SellerId).Distinct().ToList(), ct);
        var shown = recent.Where(l => sellers.ContainsKey(l.SellerId)).Select(l =>
        {
            var seller = sellers[l.SellerId];
            return new LandingListing(l.Id, l.Title, l.CategoryKey, l.OriginCountry, l.Price, l.Quantity,
                new SellerResponse(seller.Id, seller.Name, seller.CountryCode, seller.Verified), l.PublishedAt);
        }).ToList();
        return TypedResults.Ok(new LandingResponse(await listings.FamilyCountsAsync(ct), shown, await liveSessions.UpcomingAsync(LandingSessions, ct)));
    }
}
