using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Scoda.Market.Testing;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.UnitTests;

public sealed class HostingTests
{
    [Fact]
    public void Nothing_configured_leaves_the_default_address_to_the_host() =>
        Hosting.HasConfiguredAddress(Config()).Should().BeFalse();

    [Theory]
    [InlineData("urls", "http://127.0.0.1:5391")]
    [InlineData("http_ports", "8080")]
    [InlineData("https_ports", "8443")]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:9000")]
    public void An_address_given_the_usual_ways_wins_over_the_default(string key, string value) =>
        Hosting.HasConfiguredAddress(Config((key, value))).Should().BeTrue();

    [Fact]
    public void The_launch_profile_names_no_address_so_ASPNETCORE_URLS_is_honoured_by_dotnet_run()
    {
        var launchSettings = RepositoryFolder.Path("src", "Scoda.Market.Web", "Properties", "launchSettings.json");
        File.ReadAllText(launchSettings).Should().NotContain("applicationUrl");
    }

    static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
