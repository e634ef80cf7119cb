using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Scoda.Market.BrowserTests;

/// <summary>A person signs up, creates a company, requests verification; an admin verifies it; the UI speaks three languages.</summary>
public sealed class OnboardingTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    // A one-object PDF whose startxref points at its cross-reference table (the server checks the structure).
    static readonly byte[] Pdf = [.. "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer << /Size 2 /Root 1 0 R >>\nstartxref\n45\n%%EOF\n"u8];

    [Fact]
    public async Task A_trader_signs_up_creates_an_organization_and_an_admin_verifies_it()
    {
        var page = await host.NewPageAsync();
        var email = $"aigerim.{Guid.NewGuid():N}@kostanay.test";
        await BrowserHost.SignUpAsync(page, email);

        await BrowserHost.CreateOrganizationAsync(page, "Kostanay Grain Terminal LLP", "KZ", "exporter");
        await Expect(page.GetByTestId("org-verification-status")).ToHaveAttributeAsync("data-status", "unverified");

        await page.GetByTestId("verification-files").SetInputFilesAsync(new FilePayload { Name = "registration-certificate.pdf", MimeType = "application/pdf", Buffer = Pdf });
        await page.GetByTestId("verification-note").FillAsync("Certificate of state registration, BIN 180940012345");
        await page.GetByTestId("verification-submit").ClickAsync();
        await Expect(page.GetByTestId("org-verification-status")).ToHaveAttributeAsync("data-status", "pending");
        await BrowserHost.ScreenshotAsync(page, "onboarding-1-pending");

        var adminEmail = $"admin.{Guid.NewGuid():N}@scoda.test";
        await host.MakeAdminAsync(adminEmail, BrowserHost.Password);
        var admin = await host.NewPageAsync();
        await admin.GotoAsync("/signin");
        await admin.GetByTestId("signin-email").FillAsync(adminEmail);
        await admin.GetByTestId("signin-password").FillAsync(BrowserHost.Password);
        await admin.GetByTestId("signin-submit").ClickAsync();
        await Expect(admin.GetByTestId("user-email")).ToHaveTextAsync(adminEmail);
        await admin.GetByTestId("nav-admin").ClickAsync();
        var row = admin.GetByTestId("admin-org-row").Filter(new LocatorFilterOptions { HasText = "Kostanay Grain Terminal LLP" });
        await row.GetByTestId("admin-note").FillAsync("BIN checked against the state register");
        await row.GetByTestId("admin-verify").ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        await BrowserHost.ScreenshotAsync(admin, "onboarding-2-admin-queue");

        await page.ReloadAsync();
        await Expect(page.GetByTestId("org-verification-status")).ToHaveAttributeAsync("data-status", "verified");
        await BrowserHost.ScreenshotAsync(page, "onboarding-3-verified");
    }

    [Fact]
    public async Task The_interface_switches_between_english_russian_and_chinese()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync("/");
        var search = page.GetByTestId("nav-search");
        var english = await search.InnerTextAsync();

        await page.GetByTestId("lang-ru").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ru");
        await Expect(search).Not.ToHaveTextAsync(english);
        await Expect(search).ToHaveTextAsync(new Regex("[\u0400-\u04FF]"));
        await BrowserHost.ScreenshotAsync(page, "language-ru");

        await page.GetByTestId("lang-zh").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Expect(search).ToHaveTextAsync(new Regex("[\u4E00-\u9FFF]"));
        await BrowserHost.ScreenshotAsync(page, "language-zh");

        await page.ReloadAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");

        await page.GetByTestId("lang-en").ClickAsync();
        await Expect(search).ToHaveTextAsync(english);
    }

    [Fact]
    public async Task A_weak_password_shows_the_servers_reasons()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync("/signup");
        await page.GetByTestId("signup-email").FillAsync($"weak.{Guid.NewGuid():N}@example.test");
        await page.GetByTestId("signup-password").FillAsync("weakpass");
        await page.GetByTestId("signup-confirm").FillAsync("weakpass");
        await page.GetByTestId("signup-submit").ClickAsync();

        await Expect(page.GetByTestId("form-errors")).ToContainTextAsync("10");
        await Expect(page.GetByTestId("user-email")).ToHaveCountAsync(0);
    }
}
