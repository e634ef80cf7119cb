using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Accounts;

namespace Scoda.Market.IntegrationTests.Accounts;

public abstract partial class AccountTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;

    async Task<int> CountUsersAsync(string email) =>
        await App.WithScopeAsync(async s => await s.GetRequiredService<UserManager<User>>().FindByEmailAsync(email) is null ? 0 : 1);

    [Fact]
    public async Task Registration_with_a_weak_password_is_a_problem_and_creates_no_account()
    {
        var email = TestUsers.NewEmail();
        var response = await App.CreateClient().PostAsJsonAsync("/api/auth/register", new { email, password = "short" }, TestContext.Current.CancellationToken);

        var errors = await response.ShouldBeValidationProblemAsync();
        errors.Keys.Should().Contain(["PasswordTooShort", "PasswordRequiresDigit", "PasswordRequiresUpper"]);
        (await CountUsersAsync(email)).Should().Be(0);
    }

    [Fact]
    public async Task Registering_a_taken_email_answers_like_a_new_account_and_tells_the_owner()
    {
        var user = await App.SignUpAsync();
        var client = App.CreateClient();

        var taken = await client.PostAsJsonAsync("/api/auth/register", new { email = user.Email, password = "Another-Pass-77" }, TestContext.Current.CancellationToken);
        var fresh = await client.PostAsJsonAsync("/api/auth/register", new { email = TestUsers.NewEmail(), password = "Another-Pass-77" }, TestContext.Current.CancellationToken);

        taken.StatusCode.Should().Be(HttpStatusCode.OK);
        (await taken.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))
            .Should().Be(await fresh.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Directory.GetFiles(Path.Combine(App.DataPath, "mail"), "*.eml").Select(File.ReadAllText)
            .Should().Contain(m => m.Contains($"To: {user.Email}", StringComparison.Ordinal) && m.Contains("already has one", StringComparison.Ordinal));
        // The squatter's password does not open the account.
        (await client.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = "Another-Pass-77" }, TestContext.Current.CancellationToken))
            .StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Registering_a_taken_email_with_a_weak_password_is_the_same_problem_as_for_a_new_one()
    {
        var user = await App.SignUpAsync();
        var client = App.CreateClient();

        var taken = await client.PostAsJsonAsync("/api/auth/register", new { email = user.Email, password = "short" }, TestContext.Current.CancellationToken);
        var fresh = await client.PostAsJsonAsync("/api/auth/register", new { email = TestUsers.NewEmail(), password = "short" }, TestContext.Current.CancellationToken);

        (await taken.ShouldBeValidationProblemAsync()).Should().BeEquivalentTo(await fresh.ShouldBeValidationProblemAsync());
    }

    [Fact]
    public async Task Me_shows_the_user_with_organizations_and_roles()
    {
        var user = await App.SignUpAsync();
        var organization = await new OrganizationBuilder().Named("Pavlodar Oilseeds JSC").CreateAsync(user);

        var me = await (await user.Client.GetAsync("/api/me", TestContext.Current.CancellationToken)).ReadJsonAsync();

        me.GetProperty("email").GetString().Should().Be(user.Email);
        me.GetProperty("roles").GetArrayLength().Should().Be(0);
        var mine = me.GetProperty("organizations")[0];
        mine.GetProperty("id").GetGuid().Should().Be(organization);
        mine.GetProperty("role").GetString().Should().Be("owner");
        mine.GetProperty("verification").GetString().Should().Be("unverified");
    }

    [Fact]
    public async Task Me_without_identity_is_401_problem()
    {
        var response = await App.CreateClient().GetAsync("/api/me", TestContext.Current.CancellationToken);
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_browser_signs_in_with_a_cookie_and_out_again()
    {
        var user = await App.SignUpAsync();
        var browser = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = true });

        // A browser names its origin on every POST; the host refuses cookie sessions without it (WebDefenceTests).
        browser.DefaultRequestHeaders.Add("Origin", "http://localhost");
        var login = await browser.PostAsJsonAsync("/api/auth/login?useCookies=true", new { email = user.Email, password = TestUsers.Password }, TestContext.Current.CancellationToken);
        login.StatusCode.Should().Be(HttpStatusCode.OK);
        (await browser.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.OK);

        (await browser.PostAsync("/api/auth/logout", null, TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await browser.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_even_for_the_right_password()
    {
        var user = await App.SignUpAsync();
        var client = App.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await client.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = "Wrong-Password-1" }, TestContext.Current.CancellationToken);
            wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        var right = await client.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = TestUsers.Password }, TestContext.Current.CancellationToken);

        await right.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        // Locked looks exactly like a wrong password or an unknown address: the answer tells a stranger nothing.
        var unknown = await client.PostAsJsonAsync("/api/auth/login", new { email = TestUsers.NewEmail(), password = TestUsers.Password }, TestContext.Current.CancellationToken);
        (await Comparable(right)).Should().Be(await Comparable(unknown)).And.Contain("\"detail\":\"Failed\"");
    }

    /// <summary>A problem body without its per-request trace id.</summary>
    static async Task<string> Comparable(HttpResponseMessage response)
    {
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
        body.Remove("traceId");
        return body.ToJsonString();
    }

    [Fact]
    public async Task Only_admins_grant_platform_roles_and_an_ambassador_needs_a_country()
    {
        var admin = await App.SignUpWithRoleAsync(PlatformRoles.Admin);
        var user = await App.SignUpAsync();

        var byUser = await user.Client.PostAsJsonAsync($"/api/admin/users/{user.Id}/roles", new { role = "admin" }, TestContext.Current.CancellationToken);
        await byUser.ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        var noCountry = await admin.Client.PostAsJsonAsync($"/api/admin/users/{user.Id}/roles", new { role = "ambassador" }, TestContext.Current.CancellationToken);
        (await noCountry.ShouldBeValidationProblemAsync()).Keys.Should().Contain("countryCode");

        var unknownRole = await admin.Client.PostAsJsonAsync($"/api/admin/users/{user.Id}/roles", new { role = "superuser" }, TestContext.Current.CancellationToken);
        (await unknownRole.ShouldBeValidationProblemAsync()).Keys.Should().Contain("role");

        var granted = await admin.Client.PostAsJsonAsync($"/api/admin/users/{user.Id}/roles", new { role = "ambassador", countryCode = "uz" }, TestContext.Current.CancellationToken);
        granted.StatusCode.Should().Be(HttpStatusCode.OK);
        // The old token carries the old roles: it stops working, and a new sign-in carries the grant.
        (await user.Client.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        user = await App.SignInAsync(user.Email);
        var me = await (await user.Client.GetAsync("/api/me", TestContext.Current.CancellationToken)).ReadJsonAsync();
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).Should().Equal("Ambassador");
        me.GetProperty("ambassadorCountryCode").GetString().Should().Be("UZ");
    }

    [Fact]
    public async Task Create_admin_command_makes_an_admin_who_can_sign_in()
    {
        var email = TestUsers.NewEmail("admin");
        var command = App.Services.GetServices<Scoda.Market.Web.Infrastructure.Commands.IHostCommand>().OfType<CreateAdminCommand>().Single();
        // Its own writer, not Console.SetOut: the SQLite and PostgreSQL classes run in parallel and would read each other's password.
        var output = new StringWriter();
        var exit = await command.RunAsync([email], App.Services, output, TestContext.Current.CancellationToken);

        exit.Should().Be(0);
        var password = GeneratedPassword().Match(output.ToString()).Groups[1].Value;
        var admin = await App.SignInAsync(email, password);
        var me = await (await admin.Client.GetAsync("/api/me", TestContext.Current.CancellationToken)).ReadJsonAsync();
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).Should().Contain("Admin");
        me.GetProperty("emailConfirmed").GetBoolean().Should().BeTrue();
    }


    [GeneratedRegex(@"Generated password[^:]*: (\S+)")]
    private static partial Regex GeneratedPassword();
}

public sealed class AccountTests_Sqlite(SqliteApp app) : AccountTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class AccountTests_Postgres(PostgresApp app) : AccountTests<PostgresApp>(app), IClassFixture<PostgresApp>;
