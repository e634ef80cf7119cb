using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.Playwright;
using Scoda.Market.Web.Features.Taxonomy;
using static Microsoft.Playwright.Assertions;

namespace Scoda.Market.BrowserTests;

/// <summary>An exporter lists wheat, publishes it and puts stock in a warehouse; a buyer's user can read but not edit it.</summary>
public sealed partial class ListingTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    [Fact]
    public async Task An_exporter_creates_publishes_and_stocks_a_listing_that_another_organization_cannot_edit()
    {
        var page = await host.NewPageAsync();
        await BrowserHost.SignUpAsync(page, $"daniyar.{Guid.NewGuid():N}@kostanay.test");
        await BrowserHost.CreateOrganizationAsync(page, "Kostanay Grain Terminal LLP", "KZ", "exporter");

        await page.GotoAsync("/listings/new");
        await page.GetByTestId("listing-category").SelectOptionAsync(Category.IdFor("wheat").ToString());
        await page.GetByTestId("listing-title-en").FillAsync("Milling wheat, class 3");
        await page.GetByTestId("listing-title-zh").FillAsync("三级小麦");
        await page.GetByTestId("spec-protein").FillAsync("12.5");
        await page.GetByTestId("spec-moisture").FillAsync("13.5");
        await page.GetByTestId("spec-testWeight").FillAsync("76");
        await page.GetByTestId("listing-origin").SelectOptionAsync("KZ");
        await page.GetByTestId("listing-quantity").FillAsync("12.345");
        await page.GetByTestId("listing-minorder").FillAsync("1");
        await page.GetByTestId("listing-price").FillAsync("245.50");
        await page.GetByTestId("listing-currency").SelectOptionAsync("USD");
        await page.GetByTestId("listing-incoterm").SelectOptionAsync("FOB");
        await page.GetByTestId("listing-place").FillAsync("Khorgos");
        await page.GetByTestId("listing-mode").SelectOptionAsync("rail");
        await page.GetByTestId("listing-term-lc_sight").CheckAsync();
        await page.GetByTestId("listing-save").ClickAsync();
        // FOB is for sea transport; the server refuses it for a rail place and the form shows why.
        await Expect(page.GetByTestId("field-error-incoterm")).ToBeVisibleAsync();
        await BrowserHost.ScreenshotAsync(page, "listing-1-sea-only-refused");

        await page.GetByTestId("listing-incoterm").SelectOptionAsync("DAP");
        await page.GetByTestId("listing-save").ClickAsync();
        await Expect(page.GetByTestId("listing-status")).ToHaveAttributeAsync("data-status", "draft");
        var listingId = ListingPath().Match(page.Url).Groups[1].Value;
        await page.GetByTestId("listing-publish").ClickAsync();
        await Expect(page.GetByTestId("listing-status")).ToHaveAttributeAsync("data-status", "published");
        await Expect(page.GetByTestId("listing-normalized")).ToContainTextAsync("CNY");

        await page.GotoAsync("/warehouses");
        await page.GetByTestId("warehouse-name").FillAsync("Khorgos Gateway dry port");
        await page.GetByTestId("warehouse-kind").SelectOptionAsync("port");
        await page.GetByTestId("warehouse-country").SelectOptionAsync("KZ");
        await page.GetByTestId("warehouse-city").FillAsync("Khorgos");
        await page.GetByTestId("warehouse-lat").FillAsync("44.2132");
        await page.GetByTestId("warehouse-lon").FillAsync("80.4103");
        await page.GetByTestId("warehouse-submit").ClickAsync();
        await page.GetByTestId("warehouse-row").GetByRole(AriaRole.Link).ClickAsync();
        await page.GetByTestId("movement-kind").SelectOptionAsync("receipt");
        await page.GetByTestId("movement-listing").SelectOptionAsync(listingId);
        await page.GetByTestId("movement-lot").FillAsync("KST-2026-001");
        await page.GetByTestId("movement-quantity").FillAsync("12.345");
        await page.GetByTestId("movement-submit").ClickAsync();
        await Expect(page.GetByTestId("stock-row").GetByTestId("stock-on-hand")).ToContainTextAsync("12.345");
        await Expect(page.GetByTestId("ledger-row")).ToHaveCountAsync(1);
        await BrowserHost.ScreenshotAsync(page, "listing-2-warehouse-stock");

        await page.GotoAsync($"/listings/{listingId}");
        await Expect(page.GetByTestId("availability-row")).ToContainTextAsync("12.345");
        await BrowserHost.ScreenshotAsync(page, "listing-3-published-with-stock");

        var buyer = await host.NewPageAsync();
        await BrowserHost.SignUpAsync(buyer, $"li.wei.{Guid.NewGuid():N}@haiyun.test");
        await BrowserHost.CreateOrganizationAsync(buyer, "Qingdao Haiyun Grain Import Co., Ltd.", "CN", "importer");
        await buyer.GotoAsync($"/listings/{listingId}");
        await Expect(buyer.GetByTestId("listing-title")).ToContainTextAsync("Milling wheat");
        await Expect(buyer.GetByTestId("listing-edit")).ToHaveCountAsync(0);
        await Expect(buyer.GetByTestId("listing-publish")).ToHaveCountAsync(0);

        // Even on the editor's URL, saving is refused by the server and nothing changes.
        await buyer.GotoAsync($"/listings/{listingId}/edit");
        await buyer.GetByTestId("listing-price").FillAsync("1");
        await buyer.GetByTestId("listing-save").ClickAsync();
        await Expect(buyer.GetByTestId("form-errors")).ToBeVisibleAsync();
        await BrowserHost.ScreenshotAsync(buyer, "listing-4-other-organization-refused");
        await page.ReloadAsync();
        await Expect(page.GetByTestId("listing-price-value")).ToContainTextAsync("245.5");
    }

    [Fact]
    public async Task The_import_page_links_a_reference_of_every_code_with_names_in_three_languages_and_a_filter()
    {
        var page = await host.NewPageAsync();
        await BrowserHost.SignUpAsync(page, $"aigerim.{Guid.NewGuid():N}@kostanay.test");
        await BrowserHost.CreateOrganizationAsync(page, "Kostanay Import Desk LLP", "KZ", "exporter");
        await page.GotoAsync("/listings/import");
        await page.GetByTestId("import-reference-link").ClickAsync();
        await page.WaitForURLAsync("**/listings/import/reference");

        var wheat = page.Locator("[data-testid=reference-category][data-code=wheat]");
        await Expect(wheat).ToContainTextAsync("100199");
        await Expect(wheat).ToContainTextAsync("小麦");
        await Expect(wheat).ToContainTextAsync("Пшеница");
        await Expect(page.Locator("[data-testid=reference-spec][data-category=wheat][data-code=protein]")).ToContainTextAsync("8–18");
        await Expect(page.GetByTestId("reference-csv")).ToHaveAttributeAsync("href", "/api/listings/import/reference.csv");

        // The code a seller guessed wrong (lc_at_sight) is found by filtering, with its names from the dictionaries.
        await page.GetByTestId("reference-filter").FillAsync("lc_");
        await Expect(page.GetByTestId("reference-terms-row")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-testid=reference-terms-row][data-code=lc_sight]")).ToContainTextAsync("即期信用证");
        await Expect(page.GetByTestId("reference-category")).ToHaveCountAsync(0);
        foreach (var lang in new[] { "en", "ru", "zh" })
        {
            await page.GetByTestId($"lang-{lang}").ClickAsync();
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", lang == "zh" ? "zh-CN" : lang);
            await BrowserHost.ScreenshotAsync(page, $"import-reference-{lang}");
        }
        await Expect(page.GetByTestId("reference-title")).ToHaveTextAsync("导入代码参考");

        var csv = await page.APIRequest.GetAsync("/api/listings/import/reference.csv");
        (await csv.TextAsync()).Should().Contain("payment_term,lc_sight");
    }

    [GeneratedRegex("/listings/([0-9a-f-]{36})")]
    private static partial Regex ListingPath();
}
