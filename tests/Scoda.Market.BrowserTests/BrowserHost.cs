using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using FluentAssertions;
using Microsoft.Playwright;
using Scoda.Market.Testing;
using Scoda.Market.Web.Features.Accounts;

namespace Scoda.Market.BrowserTests;

/// <summary>
/// The real host on a Kestrel port with the built web client, and Debian's chromium driven by Playwright. Tests skip,
/// saying why, where chromium is not installed (Playwright's own browser download cannot run here).
/// </summary>
public sealed class BrowserHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    readonly string _data = Path.Combine(Path.GetTempPath(), "scoda-browser", Guid.NewGuid().ToString("N"));
    IPlaywright? _playwright;
    IBrowser? _browser;
    string? _skip;

    public string BaseUrl { get; private set; } = "";

    public IBrowser Browser
    {
        get
        {
            if (_skip is not null)
            {
                Assert.Skip(_skip);
            }
            return _browser!;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Storage:DataPath", _data);
        // The tests sign up and search faster than people do.
        foreach (var group in Scoda.Market.Web.Infrastructure.Security.RateLimitOptions.Groups)
        {
            builder.UseSetting($"RateLimits:{group}:PerIp", "1000000");
            builder.UseSetting($"RateLimits:{group}:PerAccount", "1000000");
        }
    }

    public async ValueTask InitializeAsync()
    {
        var chromium = FindChromium();
        if (chromium is null)
        {
            _skip = "Browser tests skipped: Debian's 'chromium' is not installed (apt-get install -y chromium; .ci/run does this).";
            TestContext.Current.SendDiagnosticMessage(_skip);
            return;
        }
        if (!File.Exists(RepositoryFolder.Path("src", "Scoda.Market.Web", "webclient", "index.html")))
        {
            throw new InvalidOperationException("The web client was not built into src/Scoda.Market.Web/webclient; build without -p:SkipWebClient=true.");
        }
        UseKestrel(0);
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "localhost", StringComparison.Ordinal).Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }

    /// <summary>A new browser context (its own cookies) at the app's address.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        return await context.NewPageAsync();
    }

    public async Task MakeAdminAsync(string email, string password)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = new User { UserName = email, Email = email, EmailConfirmed = true };
        (await users.CreateAsync(user, password)).Succeeded.Should().BeTrue();
        (await users.AddToRoleAsync(user, PlatformRoles.Admin)).Succeeded.Should().BeTrue();
    }

    public const string Password = "Qingdao-Port-2026";

    public static async Task SignUpAsync(IPage page, string email)
    {
        await page.GotoAsync("/");
        await page.GetByTestId("nav-signup").ClickAsync();
        await page.GetByTestId("signup-email").FillAsync(email);
        await page.GetByTestId("signup-password").FillAsync(Password);
        await page.GetByTestId("signup-confirm").FillAsync(Password);
        await page.GetByTestId("signup-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-email")).ToHaveTextAsync(email);
    }

    public static async Task CreateOrganizationAsync(IPage page, string name, string country, string kind)
    {
        await page.GotoAsync("/organization/new");
        await page.GetByTestId("org-name").FillAsync(name);
        await page.GetByTestId("org-country").SelectOptionAsync(country);
        await page.GetByTestId("org-kind").SelectOptionAsync(kind);
        await page.GetByTestId("org-registration").FillAsync(Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("org-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("org-title")).ToHaveTextAsync(name);
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = RepositoryFolder.Path("tests", "Scoda.Market.BrowserTests", "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
    }

    static string? FindChromium() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .SelectMany(dir => new[] { Path.Combine(dir, "chromium"), Path.Combine(dir, "chromium-browser") })
            .FirstOrDefault(File.Exists);
}
