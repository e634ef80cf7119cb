using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Infrastructure.Auth;

namespace Scoda.Market.IntegrationTests.Accounts;

/// <summary>Logout, password and email changes, role changes and removal from an organization end existing sessions.</summary>
public abstract partial class SessionTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Signs in and keeps the refresh token too.</summary>
    async Task<(TestUser User, string RefreshToken)> SignInWithRefreshAsync(string? email = null)
    {
        if (email is null)
        {
            email = (await App.SignUpAsync()).Email;
        }
        var client = App.CreateClient();
        var login = await (await client.PostAsJsonAsync("/api/auth/login", new { email, password = TestUsers.Password }, Ct)).ReadJsonAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        var me = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/me", Ct);
        return (new TestUser(me.GetProperty("id").GetGuid(), email, client), login.GetProperty("refreshToken").GetString()!);
    }

    static async Task<HttpStatusCode> MeAsync(TestUser user) => (await user.Client.GetAsync("/api/me", Ct)).StatusCode;

    [Fact]
    public async Task Access_tokens_are_short_lived_and_renew_with_the_refresh_token()
    {
        var email = (await App.SignUpAsync()).Email;
        var login = await (await App.CreateClient().PostAsJsonAsync("/api/auth/login", new { email, password = TestUsers.Password }, Ct)).ReadJsonAsync();
        login.GetProperty("expiresIn").GetInt32().Should().Be(15 * 60);

        var refreshed = await App.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = login.GetProperty("refreshToken").GetString() }, Ct);
        refreshed.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task After_logout_the_old_bearer_and_refresh_tokens_are_refused()
    {
        var (user, refreshToken) = await SignInWithRefreshAsync();
        (await MeAsync(user)).Should().Be(HttpStatusCode.OK);

        (await user.Client.PostAsync("/api/auth/logout", null, Ct)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await (await user.Client.GetAsync("/api/me", Ct)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        (await App.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken }, Ct)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        // Signing in again works: logout ended the sessions, not the account.
        (await MeAsync(await App.SignInAsync(user.Email))).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task After_a_password_change_the_old_bearer_and_refresh_tokens_are_refused()
    {
        var (user, refreshToken) = await SignInWithRefreshAsync();
        var other = await App.SignInAsync(user.Email);

        var change = await user.Client.PostAsJsonAsync("/api/auth/manage/info", new { oldPassword = TestUsers.Password, newPassword = "Changed-Pass-2027" }, Ct);
        change.StatusCode.Should().Be(HttpStatusCode.OK, await change.Content.ReadAsStringAsync(Ct));

        (await MeAsync(user)).Should().Be(HttpStatusCode.Unauthorized);
        (await MeAsync(other)).Should().Be(HttpStatusCode.Unauthorized);
        (await App.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken }, Ct)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await MeAsync(await App.SignInAsync(user.Email, "Changed-Pass-2027"))).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task After_an_email_change_is_confirmed_the_old_bearer_token_is_refused()
    {
        var user = await App.SignUpAsync();
        var newEmail = TestUsers.NewEmail("moved");
        (await user.Client.PostAsJsonAsync("/api/auth/manage/info", new { newEmail }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await MeAsync(user)).Should().Be(HttpStatusCode.OK, "asking for the change alone changes nothing yet");

        var mail = Directory.GetFiles(Path.Combine(App.DataPath, "mail"), "*.eml").Select(File.ReadAllText)
            .Single(m => m.Contains($"To: {newEmail}", StringComparison.Ordinal));
        var link = new Uri(WebUtility.HtmlDecode(ConfirmationLink().Match(mail).Groups[1].Value));
        var confirmed = await App.CreateClient().GetAsync(link.PathAndQuery, Ct);
        confirmed.StatusCode.Should().Be(HttpStatusCode.OK, await confirmed.Content.ReadAsStringAsync(Ct));

        (await MeAsync(user)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_revoked_moderator_token_no_longer_reaches_the_admin_organizations()
    {
        var admin = await App.SignUpWithRoleAsync(PlatformRoles.Admin);
        var user = await App.SignUpAsync();
        (await admin.Client.PostAsJsonAsync($"/api/admin/users/{user.Id}/roles", new { role = "moderator" }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        var moderator = await App.SignInAsync(user.Email);
        (await moderator.Client.GetAsync("/api/admin/organizations", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);

        (await admin.Client.DeleteAsync($"/api/admin/users/{user.Id}/roles/moderator", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);

        await (await moderator.Client.GetAsync("/api/admin/organizations", Ct)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        // Signed in again, the former moderator is an ordinary user.
        var again = await App.SignInAsync(user.Email);
        await (await again.Client.GetAsync("/api/admin/organizations", Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_member_removed_by_an_owner_loses_their_sessions_but_one_who_leaves_keeps_theirs()
    {
        var owner = await App.SignUpAsync();
        var organization = await new OrganizationBuilder().CreateAsync(owner);
        var removed = await App.SignUpAsync();
        var leaving = await App.SignUpAsync();
        foreach (var member in new[] { removed, leaving })
        {
            (await owner.Client.PostAsJsonAsync($"/api/organizations/{organization}/members", new { email = member.Email, role = "trader" }, Ct))
                .StatusCode.Should().Be(HttpStatusCode.Created);
        }

        (await owner.Client.DeleteAsync($"/api/organizations/{organization}/members/{removed.Id}", Ct)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await leaving.Client.DeleteAsync($"/api/organizations/{organization}/members/{leaving.Id}", Ct)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await MeAsync(removed)).Should().Be(HttpStatusCode.Unauthorized);
        (await MeAsync(leaving)).Should().Be(HttpStatusCode.OK);
        (await MeAsync(owner)).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_connected_hub_of_a_user_whose_session_ends_is_closed()
    {
        var user = await App.SignUpAsync();
        var bystander = await App.SignUpAsync();
        var hub = await App.ConnectHubAsync("/hubs/negotiations", user);
        await using var bystanderHub = await App.ConnectHubAsync("/hubs/notifications", bystander);
        await hub.InvokeAsync("LeaveRoom", Guid.NewGuid());
        var sessions = App.Services.GetRequiredService<HubSessions>();
        sessions.Of(user.Id).Should().HaveCount(1);

        (await user.Client.PostAsync("/api/auth/logout", null, Ct)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        // Closed by the server without waiting for the client's next call.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (sessions.Of(user.Id).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }
        sessions.Of(user.Id).Should().BeEmpty();
        try
        {
            await hub.DisposeAsync();
        }
        catch (IOException)
        {
            // The server has already closed the socket under the client.
        }
        var reconnect = () => App.ConnectHubAsync("/hubs/negotiations", user);
        await reconnect.Should().ThrowAsync<Exception>();
        sessions.Of(bystander.Id).Should().HaveCount(1, "only the user whose session ended is disconnected");
    }

    [GeneratedRegex("href=\"([^\"]+confirmEmail[^\"]+)\"")]
    private static partial Regex ConfirmationLink();
}

public sealed class SessionTests_Sqlite(SqliteApp app) : SessionTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class SessionTests_Postgres(PostgresApp app) : SessionTests<PostgresApp>(app), IClassFixture<PostgresApp>;
