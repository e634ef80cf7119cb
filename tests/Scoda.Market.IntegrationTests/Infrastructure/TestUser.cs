using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.Web.Features.Accounts;

namespace Scoda.Market.IntegrationTests.Infrastructure;

/// <summary>A signed-in person with a bearer-token HTTP client.</summary>
public sealed record TestUser(Guid Id, string Email, HttpClient Client)
{
    /// <summary>The bearer token, as hubs take it in <c>access_token</c>.</summary>
    public string AccessToken => Client.DefaultRequestHeaders.Authorization!.Parameter!;
}

public static class TestUsers
{
    public const string Password = "Correct-Horse-42";

    public static string NewEmail(string who = "trader") => $"{who}.{Guid.NewGuid():N}@example.test";

    public static async Task<TestUser> SignUpAsync(this MarketApp app, string? email = null)
    {
        email ??= NewEmail();
        var anonymous = app.CreateClient();
        var register = await anonymous.PostAsJsonAsync("/api/auth/register", new { email, password = Password });
        register.StatusCode.Should().Be(HttpStatusCode.OK, await register.Content.ReadAsStringAsync());
        await app.ConfirmEmailAsync(email);
        return await app.SignInAsync(email);
    }

    /// <summary>Confirms the address as following the mailed link would (owners can add only confirmed addresses as members).</summary>
    public static Task ConfirmEmailAsync(this MarketApp app, string email) =>
        app.WithScopeAsync(async s =>
        {
            var users = s.GetRequiredService<UserManager<User>>();
            var user = (await users.FindByEmailAsync(email))!;
            return await users.ConfirmEmailAsync(user, await users.GenerateEmailConfirmationTokenAsync(user));
        });

    /// <summary>Signs up a user with a platform role (Admin, Moderator, Ambassador); the token is issued after the grant.</summary>
    public static async Task<TestUser> SignUpWithRoleAsync(this MarketApp app, string role)
    {
        var user = await app.SignUpAsync(NewEmail(role.ToLowerInvariant()));
        await app.WithScopeAsync(async s =>
        {
            var users = s.GetRequiredService<UserManager<User>>();
            return await users.AddToRoleAsync((await users.FindByIdAsync(user.Id.ToString()))!, role);
        });
        return await app.SignInAsync(user.Email);
    }

    public static async Task<TestUser> SignInAsync(this MarketApp app, string email, string password = Password)
    {
        var client = app.CreateClient();
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        login.StatusCode.Should().Be(HttpStatusCode.OK, await login.Content.ReadAsStringAsync());
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/me");
        return new TestUser(me.GetProperty("id").GetGuid(), email, client);
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>Asserts an RFC 9457 problem with the status, and returns it.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, body);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", body);
        var problem = JsonDocument.Parse(body).RootElement;
        problem.GetProperty("status").GetInt32().Should().Be((int)status);
        problem.GetProperty("title").GetString().Should().NotBeNullOrWhiteSpace();
        return problem;
    }

    /// <summary>The per-field messages of a validation problem, by field.</summary>
    public static async Task<Dictionary<string, string[]>> ShouldBeValidationProblemAsync(this HttpResponseMessage response)
    {
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        return problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }
}
