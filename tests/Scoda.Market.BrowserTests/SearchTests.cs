using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Scoda.Market.Web.Features.Search;
using Scoda.Market.Web.Features.Taxonomy;
using static Microsoft.Playwright.Assertions;

namespace Scoda.Market.BrowserTests;

/// <summary>A buyer types Russian and finds a listing written only in Chinese and English; a facet narrows the result.</summary>
public sealed class SearchTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    internal static async Task<HttpClient> SellerAsync(BrowserHost host, string? email = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        email ??= $"seller.{Guid.NewGuid():N}@steppe.test";
        (await client.PostAsJsonAsync("/api/auth/register", new { email, password = BrowserHost.Password })).EnsureSuccessStatusCode();
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password = BrowserHost.Password });
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    internal static async Task<Guid> OrganizationAsync(HttpClient seller, string country)
    {
        var response = await seller.PostAsJsonAsync("/api/organizations", new
        {
            name = $"Steppe Grain {country}", countryCode = country, kind = "exporter", registrationNumber = $"{Random.Shared.NextInt64(100_000_000, 999_999_999)}",
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    internal static async Task<Guid> PublishWheatAsync(HttpClient seller, Guid organization, string origin, object title, string paymentTerm = "lc_sight")
    {
        var created = await seller.PostAsJsonAsync("/api/listings", new
        {
            organizationId = organization, categoryId = Category.IdFor("wheat"), title,
            specs = new { protein = 12.5, moisture = 13.5, testWeight = 76 }, originCountry = origin,
            quantity = new { value = 3000, unit = "t" }, minOrder = new { value = 100, unit = "t" },
            price = new { amount = "241.00", currency = "USD", unit = "t" }, incoterm = "DAP", namedPlace = "Khorgos", deliveryMode = "rail",
            paymentTerms = new[] { paymentTerm }, validUntil = DateTimeOffset.UtcNow.AddDays(30),
        });
        created.StatusCode.Should().Be(System.Net.HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        (await seller.PostAsync($"/api/listings/{id}/publish", null)).EnsureSuccessStatusCode();
        return id;
    }

    [Fact]
    public async Task A_russian_query_finds_a_chinese_and_english_listing_and_a_facet_narrows_the_result()
    {
        var page = await host.NewPageAsync();
        var seller = await SellerAsync(host);
        await PublishWheatAsync(seller, await OrganizationAsync(seller, "KZ"), "KZ", new { zh = "优质小麦 国际标准", en = "Premium milling wheat, international standard" });
        await PublishWheatAsync(seller, await OrganizationAsync(seller, "RU"), "RU", new { zh = "俄罗斯小麦", en = "Russian milling wheat" });
        await host.Services.GetRequiredService<SearchIndexer>().DrainAsync(TestContext.Current.CancellationToken);

        await page.GotoAsync("/search");
        await page.GetByTestId("search-input").FillAsync("пшеница");
        await page.GetByTestId("search-submit").ClickAsync();
        await Expect(page.GetByTestId("search-result")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("search-result").First).Not.ToContainTextAsync("пшеница");
        await BrowserHost.ScreenshotAsync(page, "search-1-russian-query");

        await page.Locator("[data-testid=facet-option][data-facet=origin][data-key=KZ] input").CheckAsync();
        await Expect(page.GetByTestId("search-result")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("search-result")).ToContainTextAsync("Premium milling wheat");
        await Expect(page.GetByTestId("search-total")).ToHaveAttributeAsync("data-total", "1");
        await BrowserHost.ScreenshotAsync(page, "search-2-facet-narrows");
        page.Url.Should().Contain("origin=KZ");
    }
}

/// <summary>An importer posts a buy request in the UI and sees the listing that matches it, with the reasons (own host, own data).</summary>
public sealed class BuyRequestTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    [Fact]
    public async Task An_importer_posts_a_buy_request_and_sees_the_matching_listing_with_reasons()
    {
        var seller = await SearchTests.SellerAsync(host);
        await SearchTests.PublishWheatAsync(seller, await SearchTests.OrganizationAsync(seller, "UZ"), "UZ", new { en = "Uzbek milling wheat for Qingdao mills" });
        await host.Services.GetRequiredService<SearchIndexer>().DrainAsync(TestContext.Current.CancellationToken);

        var page = await host.NewPageAsync();
        await BrowserHost.SignUpAsync(page, $"buyer.{Guid.NewGuid():N}@jiaodong.test");
        await BrowserHost.CreateOrganizationAsync(page, "Shandong Jiaodong Feed Mill", "CN", "importer");
        await page.GotoAsync("/buy-requests/new");
        await page.GetByTestId("rfq-category").SelectOptionAsync(Category.IdFor("wheat").ToString());
        await page.GetByTestId("rfq-spec-protein-min").FillAsync("12");
        await page.GetByTestId("rfq-spec-protein-max").FillAsync("14");
        await page.GetByTestId("rfq-quantity").FillAsync("2000");
        await page.GetByTestId("rfq-price").FillAsync("230");
        await page.GetByTestId("rfq-incoterm").SelectOptionAsync("DAP");
        await page.GetByTestId("rfq-place").FillAsync("Khorgos");
        await page.GetByTestId("rfq-save").ClickAsync();
        await Expect(page.GetByTestId("rfq-title")).ToBeVisibleAsync();

        await host.Services.GetRequiredService<SearchIndexer>().DrainAsync(TestContext.Current.CancellationToken);
        await page.ReloadAsync();
        var match = page.GetByTestId("match-row").Filter(new LocatorFilterOptions { HasText = "Uzbek milling wheat" });
        await Expect(match.GetByTestId("match-reason")).ToContainTextAsync(["Protein (dry basis) 12.5% within 12–14", "DAP Khorgos matches", "price 5% above target"]);
        // The buyer was notified of the new matches; the bell counts them.
        await Expect(page.GetByTestId("notifications-badge")).Not.ToHaveTextAsync("0");
        await BrowserHost.ScreenshotAsync(page, "buy-request-matches");
    }
}
