using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scoda.Market.Testing;
using Scoda.Market.Web.Features.Accounts;

namespace Scoda.Market.Benchmarks;

/// <summary>The real host on a loopback Kestrel port, reading the benchmark's index folder as its data folder.</summary>
public sealed class BenchmarkHost(string dataFolder, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseContentRoot(RepositoryFolder.Path("src", "Scoda.Market.Web"));
        builder.UseSetting("Storage:DataPath", dataFolder);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Production defaults, except what a loopback measurement cannot have: TLS, and limits meant for people.
        builder.UseSetting("App:PublicBaseUrl", "http://localhost");
        builder.UseSetting("Security:RequireHttps", "false");
        // Production admits only its own host name; the benchmark reaches Kestrel by its loopback address.
        builder.UseSetting("AllowedHosts", "localhost;127.0.0.1");
        foreach (var group in Scoda.Market.Web.Infrastructure.Security.RateLimitOptions.Groups)
        {
            builder.UseSetting($"RateLimits:{group}:PerIp", "1000000");
            builder.UseSetting($"RateLimits:{group}:PerAccount", "1000000");
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }

    public string Start()
    {
        UseKestrel(0);
        StartServer();
        return Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("[::]", "localhost", StringComparison.Ordinal);
    }

    /// <summary>
    /// A user created without a password, with a bearer token minted by the host's own token protector: hundreds of
    /// password hashes would cost the set-up minutes and measure nothing. <paramref name="prepare"/> may give roles.
    /// </summary>
    public async Task<(Guid Id, string Token)> UserAsync(string name, Func<UserManager<User>, User, Task>? prepare = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = new User { UserName = $"{name}@bench.example", Email = $"{name}@bench.example", EmailConfirmed = true };
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
        }
        if (prepare is not null)
        {
            await prepare(users, user);
        }
        var principal = await scope.ServiceProvider.GetRequiredService<SignInManager<User>>().CreateUserPrincipalAsync(user);
        var bearer = scope.ServiceProvider.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme);
        var ticket = new AuthenticationTicket(principal, new AuthenticationProperties { ExpiresUtc = DateTimeOffset.UtcNow.AddHours(3) }, IdentityConstants.BearerScheme);
        return (user.Id, bearer.BearerTokenProtector.Protect(ticket));
    }

    /// <summary>POSTs as the token's user; returns the answer's <c>id</c> (empty when it has none) and throws on a refusal.</summary>
    public static async Task<Guid> PostAsync(HttpClient http, string token, string path, object? body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
        }
        return text.Length == 0 ? Guid.Empty : JsonDocument.Parse(text).RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetGuid() : Guid.Empty;
    }
}
