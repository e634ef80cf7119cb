using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Scoda.Market.BrowserTests;

/// <summary>
/// A deal carried to completion in three browsers, with the embedded Offline payment provider: the Qingdao buyer
/// accepts the exporter's offer (binding, with the total shown), pays the deposit by bank transfer (the page shows the
/// reference to quote), an admin confirms receipt, the exporter uploads the documents, the buyer accepts them, the
/// exporter ships, the buyer confirms delivery and the deal completes; the warehouse ledger shows the shipment.
/// </summary>
public sealed class DealCompletionTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    [Fact]
    public async Task A_deal_goes_from_acceptance_through_deposit_documents_and_shipment_to_completion()
    {
        var ct = TestContext.Current.CancellationToken;
        // The exporter, a listing paid by T/T and 1,000 t in the Khorgos dry port, set up through the API.
        var sellerEmail = $"seller.{Guid.NewGuid():N}@steppe.test";
        var seller = await SearchTests.SellerAsync(host, sellerEmail);
        var sellerOrganization = await SearchTests.OrganizationAsync(seller, "KZ");
        var listingId = await SearchTests.PublishWheatAsync(seller, sellerOrganization, "KZ", new { en = "Kostanay milling wheat, 12.5% protein" }, "tt_advance");
        var warehouseId = await NegotiationTests.StockedWarehouseAsync(seller, sellerOrganization, listingId, "KST-2026-11", ct);

        // The buyer opens the room from the listing; the exporter offers 500 t from the dry port over the API.
        var buyer = await host.NewPageAsync();
        await BrowserHost.SignUpAsync(buyer, $"buyer.{Guid.NewGuid():N}@jiaodong.test");
        await BrowserHost.CreateOrganizationAsync(buyer, "Qingdao Jiaodong Grain Import Co.", "CN", "importer");
        await buyer.GotoAsync($"/listings/{listingId}");
        await buyer.GetByTestId("negotiate-button").ClickAsync();
        await Expect(buyer.GetByTestId("connection-state")).ToHaveAttributeAsync("data-state", "live");
        var roomId = buyer.Url.Split('/').Last();
        (await seller.PostAsJsonAsync($"/api/negotiations/{roomId}/offers", new
        {
            clientMessageId = Guid.NewGuid().ToString(),
            terms = OfferTerms(warehouseId),
        }, ct)).EnsureSuccessStatusCode();

        // Accepting is binding: the buyer sees the terms and the total, and confirms.
        await buyer.GetByTestId("offer-accept").ClickAsync();
        var accept = buyer.GetByTestId("accept-confirm");
        await Expect(accept.GetByTestId("accept-total")).ToContainTextAsync("120,000 USD");
        await accept.GetByTestId("accept-confirm-confirm").ClickAsync();
        await buyer.GetByTestId("deal-banner").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(buyer.GetByTestId("deal-status")).ToHaveAttributeAsync("data-status", "agreed");
        var dealId = await buyer.GetByTestId("deal-page").GetAttributeAsync("data-deal-id");
        dealId.Should().NotBeNullOrEmpty();
        await BrowserHost.ScreenshotAsync(buyer, "deal-0-agreed");
        // The reservation is named by warehouse and lot, never by its id.
        await Expect(buyer.GetByTestId("deal-reservation")).ToContainTextAsync("Khorgos Gateway dry port");
        await Expect(buyer.GetByTestId("deal-reservation")).ToContainTextAsync("KST-2026-11");
        await Expect(buyer.GetByTestId("deal-live")).ToHaveAttributeAsync("data-state", "live");

        // The buyer pays the deposit (10% of 120,000 USD) by bank transfer: the page shows the reference to quote.
        await buyer.GetByTestId("deposit-pay").ClickAsync();
        await Expect(buyer.GetByTestId("deposit-confirm")).ToContainTextAsync("12,000");
        await buyer.GetByTestId("deposit-confirm-confirm").ClickAsync();
        var instructions = buyer.GetByTestId("bank-instructions");
        await Expect(instructions.GetByTestId("bank-amount")).ToContainTextAsync("12,000");
        var reference = (await instructions.GetByTestId("bank-reference").TextContentAsync())!.Trim();
        reference.Should().NotBeNullOrEmpty();
        await Expect(buyer.GetByTestId("deal-status")).ToHaveAttributeAsync("data-status", "depositPending");
        await BrowserHost.ScreenshotAsync(buyer, "deal-1-bank-instructions");

        // An admin finds the transfer by its reference and confirms receipt: amount, value date, bank reference.
        var adminEmail = $"admin.{Guid.NewGuid():N}@scoda.test";
        await host.MakeAdminAsync(adminEmail, BrowserHost.Password);
        var admin = await host.NewPageAsync();
        await NegotiationTests.SignInAsync(admin, adminEmail);
        await admin.GotoAsync("/admin/payments");
        var row = admin.Locator($"[data-testid=admin-payment-row][data-reference='{reference}']");
        await Expect(row.GetByTestId("admin-confirm-amount")).ToHaveValueAsync(new Regex(@"^12000(\.0+)?$"));
        await row.GetByTestId("admin-confirm-date").FillAsync(DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await row.GetByTestId("admin-confirm-reference").FillAsync("BOC-QD-20261203-0042");
        await row.GetByTestId("admin-confirm").ClickAsync();
        await admin.GetByTestId("admin-confirm-dialog-confirm").ClickAsync();
        await Expect(admin.GetByTestId("admin-payments-notice")).ToContainTextAsync(reference);
        // The reconciliation with Stripe runs on the server: this host has no Stripe key, and says so.
        await admin.GetByTestId("admin-reconcile-stripe").ClickAsync();
        await Expect(admin.GetByTestId("stripe-reconciliation-summary")).ToHaveAttributeAsync("data-mismatches", "0");
        await BrowserHost.ScreenshotAsync(admin, "deal-2-admin-confirmed");

        // The buyer's page follows live: the deposit is paid, the ledger has it.
        await Expect(buyer.GetByTestId("deal-status")).ToHaveAttributeAsync("data-status", "depositPaid", new() { Timeout = 15_000 });
        await Expect(buyer.Locator("[data-testid=payments-ledger-row][data-key=captured]")).ToContainTextAsync("12,000");

        // The exporter uploads every required document.
        var sellerPage = await host.NewPageAsync();
        await NegotiationTests.SignInAsync(sellerPage, sellerEmail);
        await sellerPage.GotoAsync($"/deals/{dealId}");
        await Expect(sellerPage.GetByTestId("deal-status")).ToHaveAttributeAsync("data-status", "depositPaid");
        var required = sellerPage.Locator("[data-testid=checklist-row][data-required=true]");
        var kinds = new List<string>();
        foreach (var item in await required.AllAsync())
        {
            kinds.Add((await item.GetAttributeAsync("data-kind"))!);
        }
        kinds.Should().NotBeEmpty().And.Contain("commercial_invoice");
        foreach (var kind in kinds)
        {
            var upload = sellerPage.Locator($"[data-testid=checklist-row][data-kind={kind}]");
            await upload.GetByTestId("checklist-file").SetInputFilesAsync(new FilePayload { Name = $"{kind}.pdf", MimeType = "application/pdf", Buffer = Pdf(kind) });
            await upload.GetByTestId("checklist-upload").ClickAsync();
            await Expect(upload).ToHaveAttributeAsync("data-status", "uploaded");
        }
        await BrowserHost.ScreenshotAsync(sellerPage, "deal-3-documents-uploaded");

        // The buyer's checklist fills in live; the buyer accepts each document.
        foreach (var kind in kinds)
        {
            var review = buyer.Locator($"[data-testid=checklist-row][data-kind={kind}]");
            await Expect(review).ToHaveAttributeAsync("data-status", "uploaded", new() { Timeout = 15_000 });
            await review.GetByTestId("checklist-accept").ClickAsync();
            await Expect(review).ToHaveAttributeAsync("data-status", "accepted");
        }
        await Expect(buyer.GetByTestId("checklist-summary")).ToHaveAttributeAsync("data-complete", "true");

        // The exporter ships (confirming first); the buyer confirms delivery; the deal completes.
        await Transition(sellerPage, "ship", "shipped");
        await Expect(buyer.GetByTestId("deal-status")).ToHaveAttributeAsync("data-status", "shipped", new() { Timeout = 15_000 });
        // The log names each actor's side: the seller shipped, a platform admin confirmed the deposit.
        var shippedEvent = buyer.Locator("[data-testid=deal-event][data-to=shipped]");
        await Expect(shippedEvent).ToHaveAttributeAsync("data-actor-side", "seller", new() { Timeout = 15_000 });
        await Expect(shippedEvent.GetByTestId("deal-event-actor")).ToContainTextAsync("Seller · ");
        await Expect(buyer.Locator("[data-testid=deal-event][data-to=depositPaid]").GetByTestId("deal-event-actor")).ToHaveTextAsync("Platform admin");
        await Transition(buyer, "deliver", "delivered");
        var completer = await buyer.GetByTestId("deal-action-complete").IsVisibleAsync() ? buyer : sellerPage;
        await Expect(completer.GetByTestId("deal-action-complete")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Transition(completer, "complete", "completed");
        await Expect(buyer.GetByTestId("deal-status")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 15_000 });
        await Expect(buyer.Locator("[data-testid=deal-step][data-status=completed]")).ToHaveAttributeAsync("data-state", "done");
        await Expect(buyer.Locator("[data-testid=deal-event][data-to=completed]")).ToBeVisibleAsync();
        await BrowserHost.ScreenshotAsync(buyer, "deal-4-completed-buyer");

        // The warehouse ledger shows the 500 t leaving lot KST-2026-11 as a shipment.
        await sellerPage.GotoAsync($"/warehouses/{warehouseId}");
        var shipment = sellerPage.Locator("[data-testid=ledger-row][data-kind=shipment]");
        await Expect(shipment).ToHaveCountAsync(1);
        await Expect(shipment).ToContainTextAsync("KST-2026-11");
        await Expect(shipment).ToContainTextAsync("500");
        await BrowserHost.ScreenshotAsync(sellerPage, "deal-5-warehouse-shipment");
    }

    static async Task Transition(IPage page, string action, string status)
    {
        await page.GetByTestId($"deal-action-{action}").ClickAsync();
        var dialog = page.GetByTestId("deal-confirm");
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByTestId("deal-confirm-confirm").ClickAsync();
        await Expect(page.GetByTestId("deal-status")).ToHaveAttributeAsync("data-status", status);
    }

    static Dictionary<string, object?> OfferTerms(Guid warehouseId)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        return new Dictionary<string, object?>
        {
            ["price"] = new { amount = 240m, currency = "USD", unit = "t" },
            ["quantity"] = new { value = 500m, unit = "t" },
            ["tolerancePercent"] = 5,
            ["incoterm"] = "DAP",
            ["namedPlace"] = "Khorgos",
            ["deliveryMode"] = "rail",
            ["deliveryWindow"] = new { from = today.AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to = today.AddDays(40).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
            ["paymentTerms"] = "tt_advance",
            ["inspectionBody"] = "SGS",
            ["specs"] = new { protein = 12.5 },
            ["sourceWarehouseId"] = warehouseId,
            ["validUntil"] = DateTimeOffset.UtcNow.AddDays(2).ToString("O", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>A small valid PDF naming the document (the server detects the type from the bytes).</summary>
    static byte[] Pdf(string title)
    {
        var body = $"BT /F1 12 Tf 72 720 Td ({title}) Tj ET";
        var objects = new[]
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {body.Length} >>\nstream\n{body}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        };
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }
        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }
}
