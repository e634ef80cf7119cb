using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Search;
using Scoda.Market.Web.Features.Taxonomy;
using static Microsoft.Playwright.Assertions;

namespace Scoda.Market.BrowserTests;

/// <summary>
/// Issue 14's walk: a Chinese-reading buyer arrives on the landing page, searches 小麦, finds a listing its seller wrote
/// only in Russian, opens the seller's company profile and the listing (signed out: a sign-in call), signs in and lands
/// on the dashboard with an offer awaiting an answer and a new match, saves a search that finds nothing (and sees the buy
/// request it offers prefilled), and is alerted in Chinese when a matching listing appears; every page is photographed
/// in EN, RU and ZH.
/// </summary>
public sealed class BuyerJourneyTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static readonly string[] Kazakhstan = ["KZ"];

    /// <summary>Screenshots the page in English, Russian and Chinese (the switcher), leaving it in Chinese.</summary>
    static async Task InEveryLanguageAsync(IPage page, string name)
    {
        foreach (var lang in new[] { "en", "ru", "zh" })
        {
            await page.GetByTestId($"lang-{lang}").ClickAsync();
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", lang == "zh" ? "zh-CN" : lang);
            await BrowserHost.ScreenshotAsync(page, $"buyer-journey-{name}-{lang}");
        }
    }

    [Fact]
    public async Task A_chinese_buyer_goes_from_the_landing_page_through_search_and_a_profile_to_the_dashboard()
    {
        // A verified Kazakh exporter whose listing is written in Russian only.
        var seller = await SearchTests.SellerAsync(host);
        var sellerOrg = await SearchTests.OrganizationAsync(seller, "KZ");
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<MarketDbContext>().Organizations.Where(o => o.Id == sellerOrg)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.VerificationStatus, VerificationStatus.Verified)
                    .SetProperty(o => o.VerificationDecidedAt, DateTimeOffset.UtcNow.AddDays(-30)), Ct);
        }
        const string russianTitle = "Пшеница мягкая 3 класса, Костанайская область";
        var listing = await SearchTests.PublishWheatAsync(seller, sellerOrg, "KZ", new { ru = russianTitle });

        // The buyer's organization has a standing buy request and an open room where the seller has made an offer.
        var buyerEmail = $"buyer.{Guid.NewGuid():N}@qingdao.test";
        var buyer = await SearchTests.SellerAsync(host, buyerEmail);
        var buyerOrg = (await (await buyer.PostAsJsonAsync("/api/organizations", new
        {
            name = "青岛胶东饲料有限公司", countryCode = "CN", kind = "importer", registrationNumber = $"{Random.Shared.NextInt64(100_000_000, 999_999_999)}",
        }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        (await buyer.PostAsJsonAsync("/api/buy-requests", new
        {
            organizationId = buyerOrg, categoryId = Category.IdFor("wheat"), specRanges = new { protein = new { min = 12, max = 14 } },
            quantity = new { value = 2000, unit = "t" }, targetPrice = new { amount = "230", currency = "USD", unit = "t" }, incoterm = "DAP",
            namedPlace = "Khorgos", deliveryBy = DateTimeOffset.UtcNow.AddDays(60), originCountries = Kazakhstan,
        }, Ct)).EnsureSuccessStatusCode();
        var room = (await (await buyer.PostAsJsonAsync("/api/negotiations", new { listingId = listing, buyerOrganizationId = buyerOrg }, Ct))
            .Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var offer = await seller.PostAsJsonAsync($"/api/negotiations/{room}/offers", new
        {
            clientMessageId = Guid.NewGuid().ToString("N"),
            terms = new
            {
                price = new { amount = 1241.5m, currency = "USD", unit = "t" }, quantity = new { value = 2000, unit = "t" }, tolerancePercent = 5,
                incoterm = "DAP", namedPlace = "Khorgos", deliveryMode = "rail",
                deliveryWindow = new { from = today.AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), to = today.AddDays(40).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) },
                paymentTerms = "lc_sight", inspectionBody = "SGS", specs = new { protein = 12.5 }, validUntil = DateTimeOffset.UtcNow.AddDays(2),
            },
        }, Ct);
        offer.IsSuccessStatusCode.Should().BeTrue(await offer.Content.ReadAsStringAsync(Ct));
        await host.Services.GetRequiredService<SearchIndexer>().DrainAsync(Ct);

        // 1. The landing page, signed out: a search box, families with live counts, the verified listing.
        var page = await host.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByTestId("lang-zh").ClickAsync();
        await Expect(page.Locator("[data-testid=landing-family][data-key=agriculture] [data-testid=landing-family-count]")).Not.ToHaveTextAsync("0 条挂牌");
        await Expect(page.GetByTestId("landing-listing").Filter(new LocatorFilterOptions { HasText = russianTitle })).ToBeVisibleAsync();
        await InEveryLanguageAsync(page, "1-landing");

        // 2. Search 小麦: the Russian-only listing is found.
        await page.GetByTestId("landing-search").FillAsync("小麦");
        await page.GetByTestId("landing-search-submit").ClickAsync();
        var result = page.GetByTestId("search-result").Filter(new LocatorFilterOptions { HasText = russianTitle });
        await Expect(result).ToBeVisibleAsync();
        await InEveryLanguageAsync(page, "2-search");
        // In the Chinese interface the Russian-only listing reads as a Chinese headline, with the seller's own title beside it.
        await Expect(result.GetByTestId("search-headline")).ToContainTextAsync("小麦");
        await Expect(result.GetByTestId("search-headline")).ToContainTextAsync("哈萨克斯坦");
        await Expect(result.GetByTestId("search-own-title")).ToContainTextAsync(russianTitle);

        // 3. The seller's company profile, from the result.
        await result.GetByTestId("search-seller-link").ClickAsync();
        await Expect(page.GetByTestId("company-name")).ToContainTextAsync("Steppe Grain KZ");
        await Expect(page.GetByTestId("company-listing")).ToContainTextAsync(russianTitle);
        await Expect(page.GetByTestId("company-verified-since")).Not.ToHaveTextAsync("尚未认证");
        await InEveryLanguageAsync(page, "3-company-profile");

        // 4. The listing, signed out: a clear call to sign in, the seller's profile, and no owner-only request.
        var ownerOnly = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/matches", StringComparison.Ordinal))
            {
                ownerOnly.Add(request.Url);
            }
        };
        await page.GetByTestId("company-listing").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByTestId("listing-signin-call")).ToContainTextAsync("登录后即可洽谈");
        await Expect(page.GetByTestId("listing-seller-link")).ToHaveAttributeAsync("href", $"/companies/{sellerOrg}");
        await InEveryLanguageAsync(page, "4-listing-signed-out");
        await Expect(page.GetByTestId("listing-title")).ToHaveTextAsync(russianTitle);
        await Expect(page.GetByTestId("listing-headline")).ToContainTextAsync("小麦");

        // 5. Sign in from the listing's call; then the dashboard (where sign-in lands without a `next`).
        await page.GetByTestId("listing-signin").ClickAsync();
        await page.GetByTestId("signin-email").FillAsync(buyerEmail);
        await page.GetByTestId("signin-password").FillAsync(BrowserHost.Password);
        await page.GetByTestId("signin-submit").ClickAsync();
        await Expect(page.GetByTestId("user-email")).ToHaveTextAsync(buyerEmail);
        await Expect(page.GetByTestId("listing-signin-call")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("negotiate-button")).ToBeVisibleAsync();
        ownerOnly.Should().BeEmpty("a buyer's and a visitor's listing page never ask for the seller's matches");

        await page.GetByTestId("nav-signout").ClickAsync();
        await page.GotoAsync("/signin");
        await page.GetByTestId("signin-email").FillAsync(buyerEmail);
        await page.GetByTestId("signin-password").FillAsync(BrowserHost.Password);
        await page.GetByTestId("signin-submit").ClickAsync();
        await page.WaitForURLAsync("**/dashboard");
        var awaiting = page.GetByTestId("dash-awaiting");
        await Expect(awaiting.GetByTestId("dash-offer")).ToContainTextAsync("1,241.5 USD/吨");
        await Expect(awaiting.GetByTestId("dash-offer")).ToContainTextAsync("剩余");
        await Expect(page.GetByTestId("dash-matches")).ToContainTextAsync(russianTitle);
        // The machine may be busy: the bell's first read gets more than Playwright's default 5 s.
        await Expect(page.GetByTestId("notifications-badge")).Not.ToHaveTextAsync("0", new() { Timeout = 20_000 });
        await InEveryLanguageAsync(page, "5-dashboard");

        // 6. The bell: the notices in Chinese, drawn without emoji; read all lowers the count to zero.
        await Expect(page.GetByTestId("notifications-bell").Locator("svg[data-icon=bell]")).ToBeVisibleAsync();
        await page.GetByTestId("notifications-bell").ClickAsync();
        await Expect(page.Locator("[data-testid=notification-row][data-code=match_buyer]")).ToContainTextAsync("您的小麦采购需求有新的匹配挂牌");
        await InEveryLanguageAsync(page, "6-notifications");
        await page.GetByTestId("notifications-read-all").ClickAsync();
        await Expect(page.GetByTestId("notifications-badge")).ToHaveTextAsync("0");

        // 7. A search that finds nothing: the buyer saves it, and the dead end offers a buy request prefilled from it.
        var marker = $"lot{Guid.NewGuid():N}"[..14];
        await page.GotoAsync($"/search?q={marker}&maxPrice=300");
        await Expect(page.GetByTestId("search-post-buy-request")).ToBeVisibleAsync();
        await page.GetByTestId("save-search").ClickAsync();
        await Expect(page.GetByTestId("saved-search")).ToContainTextAsync(marker);
        await InEveryLanguageAsync(page, "7-saved-search");
        await page.GetByTestId("search-post-buy-request").ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/buy-requests/new\\?"));
        await Expect(page.GetByTestId("rfq-note")).ToHaveValueAsync(marker);
        await Expect(page.GetByTestId("rfq-price")).ToHaveValueAsync("300");
        await Expect(page.GetByTestId("rfq-currency")).ToHaveValueAsync("USD");
        await InEveryLanguageAsync(page, "8-buy-request-prefilled");
        // Saved without a delivery place: the server's coded field error is worded in the interface's language.
        await page.GetByTestId("rfq-save").ClickAsync();
        await Expect(page.GetByTestId("field-error-namedPlace")).ToHaveTextAsync("必填。");
        await page.GetByTestId("lang-ru").ClickAsync();
        await Expect(page.GetByTestId("field-error-namedPlace")).ToHaveTextAsync("Обязательное поле.");
        await InEveryLanguageAsync(page, "8b-buy-request-field-errors");

        // 8. The seller publishes a matching listing: the buyer's bell shows the alert in Chinese, and it opens the listing.
        var matching = await SearchTests.PublishWheatAsync(seller, sellerOrg, "KZ", new { ru = $"Пшеница {marker}" });
        await host.Services.GetRequiredService<SearchIndexer>().DrainAsync(Ct);
        await Expect(page.GetByTestId("notifications-badge")).Not.ToHaveTextAsync("0", new() { Timeout = 20_000 });
        await page.GetByTestId("notifications-bell").ClickAsync();
        var alert = page.Locator("[data-testid=notification-row][data-code=saved_search_match]");
        await Expect(alert).ToContainTextAsync($"您保存的搜索「{marker}」有新挂牌：小麦");
        await InEveryLanguageAsync(page, "9-saved-search-alert");
        await alert.GetByRole(AriaRole.Button).ClickAsync();
        await page.WaitForURLAsync($"**/listings/{matching}");
        await Expect(page.GetByTestId("listing-title")).ToHaveTextAsync($"Пшеница {marker}");
        await InEveryLanguageAsync(page, "10-alert-listing");
    }
}
