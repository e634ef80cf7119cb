using System.Net;
using FluentAssertions;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Infrastructure.Security;

namespace Scoda.Market.IntegrationTests.LiveSessions;

/// <summary>
/// The Content-Security-Policy lets the live players work and no more: frames from exactly the allowed embed hosts over
/// https, media and workers from <c>blob:</c> (hls.js), and media/fetches from the stream hosts (any https host while
/// none are configured). Scheduling and the header agree on the stream hosts.
/// </summary>
public sealed class LivePlayerPolicyTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(d => d.Split(' ', 2))
            .ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "");

    static async Task<Dictionary<string, string>> PolicyAsync(MarketApp app, string path = "/live")
    {
        var response = await app.CreateClient().GetAsync(path, Ct);
        return Directives(response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task By_default_frames_come_from_the_embed_hosts_and_media_from_blobs_and_https()
    {
        await using var app = await MarketApp.CreateAsync(DatabaseKind.Sqlite);

        var csp = await PolicyAsync(app);

        csp["frame-src"].Split(' ').Should().BeEquivalentTo(
            "https://www.youtube-nocookie.com", "https://www.youtube.com", "https://player.vimeo.com", "https://player.bilibili.com");
        csp["media-src"].Split(' ').Should().BeEquivalentTo("'self'", "blob:", "https:");
        csp["worker-src"].Split(' ').Should().BeEquivalentTo("'self'", "blob:");
        csp["connect-src"].Split(' ').Should().BeEquivalentTo("'self'", "https:");
        csp["script-src"].Should().Be("'self'", "the players widen no script source");
        csp["default-src"].Should().Be("'self'");
        csp["frame-ancestors"].Should().Be("'none'");
        csp.Values.Should().NotContain(v => v.Contains("unsafe") || v.Contains("http:") || v.Contains('*'));
    }

    [Fact]
    public async Task Configured_stream_hosts_are_exactly_what_media_and_fetches_may_reach_and_what_scheduling_takes()
    {
        await using var app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["LiveSessions:StreamHosts:0"] = "cdn.example.test",
            ["LiveSessions:StreamHosts:1"] = "Segments.Example.Test",
        });
        var stage = await LiveStage.CreateAsync(app);

        var csp = await PolicyAsync(app, "/api/categories");
        var allowed = await stage.PostAsync(stage.Body()); // https://cdn.example.test/…/index.m3u8
        var offList = stage.Body();
        offList["streamUrl"] = "https://elsewhere.example.test/live/index.m3u8";
        var refused = await stage.PostAsync(offList);
        var otherPort = stage.Body();
        otherPort["streamUrl"] = "https://cdn.example.test:8443/live/index.m3u8";
        var refusedPort = await stage.PostAsync(otherPort);

        csp["media-src"].Split(' ').Should().BeEquivalentTo("'self'", "blob:", "https://cdn.example.test", "https://segments.example.test");
        csp["connect-src"].Split(' ').Should().BeEquivalentTo("'self'", "https://cdn.example.test", "https://segments.example.test");
        allowed.StatusCode.Should().Be(HttpStatusCode.Created, await allowed.Content.ReadAsStringAsync(Ct));
        (await refused.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("streamUrl").GetArrayLength().Should().Be(1);
        (await refusedPort.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("streamUrl").GetArrayLength().Should().Be(1);
    }

    [Theory]
    [InlineData("evil.example; script-src *")]
    [InlineData("*.example.com")]
    [InlineData("https://player.example.com")]
    [InlineData("player.example.com:8443")]
    [InlineData("localhost")]
    public void A_configured_host_that_is_not_a_plain_host_name_stops_the_host_rather_than_widen_the_policy(string host)
    {
        var build = () => new ContentSecuritySources("frame-src", [ContentSecuritySources.HttpsOrigin(host)]);

        build.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Features_may_widen_only_the_player_directives()
    {
        var scripts = () => new ContentSecuritySources("script-src", ["https:"]);
        var quoted = () => new ContentSecuritySources("media-src", ["'unsafe-inline'"]);

        scripts.Should().Throw<InvalidOperationException>();
        quoted.Should().Throw<InvalidOperationException>();
        WebDefences.ContentSecurityPolicyWith([new ContentSecuritySources("frame-src", ["https://a.example"])])
            .Should().Contain("frame-src https://a.example").And.Contain("script-src 'self';");
    }
}
