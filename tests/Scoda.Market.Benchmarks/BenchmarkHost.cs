using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.Testing;

namespace Scoda.Market.Benchmarks;

/// <summary>The real host on a loopback Kestrel port, reading the benchmark's index folder as its data folder.</summary>
public sealed class BenchmarkHost(string dataFolder, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseContentRoot(RepositoryFolder.Path("src", "Scoda.Market.Web"));
        builder.UseSetting("Storage:DataPath", dataFolder);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Production defaults, except what a loopback measurement cannot have: TLS, and limits meant for people.
        builder.UseSetting("App:PublicBaseUrl", "http://localhost");
        builder.UseSetting("Security:RequireHttps", "false");
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
}
