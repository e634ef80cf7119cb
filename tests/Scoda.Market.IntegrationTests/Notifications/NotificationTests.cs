using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Notifications;

namespace Scoda.Market.IntegrationTests.Notifications;

public abstract class NotificationTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A buyer opens a room on the seller's listing: the seller's owner gets a coded <c>negotiation_opened</c> notice.</summary>
    async Task<Trade> NotifiedSellerAsync()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        await trade.OpenRoomAsync();
        return trade;
    }

    static async Task<JsonElement> ListAsync(TestUser user, string query = "") =>
        await (await user.Client.GetAsync($"/api/notifications{query}", Ct)).ReadJsonAsync();

    /// <summary>Notification mail to the address (sign-up's confirmation mail left out).</summary>
    string[] MailTo(string email) => Directory.Exists(Path.Combine(App.DataPath, "mail"))
        ? Directory.GetFiles(Path.Combine(App.DataPath, "mail"), "*.eml").Select(File.ReadAllText)
            .Where(m => m.Contains($"To: {email}", StringComparison.Ordinal) && !m.Contains("confirmEmail", StringComparison.Ordinal)).ToArray()
        : [];

    static string Subject(string mail)
    {
        var encoded = mail.Split("\r\n").Single(l => l.StartsWith("Subject: ", StringComparison.Ordinal))["Subject: =?utf-8?B?".Length..^2];
        return Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
    }

    [Fact]
    public async Task A_notification_carries_a_code_with_params_beside_its_english_text()
    {
        var trade = await NotifiedSellerAsync();
        var note = (await ListAsync(trade.Seller.Owner)).GetProperty("items").EnumerateArray().Single();
        note.GetProperty("code").GetString().Should().Be("negotiation_opened");
        note.GetProperty("params").GetProperty("listing").GetString().Should().Be("Milling wheat, class 3, 12.5% protein");
        note.GetProperty("text").GetString().Should().EndWith("wants to negotiate Milling wheat, class 3, 12.5% protein");
        note.GetProperty("link").GetString().Should().StartWith("/negotiations/");
    }

    [Fact]
    public async Task Reading_one_lowers_the_count_live_and_read_all_clears_it_for_that_user_only()
    {
        var trade = await NotifiedSellerAsync();
        await trade.AnotherBuyerAsync().ContinueWith(async t => await (await t).OpenRoomAsync(), Ct).Unwrap();
        var owner = trade.Seller.Owner;
        var page = await ListAsync(owner);
        page.GetProperty("unread").GetInt32().Should().Be(2);
        await using var bell = await App.ConnectHubAsync("/hubs/notifications", owner);

        var first = page.GetProperty("items")[0].GetProperty("id").GetGuid();
        var read = await owner.Client.PostAsync($"/api/notifications/{first}/read", null, Ct);
        (await read.ReadJsonAsync()).GetProperty("unread").GetInt32().Should().Be(1);
        (await bell.NextAsync("Unread")).GetProperty("unread").GetInt32().Should().Be(1);
        (await ListAsync(owner, "?unread=true")).GetProperty("items").EnumerateArray().Select(n => n.GetProperty("id").GetGuid()).Should().NotContain(first);

        // Someone else cannot read it or clear it.
        await (await trade.Buyer.Client.PostAsync($"/api/notifications/{first}/read", null, Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await (await trade.Buyer.Client.PostAsync("/api/notifications/read-all", null, Ct)).ReadJsonAsync()).GetProperty("unread").GetInt32().Should().Be(0);
        (await ListAsync(owner)).GetProperty("unread").GetInt32().Should().Be(1);

        (await (await owner.Client.PostAsync("/api/notifications/read-all", null, Ct)).ReadJsonAsync()).GetProperty("unread").GetInt32().Should().Be(0);
        (await bell.NextAsync("Unread")).GetProperty("unread").GetInt32().Should().Be(0);
        (await ListAsync(owner, "?unread=true")).GetProperty("items").GetArrayLength().Should().Be(0);
        (await ListAsync(owner)).GetProperty("items").GetArrayLength().Should().Be(2, "read notices are kept");
        await (await App.CreateClient().PostAsync("/api/notifications/read-all", null, Ct)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Preferences_default_to_english_in_app_and_accept_only_known_values()
    {
        var user = await App.SignUpAsync();
        var initial = await (await user.Client.GetAsync("/api/me/preferences", Ct)).ReadJsonAsync();
        initial.GetProperty("language").GetString().Should().Be("en");
        initial.GetProperty("mail").GetString().Should().Be("inapp");

        foreach (var (body, field) in new (object, string)[]
        {
            (new { language = "fr", mail = "digest" }, "language"),
            (new { language = "zh", mail = "hourly" }, "mail"),
            (new { language = "ZH", mail = "digest" }, "language"),
            (new { mail = "digest" }, "language"),
            (new { language = "ru" }, "mail"),
        })
        {
            var errors = await (await user.Client.PutAsJsonAsync("/api/me/preferences", body, Ct)).ShouldBeValidationProblemAsync();
            errors.Should().ContainKey(field);
        }
        (await (await user.Client.GetAsync("/api/me/preferences", Ct)).ReadJsonAsync()).GetProperty("mail").GetString().Should().Be("inapp", "bad input changes nothing");

        var saved = await user.Client.PutAsJsonAsync("/api/me/preferences", new { language = "zh", mail = "digest" }, Ct);
        saved.StatusCode.Should().Be(HttpStatusCode.OK);
        var stored = await (await user.Client.GetAsync("/api/me/preferences", Ct)).ReadJsonAsync();
        stored.GetProperty("language").GetString().Should().Be("zh");
        stored.GetProperty("mail").GetString().Should().Be("digest");
        await (await App.CreateClient().GetAsync("/api/me/preferences", Ct)).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Immediate_mail_goes_out_once_in_the_recipients_language()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var owner = trade.Seller.Owner;
        (await owner.Client.PutAsJsonAsync("/api/me/preferences", new { language = "ru", mail = "immediate" }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        await trade.OpenRoomAsync();

        // Two passes at once (two replicas, or the background pass): the notice is mailed once.
        var worker = App.Services.GetRequiredService<ImmediateMailWorker>();
        await Task.WhenAll(worker.RunOnceAsync(Ct), worker.RunOnceAsync(Ct), worker.RunOnceAsync(Ct));

        var mail = MailTo(owner.Email).Should().ContainSingle().Subject;
        Subject(mail).Should().StartWith("Уведомление Scoda.Market").And.Contain("хочет обсудить «Milling wheat, class 3, 12.5% protein»");
        mail.Should().Contain("/negotiations/");
        MailTo(trade.Buyer.Email).Should().BeEmpty("the buyer chose no mail");
    }

    [Fact]
    public async Task A_saved_search_alert_is_coded_with_the_listing_headline_per_language_and_mailed_in_russian()
    {
        var buyer = await App.SignUpAsync();
        var buyerOrganization = await new OrganizationBuilder().In("CN").OfKind("importer").CreateAsync(buyer);
        (await buyer.Client.PutAsJsonAsync("/api/me/preferences", new { language = "ru", mail = "immediate" }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        var marker = $"lot{Guid.NewGuid():N}"[..14];
        (await buyer.Client.PostAsJsonAsync("/api/saved-searches", new { organizationId = buyerOrganization, name = "Пшеница KZ", query = new { q = marker } }, Ct))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var seller = await Seller.CreateAsync(App);
        var listing = await new ListingBuilder(seller.OrganizationId)
            .With("title", new System.Text.Json.Nodes.JsonObject { ["ru"] = $"Пшеница {marker}" }).PublishAsync(seller.Owner);
        await App.Services.GetRequiredService<Scoda.Market.Web.Features.Search.SearchIndexer>().DrainAsync(Ct);
        var headline = (await (await buyer.Client.GetAsync($"/api/listings/{listing}", Ct)).ReadJsonAsync()).GetProperty("headline");

        var alert = (await ListAsync(buyer)).GetProperty("items").EnumerateArray().Single(n => n.GetProperty("kind").GetString() == "saved_search_match");
        alert.GetProperty("code").GetString().Should().Be("saved_search_match");
        var parameters = alert.GetProperty("params");
        parameters.GetProperty("search").GetString().Should().Be("Пшеница KZ");
        parameters.GetProperty("listingId").GetGuid().Should().Be(listing);
        parameters.GetProperty("listing").GetString().Should().Be(headline.GetProperty("en").GetString());
        parameters.GetProperty("listing_zh").GetString().Should().Be(headline.GetProperty("zh").GetString());
        parameters.GetProperty("title").GetString().Should().Be($"Пшеница {marker}");
        alert.GetProperty("text").GetString().Should().StartWith("New listing for your saved search \"Пшеница KZ\"");
        alert.GetProperty("link").GetString().Should().Be($"/listings/{listing}");

        await App.Services.GetRequiredService<ImmediateMailWorker>().RunOnceAsync(Ct);
        var mail = MailTo(buyer.Email).Should().ContainSingle().Subject;
        var russian = headline.GetProperty("ru").GetString()!;
        Subject(mail).Should().StartWith("Уведомление Scoda.Market");
        mail.Should().Contain("Новое предложение по сохранённому поиску").And.Contain(russian[..Math.Min(russian.Length, 12)]).And.Contain($"/listings/{listing}");
    }

    [Fact]
    public async Task The_daily_digest_lists_unread_notices_in_chinese_once_a_day()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var owner = trade.Seller.Owner;
        (await owner.Client.PutAsJsonAsync("/api/me/preferences", new { language = "zh", mail = "digest" }, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        await trade.OpenRoomAsync();
        var digest = App.Services.GetRequiredService<DailyDigestWorker>();

        await Task.WhenAll(digest.RunOnceAsync(Ct), digest.RunOnceAsync(Ct));
        await digest.RunOnceAsync(Ct);

        var mail = MailTo(owner.Email).Should().ContainSingle("one digest a day").Subject;
        Subject(mail).Should().Be("您的 Scoda.Market 每日摘要：1 条未读通知");
        mail.Should().Contain("希望就「Milling wheat, class 3, 12.5% protein」进行洽谈");
        MailTo(trade.Buyer.Email).Should().BeEmpty();
    }
}

public sealed class NotificationTests_Sqlite(SqliteApp app) : NotificationTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class NotificationTests_Postgres(PostgresApp app) : NotificationTests<PostgresApp>(app), IClassFixture<PostgresApp>;
