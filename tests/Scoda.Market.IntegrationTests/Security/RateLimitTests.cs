using System.Net;
using System.Net.Http.Json;
using System.Text;
using FluentAssertions;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.Security;

/// <summary>The limited routes answer 429 problems with Retry-After, per IP and per account; the test host's own limits are low here.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    const int Limit = 3;
    MarketApp _app = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string?>();
        foreach (var group in Scoda.Market.Web.Infrastructure.Security.RateLimitOptions.Groups)
        {
            settings[$"RateLimits:{group}:PerIp"] = $"{Limit}";
            settings[$"RateLimits:{group}:PerAccount"] = $"{Limit}";
            settings[$"RateLimits:{group}:Window"] = "00:10:00";
        }
        _app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, settings);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>A client whose requests come from an address of its own, so tests do not share the per-IP counters.</summary>
    HttpClient FromNewAddress()
    {
        var address = new IPAddress([10, (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(1, 255)]);
        return new HttpClient(_app.Server.CreateHandler(context => context.Connection.RemoteIpAddress = address)) { BaseAddress = _app.Server.BaseAddress };
    }

    static async Task ShouldBeThrottledAsync(HttpResponseMessage response)
    {
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        problem.GetProperty("title").GetString().Should().Be("Too many requests.");
        response.Headers.RetryAfter.Should().NotBeNull();
        response.Headers.RetryAfter!.Delta.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(10));
    }

    public static TheoryData<string, string> AuthRoutes => new()
    {
        { "/api/auth/login", """{"email":"{0}","password":"Wrong-Password-1"}""" },
        { "/api/auth/register", """{"email":"{0}","password":"Correct-Horse-42"}""" },
        { "/api/auth/forgotPassword", """{"email":"{0}"}""" },
        { "/api/auth/resetPassword", """{"email":"{0}","resetCode":"bad","newPassword":"Correct-Horse-42"}""" },
        { "/api/auth/resendConfirmationEmail", """{"email":"{0}"}""" },
    };

    static StringContent Body(string template, string email) =>
        new(template.Replace("{0}", email, StringComparison.Ordinal), Encoding.UTF8, "application/json");

    [Theory]
    [MemberData(nameof(AuthRoutes))]
    public async Task Many_calls_from_one_address_for_different_accounts_get_429(string path, string template)
    {
        var client = FromNewAddress();
        for (var i = 0; i < Limit; i++)
        {
            (await client.PostAsync(path, Body(template, TestUsers.NewEmail()), Ct)).StatusCode.Should().NotBe(HttpStatusCode.TooManyRequests);
        }

        await ShouldBeThrottledAsync(await client.PostAsync(path, Body(template, TestUsers.NewEmail()), Ct));
        // Another address is not held up.
        (await FromNewAddress().PostAsync(path, Body(template, TestUsers.NewEmail()), Ct)).StatusCode.Should().NotBe(HttpStatusCode.TooManyRequests);
    }

    [Theory]
    [MemberData(nameof(AuthRoutes))]
    public async Task Many_calls_for_one_account_from_different_addresses_get_429(string path, string template)
    {
        var email = TestUsers.NewEmail();
        for (var i = 0; i < Limit; i++)
        {
            (await FromNewAddress().PostAsync(path, Body(template, email), Ct)).StatusCode.Should().NotBe(HttpStatusCode.TooManyRequests);
        }

        await ShouldBeThrottledAsync(await FromNewAddress().PostAsync(path, Body(template, email.ToUpperInvariant()), Ct));
    }

    [Fact]
    public async Task Search_is_limited_per_address()
    {
        var client = FromNewAddress();
        for (var i = 0; i < Limit; i++)
        {
            (await client.GetAsync("/api/search/suggest?q=whe", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await ShouldBeThrottledAsync(await client.GetAsync("/api/search/listings?q=wheat", Ct));
    }

    [Fact]
    public async Task Uploads_are_limited_per_account_across_addresses()
    {
        // Signing up takes a register and a login from the fixture's (shared) address: give the account its own instead.
        var email = TestUsers.NewEmail();
        var signUp = FromNewAddress();
        (await signUp.PostAsJsonAsync("/api/auth/register", new { email, password = TestUsers.Password }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        var token = (await (await signUp.PostAsJsonAsync("/api/auth/login", new { email, password = TestUsers.Password }, Ct)).ReadJsonAsync())
            .GetProperty("accessToken").GetString();

        async Task<HttpResponseMessage> UploadAsync()
        {
            var client = FromNewAddress();
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var csv = new StringContent("title_en\n", Encoding.UTF8, "text/csv");
            return await client.PostAsync($"/api/listings/import?organizationId={Guid.NewGuid()}", csv, Ct);
        }
        for (var i = 0; i < Limit; i++)
        {
            (await UploadAsync()).StatusCode.Should().NotBe(HttpStatusCode.TooManyRequests);
        }

        await ShouldBeThrottledAsync(await UploadAsync());
    }

    [Fact]
    public async Task Routes_outside_the_groups_are_not_limited()
    {
        var client = FromNewAddress();
        for (var i = 0; i < Limit * 3; i++)
        {
            (await client.GetAsync("/api/categories", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        }
    }
}

/// <summary>Account mail to one address stops after the hourly share, and the caller cannot tell.</summary>
public sealed class MailThrottleTests : IAsyncLifetime
{
    MarketApp _app = null!;

    public async ValueTask InitializeAsync() =>
        _app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Mail:MaxPerAddressPerHour"] = "3" });

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Confirmation_resends_to_one_address_stop_at_the_hourly_share_with_the_same_answer()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = TestUsers.NewEmail();
        var client = _app.CreateClient();
        (await client.PostAsJsonAsync("/api/auth/register", new { email, password = TestUsers.Password }, ct)).StatusCode.Should().Be(HttpStatusCode.OK);

        for (var i = 0; i < 10; i++)
        {
            var resend = await client.PostAsJsonAsync("/api/auth/resendConfirmationEmail", new { email }, ct);
            resend.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        Directory.GetFiles(Path.Combine(_app.DataPath, "mail"), "*.eml").Select(File.ReadAllText)
            .Count(m => m.Contains($"To: {email}", StringComparison.Ordinal)).Should().Be(3);
        // Another address still gets its mail.
        var other = TestUsers.NewEmail();
        (await client.PostAsJsonAsync("/api/auth/register", new { email = other, password = TestUsers.Password }, ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        Directory.GetFiles(Path.Combine(_app.DataPath, "mail"), "*.eml").Select(File.ReadAllText)
            .Should().Contain(m => m.Contains($"To: {other}", StringComparison.Ordinal));
    }
}
