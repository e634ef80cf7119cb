using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Accounts;

namespace Scoda.Market.IntegrationTests.Security;

/// <summary>Security headers, the same-origin check for cookie sessions, and mail links on the public address.</summary>
public sealed partial class WebDefenceTests : IAsyncLifetime
{
    const string PublicBaseUrl = "https://market.example.test";
    MarketApp _app = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["App:PublicBaseUrl"] = PublicBaseUrl });

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    public static TheoryData<string> Paths => new() { "/", "/search", "/api/categories", "/api/me", "/api/listings/import/template", "/api/no-such-route" };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        var response = await _app.CreateClient().GetAsync(path, Ct);

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.Should().Contain("default-src 'self'").And.Contain("script-src 'self'").And.Contain("frame-ancestors 'none'")
            .And.Contain("base-uri 'self'").And.Contain("form-action 'self'").And.Contain("connect-src 'self'").And.NotContain("unsafe");
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        response.Headers.GetValues("Referrer-Policy").Should().Equal("strict-origin-when-cross-origin");
        response.Headers.Contains("Server").Should().BeFalse();
    }

    [Fact]
    public void Kestrel_sends_no_server_header()
    {
        _app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.AddServerHeader.Should().BeFalse();
    }

    async Task<HttpClient> BrowserSignedInAsync()
    {
        var user = await _app.SignUpAsync();
        var browser = _app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        using var login = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login?useCookies=true")
        {
            Content = JsonContent.Create(new { email = user.Email, password = TestUsers.Password }),
        };
        login.Headers.Add("Origin", "http://localhost");
        (await browser.SendAsync(login, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        return browser;
    }

    static HttpRequestMessage CreateOrganization(HttpContent? content = null) =>
        new(HttpMethod.Post, "/api/organizations")
        {
            Content = content ?? JsonContent.Create(new { name = "Khorgos Trade LLP", countryCode = "KZ", kind = "exporter", registrationNumber = $"{Random.Shared.NextInt64(100000000000, 999999999999)}" }),
        };

    [Fact]
    public async Task A_cookie_session_request_from_another_origin_is_a_403_problem_and_changes_nothing()
    {
        var browser = await BrowserSignedInAsync();
        var foreignBodies = new HttpContent?[]
        {
            null,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Khorgos Trade LLP" }),
            new StringContent("""{"name":"Khorgos Trade LLP","countryCode":"KZ","kind":"exporter","registrationNumber":"123"}""", Encoding.UTF8, "text/plain"),
        };
        foreach (var body in foreignBodies)
        {
            using var request = CreateOrganization(body);
            request.Headers.Add("Origin", "http://evil.example");
            await (await browser.SendAsync(request, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        }
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
        logout.Headers.Add("Origin", "http://evil.example");
        await (await browser.SendAsync(logout, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        var mine = await (await browser.GetAsync("/api/me", Ct)).ReadJsonAsync();
        mine.GetProperty("organizations").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task A_cookie_session_request_without_origin_or_fetch_metadata_is_refused()
    {
        var browser = await BrowserSignedInAsync();
        using var request = CreateOrganization();

        await (await browser.SendAsync(request, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        using var crossSite = CreateOrganization();
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        await (await browser.SendAsync(crossSite, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_cookie_session_request_from_the_own_origin_goes_through()
    {
        var browser = await BrowserSignedInAsync();
        using var byOrigin = CreateOrganization();
        byOrigin.Headers.Add("Origin", PublicBaseUrl);
        (await browser.SendAsync(byOrigin, Ct)).StatusCode.Should().Be(HttpStatusCode.Created);

        using var byFetchMetadata = CreateOrganization();
        byFetchMetadata.Headers.Add("Sec-Fetch-Site", "same-origin");
        (await browser.SendAsync(byFetchMetadata, Ct)).StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_cookie_sign_in_from_another_origin_is_refused()
    {
        var user = await _app.SignUpAsync();
        using var login = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login?useCookies=true")
        {
            Content = JsonContent.Create(new { email = user.Email, password = TestUsers.Password }),
        };
        login.Headers.Add("Origin", "http://evil.example");

        var response = await _app.CreateClient().SendAsync(login, Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        response.Headers.Contains("Set-Cookie").Should().BeFalse();
    }

    [Fact]
    public async Task Bearer_calls_are_not_subject_to_the_origin_check()
    {
        var user = await _app.SignUpAsync();
        using var request = CreateOrganization();
        request.Headers.Add("Origin", "http://evil.example");

        (await user.Client.SendAsync(request, Ct)).StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_confirmation_link_points_at_the_public_address_whatever_host_the_request_names()
    {
        var email = TestUsers.NewEmail();
        using var register = new HttpRequestMessage(HttpMethod.Post, "/api/auth/register")
        {
            Content = JsonContent.Create(new { email, password = TestUsers.Password }),
        };
        register.Headers.Host = "evil.example";
        (await _app.CreateClient().SendAsync(register, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        using var resend = new HttpRequestMessage(HttpMethod.Post, "/api/auth/resendConfirmationEmail") { Content = JsonContent.Create(new { email }) };
        resend.Headers.Host = "evil.example";
        (await _app.CreateClient().SendAsync(resend, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);

        var mails = Directory.GetFiles(Path.Combine(_app.DataPath, "mail"), "*.eml").Select(File.ReadAllText)
            .Where(m => m.Contains($"To: {email}", StringComparison.Ordinal)).ToList();
        mails.Should().HaveCount(2);
        foreach (var mail in mails)
        {
            mail.Should().NotContain("evil.example");
            var link = new Uri(WebUtility.HtmlDecode(ConfirmationLink().Match(mail).Groups[1].Value));
            link.GetLeftPart(UriPartial.Authority).Should().Be(PublicBaseUrl);
            link.AbsolutePath.Should().Be("/api/auth/confirmEmail");
        }
    }

    [Fact]
    public async Task Readiness_details_are_for_admins_and_the_host_itself_only()
    {
        var anonymous = await (await _app.CreateClient().GetAsync("/health/ready", Ct)).ReadJsonAsync();
        anonymous.TryGetProperty("checks", out _).Should().BeFalse();
        anonymous.GetProperty("status").GetString().Should().Be("Healthy");

        var user = await _app.SignUpAsync();
        (await (await user.Client.GetAsync("/health/ready", Ct)).ReadJsonAsync()).TryGetProperty("checks", out _).Should().BeFalse();

        var admin = await _app.SignUpWithRoleAsync(PlatformRoles.Admin);
        (await (await admin.Client.GetAsync("/health/ready", Ct)).ReadJsonAsync()).GetProperty("checks").GetProperty("database").ValueKind
            .Should().Be(System.Text.Json.JsonValueKind.Object);
        (await (await _app.CreateLoopbackClient().GetAsync("/health/ready", Ct)).ReadJsonAsync()).TryGetProperty("checks", out _).Should().BeTrue();
    }

    [Fact]
    public async Task An_owner_can_add_only_a_confirmed_address_and_learns_nothing_more_about_others()
    {
        var owner = await _app.SignUpAsync();
        var organization = await new OrganizationBuilder().CreateAsync(owner);
        // Someone registers an address that is not theirs and never confirms it.
        var squatted = TestUsers.NewEmail("squatted");
        (await _app.CreateClient().PostAsJsonAsync("/api/auth/register", new { email = squatted, password = TestUsers.Password }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);

        var unconfirmed = await owner.Client.PostAsJsonAsync($"/api/organizations/{organization}/members", new { email = squatted, role = "trader" }, Ct);
        var unknown = await owner.Client.PostAsJsonAsync($"/api/organizations/{organization}/members", new { email = TestUsers.NewEmail(), role = "trader" }, Ct);

        var unconfirmedErrors = await unconfirmed.ShouldBeValidationProblemAsync();
        unconfirmedErrors.Should().BeEquivalentTo(await unknown.ShouldBeValidationProblemAsync());
        unconfirmedErrors["email"].Single().Should().Contain("confirm");
        var members = await (await owner.Client.GetAsync($"/api/organizations/{organization}/members", Ct)).ReadJsonAsync();
        members.GetArrayLength().Should().Be(1);

        await _app.ConfirmEmailAsync(squatted);
        (await owner.Client.PostAsJsonAsync($"/api/organizations/{organization}/members", new { email = squatted, role = "trader" }, Ct))
            .StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [GeneratedRegex("href=\"([^\"]+confirmEmail[^\"]+)\"")]
    private static partial Regex ConfirmationLink();
}

/// <summary>The host as it runs in production: HTTPS enforced, OpenAPI off, secure cookies, confirmed email required, known hosts only.</summary>
public sealed class ProductionDefaultsTests : IAsyncLifetime
{
    MarketApp _app = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["environment"] = "Production",
            ["App:PublicBaseUrl"] = "https://market.example.test",
            ["AllowedHosts"] = "market.example.test",
        });

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    HttpClient Https(bool followRedirects = true) => _app.CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://market.example.test"),
        AllowAutoRedirect = followRedirects,
    });

    [Fact]
    public async Task Plain_http_is_redirected_to_https_and_https_answers_carry_hsts()
    {
        var http = _app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://market.example.test"), AllowAutoRedirect = false });
        var redirected = await http.GetAsync("/api/categories", Ct);
        ((int)redirected.StatusCode).Should().BeOneOf(307, 308);
        redirected.Headers.Location!.ToString().Should().StartWith("https://market.example.test/api/categories");

        var secure = await Https().GetAsync("/api/categories", Ct);
        secure.StatusCode.Should().Be(HttpStatusCode.OK);
        secure.Headers.GetValues("Strict-Transport-Security").Single().Should().Contain("max-age=");
    }

    [Fact]
    public async Task Openapi_and_swagger_are_off()
    {
        (await Https().GetAsync("/openapi/v1.json", Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Https().GetAsync("/swagger/index.html", Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_unknown_host_is_refused()
    {
        var other = _app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://evil.example") });
        (await other.GetAsync("/api/categories", Ct)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_session_cookie_is_secure_http_only_and_same_site_and_email_confirmation_is_required()
    {
        var options = _app.Services.GetRequiredService<IOptions<IdentityOptions>>().Value;
        options.SignIn.RequireConfirmedEmail.Should().BeTrue();
        var email = TestUsers.NewEmail();
        (await Https().PostAsJsonAsync("/api/auth/register", new { email, password = TestUsers.Password }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        await _app.ConfirmEmailAsync(email);

        using var login = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login?useCookies=true")
        {
            Content = JsonContent.Create(new { email, password = TestUsers.Password }),
        };
        login.Headers.Add("Origin", "https://market.example.test");
        var response = await Https().SendAsync(login, Ct);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("scoda.auth=", StringComparison.Ordinal)).ToLowerInvariant();
        cookie.Should().Contain("secure").And.Contain("httponly").And.Contain("samesite=lax");
    }

    [Fact]
    public async Task Readiness_shows_only_the_status_to_strangers()
    {
        var body = await (await Https().GetAsync("/health/ready", Ct)).ReadJsonAsync();
        body.TryGetProperty("checks", out _).Should().BeFalse();
    }
}
