using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Scoda.Market.BrowserTests;

/// <summary>
/// A Qingdao buyer and a Kazakh exporter in two browser contexts: they open a room, talk, offer, counter from the
/// seller's warehouse, accept, and both see the deal; the seller's warehouse shows the tonnes reserved for it.
/// </summary>
public sealed class NegotiationTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    [Fact]
    public async Task Buyer_and_seller_negotiate_to_a_deal_that_reserves_the_stock()
    {
        var ct = TestContext.Current.CancellationToken;
        // The exporter, its listing and 1,000 t in a dry port, set up through the API.
        var sellerEmail = $"seller.{Guid.NewGuid():N}@steppe.test";
        var seller = await SearchTests.SellerAsync(host, sellerEmail);
        var sellerOrganization = await SearchTests.OrganizationAsync(seller, "KZ");
        var listingId = await SearchTests.PublishWheatAsync(seller, sellerOrganization, "KZ", new { en = "Kostanay milling wheat, 12.5% protein" });
        var warehouse = await seller.PostAsJsonAsync("/api/warehouses", new
        {
            organizationId = sellerOrganization, name = "Khorgos Gateway dry port", kind = "port", countryCode = "KZ", city = "Khorgos",
            location = new { lat = 44.2132m, lon = 80.4103m },
        }, ct);
        var warehouseId = (await warehouse.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        (await seller.PostAsJsonAsync($"/api/warehouses/{warehouseId}/movements", new
        {
            kind = "receipt", listingId, lot = "KST-2026-07", quantity = new { value = 1000, unit = "t" }, qualityCertificate = "SGS-KST-2026-07",
        }, ct)).EnsureSuccessStatusCode();

        // The buyer signs up in the browser and opens the room from the listing page. Its WebSockets can be cut
        // (window.__drop) and kept from coming back (window.__offline), as a network drop would.
        var buyer = await host.NewPageAsync();
        await buyer.AddInitScriptAsync("""
            (() => {
              const Native = window.WebSocket;
              const open = [];
              window.__offline = false;
              window.__drop = () => { window.__offline = true; open.forEach(s => s.close()); };
              window.WebSocket = class extends Native {
                constructor(...args) {
                  if (window.__offline) throw new Error('offline');
                  super(...args);
                  open.push(this);
                }
              };
              // Offline means every transport: SignalR would otherwise fall back to server-sent events or polling.
              const nativeFetch = window.fetch;
              window.fetch = (...args) => window.__offline ? Promise.reject(new TypeError('offline')) : nativeFetch(...args);
              const NativeEventSource = window.EventSource;
              window.EventSource = class extends NativeEventSource {
                constructor(...args) {
                  if (window.__offline) throw new Error('offline');
                  super(...args);
                }
              };
            })();
            """);
        await BrowserHost.SignUpAsync(buyer, $"buyer.{Guid.NewGuid():N}@jiaodong.test");
        await BrowserHost.CreateOrganizationAsync(buyer, "Qingdao Jiaodong Grain Import Co.", "CN", "importer");
        await buyer.GotoAsync($"/listings/{listingId}");
        await buyer.GetByTestId("negotiate-button").ClickAsync();
        await Expect(buyer.GetByTestId("connection-state")).ToHaveAttributeAsync("data-state", "live");
        await buyer.GetByTestId("message-input").FillAsync("Good morning. We need 600 t for a Jiaozhou mill, December.");
        await buyer.GetByTestId("message-send").ClickAsync();

        // The seller, in another context, finds the room in "my negotiations" with the unread count.
        var sellerPage = await host.NewPageAsync();
        await SignInAsync(sellerPage, sellerEmail);
        await sellerPage.GotoAsync("/negotiations");
        await Expect(sellerPage.GetByTestId("unread-count")).Not.ToHaveTextAsync("0");
        await sellerPage.GetByTestId("negotiation-row").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(sellerPage.GetByTestId("connection-state")).ToHaveAttributeAsync("data-state", "live");
        await Expect(Events(sellerPage, "message")).ToContainTextAsync("600 t for a Jiaozhou mill");

        // The buyer's network drops; the seller answers meanwhile; back online, the buyer's room shows what it missed.
        await buyer.EvaluateAsync("() => window.__drop()");
        await Expect(buyer.GetByTestId("connection-state")).ToHaveAttributeAsync("data-state", "reconnecting");
        await sellerPage.GetByTestId("message-input").FillAsync("Welcome. 600 t can load from Khorgos in the first week of December.");
        await sellerPage.GetByTestId("message-send").ClickAsync();
        await Expect(Events(sellerPage, "message")).ToContainTextAsync("first week of December");
        await buyer.EvaluateAsync("() => { window.__offline = false; }");
        await Expect(buyer.GetByTestId("connection-state")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 20_000 });
        await Expect(Events(buyer, "message")).ToContainTextAsync("first week of December");

        // The buyer offers 600 t at 236 USD/t.
        await buyer.GetByTestId("offer-open-composer").ClickAsync();
        var form = buyer.GetByTestId("offer-form");
        await form.GetByTestId("price-amount").FillAsync("236");
        await form.GetByTestId("quantity-value").FillAsync("600");
        await form.GetByTestId("offer-submit").ClickAsync();
        await Expect(Events(sellerPage, "offer")).ToContainTextAsync("236");

        // The seller counters at 241.5 from the dry port; the buyer sees what changed, field by field.
        await sellerPage.GetByTestId("offer-counter").ClickAsync();
        var counter = sellerPage.GetByTestId("offer-form");
        await Expect(counter.GetByTestId("price-amount")).ToHaveValueAsync("236");
        await counter.GetByTestId("price-amount").FillAsync("241.5");
        await counter.GetByTestId("source-warehouse").SelectOptionAsync(warehouseId.ToString());
        await counter.GetByTestId("offer-submit").ClickAsync();
        await Expect(Events(buyer, "counter")).ToBeVisibleAsync();
        var priceChange = buyer.Locator("[data-testid=counter-change][data-field=price]");
        await Expect(priceChange).ToContainTextAsync("236 USD/t");
        await Expect(priceChange).ToContainTextAsync("241.5 USD/t");
        await BrowserHost.ScreenshotAsync(buyer, "negotiation-1-counter");

        // The buyer accepts, confirming the total the page shows (binding acceptance); both sides see the deal.
        string? confirmation = null;
        buyer.Dialog += (_, dialog) =>
        {
            confirmation = dialog.Message;
            _ = dialog.AcceptAsync();
        };
        await buyer.GetByTestId("offer-accept").ClickAsync();
        await Expect(buyer.GetByTestId("deal-banner")).ToBeVisibleAsync();
        await Expect(sellerPage.GetByTestId("deal-banner")).ToBeVisibleAsync();
        await Expect(Events(sellerPage, "deal_created")).ToContainTextAsync("144,900 USD"); // the locale formatter groups totals (issue 14)
        confirmation.Should().Contain("144");
        await BrowserHost.ScreenshotAsync(sellerPage, "negotiation-2-deal-seller");

        // The seller's stock shows the 600 t held for the deal.
        await sellerPage.GotoAsync($"/warehouses/{warehouseId}");
        var lot = sellerPage.Locator("[data-testid=stock-row][data-lot=KST-2026-07]");
        await Expect(lot.GetByTestId("stock-reserved")).ToContainTextAsync("600");
        await Expect(lot.GetByTestId("stock-available")).ToContainTextAsync("400");
        await BrowserHost.ScreenshotAsync(sellerPage, "negotiation-3-stock-reserved");

        (await buyer.GetByTestId("deal-banner").Locator("a").GetAttributeAsync("href")).Should().StartWith("/deals/");
    }

    static ILocator Events(IPage page, string type) => page.Locator($"[data-testid=room-event][data-type={type}]").Last;

    static async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync("/signin");
        await page.GetByTestId("signin-email").FillAsync(email);
        await page.GetByTestId("signin-password").FillAsync(BrowserHost.Password);
        await page.GetByTestId("signin-submit").ClickAsync();
        await Expect(page.GetByTestId("user-email")).ToHaveTextAsync(email);
    }
}
