using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.Accounts;

/// <summary>With confirmation required, the mail lands in the pickup folder and its link unlocks sign-in.</summary>
public sealed partial class EmailConfirmationTests : IAsyncLifetime
{
    MarketApp _app = null!;

    public async ValueTask InitializeAsync() =>
        _app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Identity:RequireConfirmedEmail"] = "true" });

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Sign_in_waits_for_the_emailed_confirmation_link()
    {
        var email = TestUsers.NewEmail();
        var client = _app.CreateClient();
        (await client.PostAsJsonAsync("/api/auth/register", new { email, password = TestUsers.Password }, TestContext.Current.CancellationToken))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        var before = await client.PostAsJsonAsync("/api/auth/login", new { email, password = TestUsers.Password }, TestContext.Current.CancellationToken);
        (await before.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("detail").GetString().Should().Be("Failed");

        var mail = Directory.GetFiles(Path.Combine(_app.DataPath, "mail"), "*.eml")
            .Select(File.ReadAllText).Single(m => m.Contains($"To: {email}", StringComparison.Ordinal));
        var link = new Uri(WebUtility.HtmlDecode(ConfirmationLink().Match(mail).Groups[1].Value));
        (await client.GetAsync(link.PathAndQuery, TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.OK);

        var after = await client.PostAsJsonAsync("/api/auth/login", new { email, password = TestUsers.Password }, TestContext.Current.CancellationToken);
        after.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [GeneratedRegex("href=\"([^\"]+confirmEmail[^\"]+)\"")]
    private static partial Regex ConfirmationLink();
}
