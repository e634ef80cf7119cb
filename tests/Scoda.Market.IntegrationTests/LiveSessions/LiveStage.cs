using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.IntegrationTests.Inventory;
using Scoda.Market.Web.Features.Accounts;

namespace Scoda.Market.IntegrationTests.LiveSessions;

/// <summary>
/// The cast of a live session: a Kazakh ambassador, a verified Kazakh exporter with a published, stocked wheat listing,
/// and a buyer whose Qingdao importer is verified.
/// </summary>
public sealed partial record LiveStage(MarketApp App, TestUser Ambassador, Trade Trade)
{
    public const string Hub = "/hubs/live";
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public Seller Seller => Trade.Seller;
    public TestUser Buyer => Trade.Buyer;
    public Guid ListingId => Trade.ListingId;

    public static async Task<LiveStage> CreateAsync(MarketApp app, string country = "KZ")
    {
        var trade = await Trade.CreateAsync(app, stock: 1_000m);
        await app.VerifyOrganizationAsync(trade.Seller.OrganizationId);
        await app.VerifyOrganizationAsync(trade.BuyerOrganizationId);
        return new LiveStage(app, await AmbassadorAsync(app, country), trade);
    }

    /// <summary>A user holding the Ambassador role for <paramref name="country"/>, signed in after the grant.</summary>
    public static async Task<TestUser> AmbassadorAsync(MarketApp app, string country)
    {
        var user = await app.SignUpAsync(TestUsers.NewEmail("ambassador"));
        await app.WithScopeAsync(async s =>
        {
            var users = s.GetRequiredService<UserManager<User>>();
            var stored = (await users.FindByIdAsync(user.Id.ToString()))!;
            stored.AmbassadorCountryCode = country;
            await users.UpdateAsync(stored);
            return await users.AddToRoleAsync(stored, PlatformRoles.Ambassador);
        });
        return await app.SignInAsync(user.Email);
    }

    /// <summary>A valid schedule request for a session starting in an hour; a test changes what it is about.</summary>
    public JsonObject Body(DateTimeOffset? startsAt = null) => new()
    {
        ["title"] = new JsonObject { ["en"] = "Kazakh wheat for Qingdao mills", ["ru"] = "Казахстанская пшеница", ["zh"] = "哈萨克斯坦小麦" },
        ["description"] = new JsonObject { ["en"] = "Kostanay exporters present the 2026 crop." },
        ["countryCode"] = "KZ",
        ["startsAt"] = (startsAt ?? DateTimeOffset.UtcNow.AddHours(1)).ToString("O"),
        ["endsAt"] = (startsAt ?? DateTimeOffset.UtcNow.AddHours(1)).AddHours(1).ToString("O"),
        ["streamUrl"] = "https://cdn.example.test/live/kz-wheat/index.m3u8",
        ["featuredListingIds"] = new JsonArray(ListingId.ToString()),
    };

    public Task<HttpResponseMessage> PostAsync(JsonObject body, TestUser? by = null) =>
        (by ?? Ambassador).Client.PostAsJsonAsync("/api/live-sessions", body, Ct);

    /// <summary>Schedules the session and returns its id.</summary>
    public async Task<Guid> ScheduleAsync(JsonObject? body = null)
    {
        var response = await PostAsync(body ?? Body());
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    /// <summary>Schedules and starts a session.</summary>
    public async Task<Guid> LiveAsync(JsonObject? body = null)
    {
        var id = await ScheduleAsync(body);
        var started = await Ambassador.Client.PostAsync($"/api/live-sessions/{id}/start", null, Ct);
        started.StatusCode.Should().Be(HttpStatusCode.OK, await started.Content.ReadAsStringAsync(Ct));
        return id;
    }

    public Task<HubClient> ConnectAsync(TestUser user) => App.ConnectHubAsync(Hub, user);

    public Task<HubClient> ConnectAnonymousAsync() => App.ConnectHubWithTokenAsync(Hub, null);

    /// <summary>Connects and joins; returns the connection and the snapshot.</summary>
    public async Task<(HubClient Hub, JsonElement Snapshot)> JoinAsync(TestUser? user, Guid session, long after = 0)
    {
        var hub = user is null ? await ConnectAnonymousAsync() : await ConnectAsync(user);
        return (hub, await hub.InvokeAsync("JoinSession", session, after));
    }

    /// <summary>Another signed-in buyer with a verified importer of their own.</summary>
    public async Task<TestUser> AnotherBuyerAsync(bool verified = true)
    {
        var buyer = await App.SignUpAsync(TestUsers.NewEmail("buyer"));
        var organization = await new OrganizationBuilder().In("CN").OfKind("importer").CreateAsync(buyer);
        if (verified)
        {
            await App.VerifyOrganizationAsync(organization);
        }
        return buyer;
    }

    /// <summary>The next <c>LiveEvent</c> of <paramref name="type"/> a connection receives (others skipped).</summary>
    public static async Task<JsonElement> NextEventAsync(HubClient hub, string type)
    {
        while (true)
        {
            var e = await hub.NextAsync("LiveEvent");
            if (e.GetProperty("type").GetString() == type)
            {
                return e;
            }
        }
    }

    /// <summary>A mail's subject, its RFC 2047 encoded words (possibly folded over several lines) decoded.</summary>
    public static string MailSubject(string mail)
    {
        var lines = mail.Split("\r\n");
        var start = Array.FindIndex(lines, l => l.StartsWith("Subject: ", StringComparison.Ordinal));
        var header = string.Concat(lines.Skip(start).TakeWhile((l, i) => i == 0 || l.StartsWith(' ') || l.StartsWith('\t')).Select(l => l.Trim()));
        // Words split a character's bytes freely: join the bytes, then decode.
        var words = EncodedWord().Matches(header);
        return words.Count == 0
            ? header["Subject: ".Length..]
            : System.Text.Encoding.UTF8.GetString(words.SelectMany(m => Convert.FromBase64String(m.Groups[1].Value)).ToArray());
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"=\?utf-8\?B\?([^?]*)\?=", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex EncodedWord();
}
