using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.LiveSessions;

/// <summary>Scheduling, discovery, registration and the calendar file, over HTTP.</summary>
public abstract class LiveSessionTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_ambassador_schedules_a_session_that_anyone_finds_and_reads()
    {
        var stage = await LiveStage.CreateAsync(App);

        var id = await stage.ScheduleAsync();

        var anonymous = App.CreateClient();
        var session = await (await anonymous.GetAsync($"/api/live-sessions/{id}", Ct)).ReadJsonAsync();
        session.GetProperty("status").GetString().Should().Be("scheduled");
        session.GetProperty("countryCode").GetString().Should().Be("KZ");
        session.GetProperty("streamKind").GetString().Should().Be("hls");
        session.GetProperty("title").GetProperty("zh").GetString().Should().Be("哈萨克斯坦小麦");
        session.GetProperty("featuredListings").EnumerateArray().Select(l => l.GetProperty("id").GetGuid()).Should().Equal(stage.ListingId);
        var upcoming = await (await anonymous.GetAsync("/api/live-sessions?status=upcoming&country=kz&category=wheat&limit=100", Ct)).ReadJsonAsync();
        upcoming.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).Should().Contain(id);
        var timber = await (await anonymous.GetAsync("/api/live-sessions?status=upcoming&category=timber&limit=100", Ct)).ReadJsonAsync();
        timber.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).Should().NotContain(id);
        var live = await (await anonymous.GetAsync("/api/live-sessions?status=live&limit=100", Ct)).ReadJsonAsync();
        live.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).Should().NotContain(id);
        var notifications = await (await stage.Seller.Owner.Client.GetAsync("/api/notifications", Ct)).ReadJsonAsync();
        notifications.GetProperty("items").EnumerateArray().Should().Contain(n => n.GetProperty("kind").GetString() == "live_session_featured");
    }

    [Fact]
    public async Task Upcoming_sessions_page_soonest_first_with_a_cursor()
    {
        var stage = await LiveStage.CreateAsync(App, "UZ");
        var baseTime = DateTimeOffset.UtcNow.AddDays(200 + Random.Shared.Next(100));
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var body = stage.Body(baseTime.AddHours(i));
            body["countryCode"] = "UZ";
            body["featuredListingIds"] = new JsonArray();
            ids.Add(await stage.ScheduleAsync(body));
        }

        var first = await (await App.CreateClient().GetAsync("/api/live-sessions?status=upcoming&country=UZ&limit=2", Ct)).ReadJsonAsync();
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await (await App.CreateClient().GetAsync($"/api/live-sessions?status=upcoming&country=UZ&limit=2&cursor={cursor}", Ct)).ReadJsonAsync();

        first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Select(s => s.GetProperty("id").GetGuid()).Should().Equal(ids);
    }

    [Fact]
    public async Task Non_ambassadors_cannot_schedule()
    {
        var stage = await LiveStage.CreateAsync(App);
        var count = await SessionCountAsync();

        var trader = await stage.PostAsync(stage.Body(), stage.Seller.Owner);
        var moderator = await stage.PostAsync(stage.Body(), await App.SignUpWithRoleAsync("Moderator"));
        var anonymous = await App.CreateClient().PostAsJsonAsync("/api/live-sessions", stage.Body(), Ct);

        (await trader.ShouldBeProblemAsync(HttpStatusCode.Forbidden)).GetProperty("code").GetString().Should().Be("forbidden");
        await moderator.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SessionCountAsync()).Should().Be(count);
    }

    [Fact]
    public async Task An_ambassador_cannot_feature_another_countrys_listings_or_unverified_sellers()
    {
        var stage = await LiveStage.CreateAsync(App);
        var russian = await Seller.CreateAsync(App, "RU");
        await Inventory.Reservations.VerifyOrganizationAsync(App, russian.OrganizationId);
        var russianListing = await new ListingBuilder(russian.OrganizationId).With("originCountry", "RU").PublishAsync(russian.Owner);
        var unverified = await Seller.CreateAsync(App, "KZ");
        var unverifiedListing = await new ListingBuilder(unverified.OrganizationId).PublishAsync(unverified.Owner);
        var draft = (await new ListingBuilder(stage.Seller.OrganizationId).CreateAsync(stage.Seller.Owner)).GetProperty("id").GetGuid();
        var count = await SessionCountAsync();

        var body = stage.Body();
        body["featuredListingIds"] = new JsonArray(russianListing.ToString(), unverifiedListing.ToString(), draft.ToString(), Guid.NewGuid().ToString());
        var errors = await (await stage.PostAsync(body)).ShouldBeValidationProblemAsync();
        var otherCountry = stage.Body();
        otherCountry["countryCode"] = "RU";
        var forRussia = await stage.PostAsync(otherCountry);

        errors.Keys.Should().BeEquivalentTo("featuredListingIds[0]", "featuredListingIds[1]", "featuredListingIds[2]", "featuredListingIds[3]");
        errors["featuredListingIds[0]"].Single().Should().Contain("not from KZ");
        errors["featuredListingIds[1]"].Single().Should().Contain("not verified");
        errors["featuredListingIds[2]"].Single().Should().Contain("published");
        await forRussia.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await SessionCountAsync()).Should().Be(count);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/html;base64,PHNjcmlwdD4=")]
    [InlineData("http://cdn.example.test/live/index.m3u8")]
    [InlineData("https://evil.example.test/player/embed/1")]
    [InlineData("https://user:pw@www.youtube.com/embed/x")]
    [InlineData("https://www.youtube.com.evil.test/embed/x")]
    [InlineData("https://www.youtube.com:8443/embed/x")]
    [InlineData("https://127.0.0.1/live.m3u8")]
    [InlineData("//www.youtube.com/embed/x")]
    [InlineData("")]
    public async Task Stream_urls_outside_the_rules_are_refused(string url)
    {
        var stage = await LiveStage.CreateAsync(App);
        var count = await SessionCountAsync();
        var body = stage.Body();
        body["streamUrl"] = url;
        var replay = stage.Body();
        replay["replayUrl"] = url;

        (await (await stage.PostAsync(body)).ShouldBeValidationProblemAsync()).Should().ContainKey("streamUrl");
        (await (await stage.PostAsync(replay)).ShouldBeValidationProblemAsync()).Should().ContainKey("replayUrl");
        (await SessionCountAsync()).Should().Be(count);
    }

    [Fact]
    public async Task An_allowed_player_page_is_an_embed()
    {
        var stage = await LiveStage.CreateAsync(App);
        var body = stage.Body();
        body["streamUrl"] = "https://player.vimeo.com/video/123456";
        body["replayUrl"] = "https://cdn.example.test/replay/kz-wheat.m3u8";

        var session = await (await stage.PostAsync(body)).ReadJsonAsync();

        session.GetProperty("streamKind").GetString().Should().Be("embed");
        session.GetProperty("replayUrl").GetString().Should().Be("https://cdn.example.test/replay/kz-wheat.m3u8");
    }

    [Fact]
    public async Task Oversized_texts_and_bad_times_are_refused()
    {
        var stage = await LiveStage.CreateAsync(App);
        var count = await SessionCountAsync();
        var body = stage.Body();
        body["title"] = new JsonObject { ["en"] = new string('x', 201) };
        body["description"] = new JsonObject { ["ru"] = new string('y', 5001), ["xx"] = "?" };
        body["endsAt"] = DateTimeOffset.UtcNow.ToString("O");
        var past = stage.Body(DateTimeOffset.UtcNow.AddHours(-2));

        var errors = await (await stage.PostAsync(body)).ShouldBeValidationProblemAsync();
        var pastErrors = await (await stage.PostAsync(past)).ShouldBeValidationProblemAsync();

        errors.Keys.Should().Contain(["title.en", "description.ru", "description.xx", "endsAt"]);
        pastErrors.Should().ContainKey("startsAt");
        (await SessionCountAsync()).Should().Be(count);
    }

    [Fact]
    public async Task The_host_edits_until_the_start_and_no_one_else_can()
    {
        var stage = await LiveStage.CreateAsync(App);
        var id = await stage.ScheduleAsync();
        var other = await LiveStage.AmbassadorAsync(App, "KZ");
        var edited = stage.Body();
        edited["title"] = new JsonObject { ["en"] = "Kazakh wheat, second edition" };

        var byOther = await other.Client.PutAsJsonAsync($"/api/live-sessions/{id}", edited, Ct);
        var bySeller = await stage.Seller.Owner.Client.PutAsJsonAsync($"/api/live-sessions/{id}", edited, Ct);
        var byHost = await stage.Ambassador.Client.PutAsJsonAsync($"/api/live-sessions/{id}", edited, Ct);
        await stage.Ambassador.Client.PostAsync($"/api/live-sessions/{id}/start", null, Ct);
        var afterStart = await stage.Ambassador.Client.PutAsJsonAsync($"/api/live-sessions/{id}", stage.Body(), Ct);

        await byOther.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await bySeller.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        byHost.StatusCode.Should().Be(HttpStatusCode.OK, await byHost.Content.ReadAsStringAsync(Ct));
        (await afterStart.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().Should().Be("conflict");
        var session = await (await App.CreateClient().GetAsync($"/api/live-sessions/{id}", Ct)).ReadJsonAsync();
        session.GetProperty("title").GetProperty("en").GetString().Should().Be("Kazakh wheat, second edition");
        session.GetProperty("status").GetString().Should().Be("live");
    }

    [Fact]
    public async Task Start_and_end_are_the_hosts_and_follow_the_states()
    {
        var stage = await LiveStage.CreateAsync(App);
        var id = await stage.ScheduleAsync();

        var byBuyer = await stage.Buyer.Client.PostAsync($"/api/live-sessions/{id}/start", null, Ct);
        var byAdmin = await (await App.SignUpWithRoleAsync("Admin")).Client.PostAsync($"/api/live-sessions/{id}/start", null, Ct);
        var endEarly = await stage.Ambassador.Client.PostAsync($"/api/live-sessions/{id}/end", null, Ct);
        var start = await stage.Ambassador.Client.PostAsync($"/api/live-sessions/{id}/start", null, Ct);
        var again = await stage.Ambassador.Client.PostAsync($"/api/live-sessions/{id}/start", null, Ct);
        var end = await stage.Ambassador.Client.PostAsync($"/api/live-sessions/{id}/end", null, Ct);

        await byBuyer.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await byAdmin.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await endEarly.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("detail").GetString().Should().Contain("only from live");
        (await start.ReadJsonAsync()).GetProperty("type").GetString().Should().Be("started");
        await again.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await end.ReadJsonAsync()).GetProperty("type").GetString().Should().Be("ended");
        var ended = await (await App.CreateClient().GetAsync("/api/live-sessions?status=ended&limit=100", Ct)).ReadJsonAsync();
        ended.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).Should().Contain(id);
    }

    [Fact]
    public async Task Registering_is_once_per_person_and_cancelling_tells_registrants()
    {
        var stage = await LiveStage.CreateAsync(App);
        var id = await stage.ScheduleAsync();

        var first = await (await stage.Buyer.Client.PostAsync($"/api/live-sessions/{id}/register", null, Ct)).ReadJsonAsync();
        var twice = await (await stage.Buyer.Client.PostAsync($"/api/live-sessions/{id}/register", null, Ct)).ReadJsonAsync();
        var anonymous = await App.CreateClient().PostAsync($"/api/live-sessions/{id}/register", null, Ct);
        var byBuyer = await stage.Buyer.Client.PostAsJsonAsync($"/api/live-sessions/{id}/cancel", new { reason = "x" }, Ct);
        var cancelled = await stage.Ambassador.Client.PostAsJsonAsync($"/api/live-sessions/{id}/cancel", new { reason = "The stream studio is unavailable." }, Ct);
        var late = await (await App.SignUpAsync()).Client.PostAsync($"/api/live-sessions/{id}/register", null, Ct);

        first.GetProperty("registrants").GetInt32().Should().Be(1);
        twice.GetProperty("registrants").GetInt32().Should().Be(1);
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await byBuyer.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        cancelled.StatusCode.Should().Be(HttpStatusCode.OK, await cancelled.Content.ReadAsStringAsync(Ct));
        await late.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        var notifications = await (await stage.Buyer.Client.GetAsync("/api/notifications", Ct)).ReadJsonAsync();
        notifications.GetProperty("items").EnumerateArray().Should().Contain(n =>
            n.GetProperty("code").GetString() == "live_session_cancelled" && n.GetProperty("params").GetProperty("reason").GetString()!.Contains("studio"));
        var mail = Directory.GetFiles(Path.Combine(App.DataPath, "mail"), "*.eml").Select(File.ReadAllText);
        mail.Should().Contain(m => m.Contains(stage.Buyer.Email) && LiveStage.MailSubject(m).Contains("stream studio"));
        var listed = await (await App.CreateClient().GetAsync("/api/live-sessions?status=upcoming&limit=100", Ct)).ReadJsonAsync();
        listed.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).Should().NotContain(id);
    }

    [Fact]
    public async Task The_calendar_file_follows_rfc_5545()
    {
        var stage = await LiveStage.CreateAsync(App);
        var body = stage.Body(new DateTimeOffset(2027, 3, 1, 6, 30, 0, TimeSpan.FromHours(3)));
        body["title"] = new JsonObject { ["en"] = "Wheat; barley, and more\\ about " + new string('ш', 60) };
        body["description"] = new JsonObject { ["en"] = "Line one\nLine two, with comma" };
        var id = await stage.ScheduleAsync(body);

        var response = await App.CreateClient().GetAsync($"/api/live-sessions/{id}/calendar.ics", Ct);
        var ics = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/calendar");
        ics.Should().StartWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n").And.EndWith("END:VCALENDAR\r\n");
        ics.Replace("\r\n", "", StringComparison.Ordinal).Should().NotContain("\n", "every line ends in CRLF");
        ics.Split("\r\n").Should().OnlyContain(line => System.Text.Encoding.UTF8.GetByteCount(line) <= 75);
        var unfolded = ics.Replace("\r\n ", "", StringComparison.Ordinal);
        unfolded.Should().Contain($"UID:live-{id:N}@");
        unfolded.Should().Contain("DTSTART:20270301T033000Z").And.Contain("DTEND:20270301T043000Z");
        unfolded.Should().Contain("SUMMARY:Wheat\\; barley\\, and more\\\\ about ");
        unfolded.Should().Contain("DESCRIPTION:Line one\\nLine two\\, with comma\\n\\n");
        (await App.CreateClient().GetAsync($"/api/live-sessions/{Guid.NewGuid()}/calendar.ics", Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_list_filters_are_named()
    {
        var errors = await (await App.CreateClient().GetAsync("/api/live-sessions?status=soon&country=XX1&category=nothing&limit=0", Ct)).ShouldBeValidationProblemAsync();

        errors.Keys.Should().BeEquivalentTo("status", "country", "category", "limit");
    }

    async Task<int> SessionCountAsync()
    {
        var count = 0;
        await App.WithDbAsync(async db => count = await db.LiveSessions.CountAsync(Ct));
        return count;
    }
}

public sealed class LiveSessionTests_Sqlite(SqliteApp fixture) : LiveSessionTests<SqliteApp>(fixture), IClassFixture<SqliteApp>;

public sealed class LiveSessionTests_Postgres(PostgresApp fixture) : LiveSessionTests<PostgresApp>(fixture), IClassFixture<PostgresApp>;
