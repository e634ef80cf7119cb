using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.Logging;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.Negotiations;

/// <summary>Every hub method given hostile arguments fails with its stable code, stores nothing, and logs no error.</summary>
public sealed class HubHostileInputTests : IAsyncLifetime
{
    static readonly string[] StableCodes = ["invalid:", "not_found:", "forbidden:", "conflict:", "rate_limited:"];

    MarketApp _app = null!;
    CapturedLogs _logs = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Negotiations:HubCallsPerSecond"] = "1",
            ["Negotiations:HubCallBurst"] = "60",
        });
        _logs = CapturedLogs.On(_app);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    static object?[] Args(params object?[] arguments) => arguments;

    [Fact]
    public async Task Every_negotiation_hub_method_refuses_hostile_arguments_with_a_stable_code_and_stores_nothing()
    {
        var trade = await Trade.CreateAsync(_app);
        await using var negotiation = await trade.NegotiateAsync();
        var room = negotiation.Room;
        var before = (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64();
        _logs.Clear();
        JsonObject Terms(string path, JsonNode? value) => new TermsBuilder().With(path, value).Build();
        var calls = new (string Method, object?[] Arguments)[]
        {
            ("JoinRoom", Args("not-a-guid", 0)), ("JoinRoom", Args(null, 0)), ("JoinRoom", Args(room, "NaN")), ("JoinRoom", Args(room, 1e308)),
            ("JoinRoom", Args(room)), ("LeaveRoom", Args("../../etc")),
            ("SendMessage", Args(room, "m1", "hello\0world")), ("SendMessage", Args(room, "m2", "pay to \u202Etnuocca")),
            ("SendMessage", Args(room, null, null)), ("SendMessage", Args("not-a-guid", "m3", "hi")), ("SendMessage", Args(room, "m4", new string('x', 10_000))),
            ("MakeOffer", Args(room, "o1", Terms("price.amount", "NaN"))), ("MakeOffer", Args(room, "o2", Terms("price.amount", "1e308"))),
            ("MakeOffer", Args(room, "o3", Terms("quantity.value", new string('9', 40)))), ("MakeOffer", Args(room, "o4", Terms("inspectionBody", "SGS\0"))),
            ("MakeOffer", Args(room, "o5", "terms")), ("MakeOffer", Args(room, "o6", null)), ("MakeOffer", Args("x", "o7", Terms("tolerancePercent", 5))),
            ("AcceptOffer", Args(room, "not-a-guid")), ("AcceptOffer", Args(room, Guid.NewGuid())), ("DeclineOffer", Args(room, Guid.NewGuid(), "no\0")),
            ("WithdrawOffer", Args(null, null)), ("Typing", Args(12345)), ("MarkRead", Args(room, "NaN")), ("MarkRead", Args(room, 1e308)),
            ("MarkRead", Args(room, -1)), ("HideMessage", Args(room, 1)), ("NoSuchMethod", Args(room)),
        };

        var outcomes = new List<string>();
        foreach (var (method, arguments) in calls)
        {
            outcomes.Add($"{method}: {await negotiation.Buyer.InvokeExpectingErrorAsync(method, arguments)}");
        }

        outcomes.Should().AllSatisfy(o => StableCodes.Any(code => o.Contains($": {code}", StringComparison.Ordinal)).Should().BeTrue(o));
        outcomes.Should().NotContain(o => o.Contains("unexpected error", StringComparison.OrdinalIgnoreCase));
        outcomes.Where(o => o.StartsWith("SendMessage", StringComparison.Ordinal) || o.StartsWith("MakeOffer", StringComparison.Ordinal))
            .Should().OnlyContain(o => o.Contains(": invalid:", StringComparison.Ordinal));
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64().Should().Be(before, "nothing hostile is stored");
        _logs.Lines.Where(l => l.Level >= LogLevel.Error).Should().BeEmpty("refusals are the client's mistake, not errors of the server");
    }

    [Fact]
    public async Task A_burst_past_the_rate_limit_is_refused_as_rate_limited_without_error_logs()
    {
        var trade = await Trade.CreateAsync(_app, stock: 0);
        var room = await trade.OpenRoomAsync();
        await using var buyer = await trade.ConnectAsync(trade.Buyer);
        _logs.Clear();

        var outcomes = new List<string>();
        for (var i = 0; i < 70; i++)
        {
            outcomes.Add(await buyer.InvokeExpectingErrorAsync("MarkRead", room, -1));
        }

        outcomes.Should().Contain(o => o.StartsWith("rate_limited:", StringComparison.Ordinal));
        outcomes.Should().OnlyContain(o => o.StartsWith("rate_limited:", StringComparison.Ordinal) || o.StartsWith("invalid:", StringComparison.Ordinal));
        _logs.Lines.Where(l => l.Level >= LogLevel.Error).Should().BeEmpty();
    }

    [Fact]
    public async Task The_notifications_hub_refuses_unknown_calls_with_a_stable_code()
    {
        var user = await _app.SignUpAsync();
        await using var hub = await _app.ConnectHubAsync("/hubs/notifications", user);

        (await hub.InvokeExpectingErrorAsync("MarkRead", "not-a-guid")).Should().StartWith("invalid:");
    }

    [Fact]
    public async Task A_megabyte_in_a_failing_field_is_not_copied_into_the_log()
    {
        var seller = await Seller.CreateAsync(_app);
        _logs.Clear();
        var huge = new string('9', 1_000_000);

        var response = await seller.Owner.Client.PostAsync("/api/listings", new StringContent(
            new ListingBuilder(seller.OrganizationId).With("price.amount", huge).With("title.en", huge + "\0").Build().ToJsonString(),
            System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain("price.amount");
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Length.Should().BeLessThan(5_000, "the answer does not echo the value");
        _logs.Lines.Should().NotContain(l => l.Text.Length >= 10_000);
    }
}
