using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.LiveSessions;

/// <summary>The live floor through the real <c>/hubs/live</c> over WebSockets: watching, chat, questions and catching up.</summary>
public abstract class LiveHubTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Anonymous_visitors_watch_and_read_but_cannot_take_part()
    {
        var stage = await LiveStage.CreateAsync(App);
        var session = await stage.LiveAsync();
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;
        var (visitor, snapshot) = await stage.JoinAsync(null, session);
        await using var _v = visitor;

        snapshot.GetProperty("role").GetString().Should().Be("viewer");
        snapshot.GetProperty("session").GetProperty("status").GetString().Should().Be("live");
        var chat = await buyer.InvokeAsync("SendChat", session, NewId(), "你好, what is the protein content?");
        var pushed = await LiveStage.NextEventAsync(visitor, "chat");
        pushed.GetProperty("sequence").GetInt64().Should().Be(chat.GetProperty("sequence").GetInt64());
        pushed.GetProperty("payload").GetProperty("text").GetString().Should().Be("你好, what is the protein content?");
        pushed.GetProperty("actor").GetProperty("userId").GetGuid().Should().Be(stage.Buyer.Id);

        foreach (var (method, arguments) in new (string, object?[])[]
        {
            ("SendChat", [session, NewId(), "hi"]),
            ("AskQuestion", [session, NewId(), "price?"]),
            ("UpvoteQuestion", [session, Guid.NewGuid()]),
            ("ExpressInterest", [session, stage.ListingId, new { value = 500, unit = "t" }, null, DateTimeOffset.UtcNow.AddDays(3)]),
            ("RequestQuote", [session, stage.ListingId]),
            ("PinListing", [session, stage.ListingId]),
            ("HideItem", [session, 1L]),
            ("MuteUser", [session, stage.Buyer.Id]),
        })
        {
            (await visitor.InvokeExpectingErrorAsync(method, arguments)).Should().StartWith("unauthorized:", method);
        }
        var events = 0L;
        await App.WithDbAsync(async db => events = await db.LiveEvents.CountAsync(e => e.SessionId == session, Ct));
        events.Should().Be(2, "started and the buyer's chat; the visitor stored nothing");
    }

    [Fact]
    public async Task A_late_joiner_gets_the_pinned_listing_the_question_board_and_the_last_50_chat_messages()
    {
        var stage = await LiveStage.CreateAsync(App);
        var session = await stage.LiveAsync();
        var (host, _) = await stage.JoinAsync(stage.Ambassador, session);
        await using var _h = host;
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;
        var other = await stage.AnotherBuyerAsync();
        var (second, _) = await stage.JoinAsync(other, session);
        await using var _s = second;

        for (var i = 1; i <= 55; i++)
        {
            await (i % 20 == 0 ? buyer : host).InvokeAsync("SendChat", session, NewId(), $"message {i}");
        }
        var first = await buyer.InvokeAsync("AskQuestion", session, NewId(), "Can you ship via Alashankou?");
        var popular = await second.InvokeAsync("AskQuestion", session, NewId(), "What is the falling number?");
        var popularId = popular.GetProperty("payload").GetProperty("questionId").GetGuid();
        await buyer.InvokeAsync("UpvoteQuestion", session, popularId);
        await host.InvokeAsync("UpvoteQuestion", session, popularId);
        (await buyer.InvokeExpectingErrorAsync("UpvoteQuestion", session, popularId)).Should().StartWith("conflict:");
        await host.InvokeAsync("AnswerQuestion", session, popularId, "Above 300 s.");
        var pinned = await host.InvokeAsync("PinListing", session, stage.ListingId);

        var (late, snapshot) = await stage.JoinAsync(await App.SignUpAsync(), session);
        await using var _l = late;

        var chat = snapshot.GetProperty("chat").EnumerateArray().Select(e => e.GetProperty("payload").GetProperty("text").GetString()).ToList();
        chat.Should().HaveCount(50).And.StartWith("message 6").And.EndWith("message 55");
        var questions = snapshot.GetProperty("questions").EnumerateArray().ToList();
        questions.Select(q => q.GetProperty("id").GetGuid()).Should().Equal(popularId, first.GetProperty("payload").GetProperty("questionId").GetGuid());
        questions[0].GetProperty("votes").GetInt32().Should().Be(2);
        questions[0].GetProperty("answer").GetString().Should().Be("Above 300 s.");
        var card = snapshot.GetProperty("pinned");
        card.GetProperty("id").GetGuid().Should().Be(stage.ListingId);
        card.GetProperty("specs").GetProperty("protein").GetString().Should().Be("12.5");
        card.GetProperty("price").GetProperty("amount").GetDecimal().Should().Be(245.50m);
        card.GetProperty("normalizedPrice").GetProperty("usd").GetProperty("amount").GetDecimal().Should().Be(245.5m);
        card.GetProperty("stock").GetProperty("available").GetDecimal().Should().Be(1000m);
        card.GetProperty("seller").GetProperty("id").GetGuid().Should().Be(stage.Seller.OrganizationId);
        card.GetProperty("seller").GetProperty("verified").GetBoolean().Should().BeTrue();
        pinned.GetProperty("payload").GetProperty("listing").GetProperty("id").GetGuid().Should().Be(stage.ListingId);
        snapshot.GetProperty("events").GetArrayLength().Should().Be((int)snapshot.GetProperty("session").GetProperty("lastSequence").GetInt64());
    }

    [Fact]
    public async Task A_viewer_who_reconnects_catches_up_by_sequence()
    {
        var stage = await LiveStage.CreateAsync(App);
        var session = await stage.LiveAsync();
        var (host, _) = await stage.JoinAsync(stage.Ambassador, session);
        await using var _h = host;
        var (buyer, joined) = await stage.JoinAsync(stage.Buyer, session);
        var seen = joined.GetProperty("session").GetProperty("lastSequence").GetInt64();
        await buyer.DisposeAsync();

        var missed = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            missed.Add((await host.InvokeAsync("SendChat", session, NewId(), $"while you were away {i}")).GetProperty("sequence").GetInt64());
        }
        var (back, caughtUp) = await stage.JoinAsync(stage.Buyer, session, seen);
        await using var _back = back;
        var live = (await host.InvokeAsync("SendChat", session, NewId(), "and now")).GetProperty("sequence").GetInt64();

        caughtUp.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()).Should().Equal(missed);
        (await LiveStage.NextEventAsync(back, "chat")).GetProperty("sequence").GetInt64().Should().Be(live).And.Be(missed[^1] + 1);
    }

    [Fact]
    public async Task Viewers_cannot_pin_answer_or_moderate()
    {
        var stage = await LiveStage.CreateAsync(App);
        var session = await stage.LiveAsync();
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;
        var asked = await buyer.InvokeAsync("AskQuestion", session, NewId(), "Moisture?");
        var question = asked.GetProperty("payload").GetProperty("questionId").GetGuid();
        var (seller, _) = await stage.JoinAsync(stage.Seller.Owner, session);
        await using var _s = seller;

        (await seller.InvokeExpectingErrorAsync("PinListing", session, stage.ListingId)).Should().StartWith("forbidden:");
        (await seller.InvokeExpectingErrorAsync("AnswerQuestion", session, question, "13.5 %")).Should().StartWith("forbidden:");
        (await seller.InvokeExpectingErrorAsync("HideItem", session, asked.GetProperty("sequence").GetInt64())).Should().StartWith("forbidden:");
        (await seller.InvokeExpectingErrorAsync("MuteUser", session, stage.Buyer.Id)).Should().StartWith("forbidden:");
        var moderator = await App.SignUpWithRoleAsync("Moderator");
        var (mod, _) = await stage.JoinAsync(moderator, session);
        await using var _m = mod;
        (await mod.InvokeExpectingErrorAsync("AnswerQuestion", session, question, "13.5 %")).Should().StartWith("forbidden:", "answers are the host's");
        (await mod.InvokeExpectingErrorAsync("PinListing", session, stage.ListingId)).Should().StartWith("forbidden:");
    }

    [Fact]
    public async Task Hosts_and_moderators_hide_items_and_mute_users_whose_calls_then_fail_forbidden()
    {
        var stage = await LiveStage.CreateAsync(App);
        var session = await stage.LiveAsync();
        var (host, _) = await stage.JoinAsync(stage.Ambassador, session);
        await using var _h = host;
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;
        var (visitor, _) = await stage.JoinAsync(null, session);
        await using var _v = visitor;

        var spam = await buyer.InvokeAsync("SendChat", session, NewId(), "BUY CHEAP VIAGRA");
        var question = await buyer.InvokeAsync("AskQuestion", session, NewId(), "spam question");
        var hidden = await host.InvokeAsync("HideItem", session, spam.GetProperty("sequence").GetInt64());
        var moderator = await App.SignUpWithRoleAsync("Moderator");
        var (mod, _) = await stage.JoinAsync(moderator, session);
        await using var _m = mod;
        await mod.InvokeAsync("HideItem", session, question.GetProperty("sequence").GetInt64());
        (await mod.InvokeExpectingErrorAsync("HideItem", session, question.GetProperty("sequence").GetInt64())).Should().StartWith("conflict:");
        (await mod.InvokeExpectingErrorAsync("HideItem", session, hidden.GetProperty("sequence").GetInt64())).Should().StartWith("invalid:");
        var muted = await mod.InvokeAsync("MuteUser", session, stage.Buyer.Id);

        hidden.GetProperty("type").GetString().Should().Be("hidden");
        muted.GetProperty("payload").GetProperty("userId").GetGuid().Should().Be(stage.Buyer.Id);
        (await LiveStage.NextEventAsync(visitor, "muted")).GetProperty("payload").GetProperty("userId").GetGuid().Should().Be(stage.Buyer.Id);
        (await buyer.InvokeExpectingErrorAsync("SendChat", session, NewId(), "let me speak")).Should().StartWith("forbidden:");
        (await buyer.InvokeExpectingErrorAsync("AskQuestion", session, NewId(), "?")).Should().StartWith("forbidden:");
        (await buyer.InvokeExpectingErrorAsync("RequestQuote", session, stage.ListingId)).Should().StartWith("forbidden:");
        (await buyer.InvokeExpectingErrorAsync("ExpressInterest", session, stage.ListingId, new { value = 500, unit = "t" }, null,
            DateTimeOffset.UtcNow.AddDays(2))).Should().StartWith("forbidden:");
        (await host.InvokeExpectingErrorAsync("MuteUser", session, stage.Ambassador.Id)).Should().StartWith("invalid:");

        var (late, snapshot) = await stage.JoinAsync(await App.SignUpAsync(), session);
        await using var _l = late;
        snapshot.GetProperty("chat").EnumerateArray().Should().BeEmpty();
        snapshot.GetProperty("questions").EnumerateArray().Should().BeEmpty();
        var spamEvent = snapshot.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("sequence").GetInt64() == spam.GetProperty("sequence").GetInt64());
        spamEvent.GetProperty("hidden").GetBoolean().Should().BeTrue();
        spamEvent.GetProperty("payload").GetRawText().Should().NotContain("VIAGRA");
        var (again, mutedSnapshot) = await stage.JoinAsync(stage.Buyer, session);
        await using var _a = again;
        mutedSnapshot.GetProperty("muted").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Chat_is_rate_limited_per_user_and_texts_have_limits()
    {
        var stage = await LiveStage.CreateAsync(App);
        var session = await stage.LiveAsync();
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;
        var (other, _) = await stage.JoinAsync(await App.SignUpAsync(), session);
        await using var _o = other;

        for (var i = 0; i < 5; i++)
        {
            await buyer.InvokeAsync("SendChat", session, NewId(), $"burst {i}");
        }
        var limited = await buyer.InvokeExpectingErrorAsync("SendChat", session, NewId(), "one too many");
        await other.InvokeAsync("SendChat", session, NewId(), "someone else still speaks");

        limited.Should().StartWith("rate_limited:");
        (await other.InvokeExpectingErrorAsync("SendChat", session, NewId(), new string('x', 501))).Should().StartWith("invalid: text:");
        (await other.InvokeExpectingErrorAsync("AskQuestion", session, NewId(), "   ")).Should().StartWith("invalid: text:");
        (await other.InvokeExpectingErrorAsync("SendChat", session, "bad id!", "hello")).Should().StartWith("invalid: clientMessageId:");
        (await other.InvokeExpectingErrorAsync("SendChat", session, NewId(), "a\u202Eb")).Should().StartWith("invalid:");
        (await other.InvokeExpectingErrorAsync("JoinSession", "not-a-guid", 0)).Should().StartWith("invalid:");
        (await other.InvokeExpectingErrorAsync("JoinSession", session, -1)).Should().StartWith("invalid:");
        (await other.InvokeExpectingErrorAsync("JoinSession", Guid.NewGuid(), 0)).Should().StartWith("not_found:");
    }

    [Fact]
    public async Task A_retried_chat_message_is_stored_once()
    {
        var stage = await LiveStage.CreateAsync(App);
        var session = await stage.LiveAsync();
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, session);
        await using var _b = buyer;
        var id = NewId();

        var first = await buyer.InvokeAsync("SendChat", session, id, "once");
        var retry = await buyer.InvokeAsync("SendChat", session, id, "once");

        retry.GetProperty("sequence").GetInt64().Should().Be(first.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task Ended_and_cancelled_sessions_refuse_live_calls_with_conflict()
    {
        var stage = await LiveStage.CreateAsync(App);
        var ended = await stage.LiveAsync();
        var (host, _) = await stage.JoinAsync(stage.Ambassador, ended);
        await using var _h = host;
        var (buyer, _) = await stage.JoinAsync(stage.Buyer, ended);
        await using var _b = buyer;
        var question = (await buyer.InvokeAsync("AskQuestion", ended, NewId(), "Price?")).GetProperty("payload").GetProperty("questionId").GetGuid();
        (await stage.Ambassador.Client.PostAsync($"/api/live-sessions/{ended}/end", null, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        var cancelled = await stage.ScheduleAsync();
        (await stage.Ambassador.Client.PostAsync($"/api/live-sessions/{cancelled}/cancel", null, Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        await buyer.InvokeAsync("JoinSession", cancelled, 0);
        await host.InvokeAsync("JoinSession", cancelled, 0);

        foreach (var session in new[] { ended, cancelled })
        {
            (await buyer.InvokeExpectingErrorAsync("SendChat", session, NewId(), "still there?")).Should().StartWith("conflict:");
            (await buyer.InvokeExpectingErrorAsync("AskQuestion", session, NewId(), "?")).Should().StartWith("conflict:");
            (await buyer.InvokeExpectingErrorAsync("RequestQuote", session, stage.ListingId)).Should().StartWith("conflict:");
            (await buyer.InvokeExpectingErrorAsync("ExpressInterest", session, stage.ListingId, new { value = 500, unit = "t" }, null,
                DateTimeOffset.UtcNow.AddDays(2))).Should().StartWith("conflict:");
            (await host.InvokeExpectingErrorAsync("PinListing", session, stage.ListingId)).Should().StartWith("conflict:");
            (await host.InvokeExpectingErrorAsync("MuteUser", session, stage.Buyer.Id)).Should().StartWith("conflict:");
        }
        (await buyer.InvokeExpectingErrorAsync("UpvoteQuestion", ended, question)).Should().StartWith("conflict:");
        (await host.InvokeExpectingErrorAsync("AnswerQuestion", ended, question, "late")).Should().StartWith("conflict:");
        var scheduled = await stage.ScheduleAsync();
        (await buyer.InvokeAsync("JoinSession", scheduled, 0)).GetProperty("session").GetProperty("status").GetString().Should().Be("scheduled");
        (await buyer.InvokeExpectingErrorAsync("SendChat", scheduled, NewId(), "early")).Should().StartWith("conflict:");
    }
}

public sealed class LiveHubTests_Sqlite(SqliteApp fixture) : LiveHubTests<SqliteApp>(fixture), IClassFixture<SqliteApp>;

public sealed class LiveHubTests_Postgres(PostgresApp fixture) : LiveHubTests<PostgresApp>(fixture), IClassFixture<PostgresApp>;
