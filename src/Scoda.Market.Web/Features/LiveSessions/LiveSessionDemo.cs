using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.LiveSessions;

/// <summary>A demo audience member: the user and, for buyers, the organization they buy for.</summary>
public sealed record DemoViewer(Guid UserId, Guid? BuyerOrganizationId);

/// <summary>
/// seed-demo's live sessions, hosted by the demo ambassador: one upcoming (with registrants), one live now (pinned listing,
/// chat, a question board) and one a week ago with its report: viewers over an hour, questions, interest, a room opened
/// from it. Written straight into this feature's tables (a past session cannot be scheduled through the API); the room
/// goes through <see cref="NegotiationService"/>. Nothing happens when the ambassador already hosts sessions.
/// </summary>
[FeatureContract]
public sealed class LiveSessionDemo(MarketDbContext db, ListingFacts listings, NegotiationService negotiations, TimeProvider clock, IOptions<JsonOptions> json)
{
    readonly JsonSerializerOptions _json = json.Value.SerializerOptions;

    public async Task<int> SeedAsync(Guid ambassadorId, string country, IReadOnlyList<DemoViewer> audience, CancellationToken ct)
    {
        if (await db.LiveSessions.AnyAsync(s => s.HostUserId == ambassadorId, ct))
        {
            return 0;
        }
        var featured = await listings.ShowcaseAsync(await listings.FeaturableAsync(country, 3, ct), ct);
        if (featured.Count == 0 || audience.Count == 0)
        {
            return 0;
        }
        var now = clock.GetUtcNow();
        var hour = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);

        var upcoming = Session(ambassadorId, country, featured, hour.AddDays(2).AddHours(2), "Kazakh grain and oilseeds: the 2026 harvest",
            "Казахстанское зерно и масличные: урожай 2026", "哈萨克斯坦粮食和油料：2026年收成", LiveSessionStatus.Scheduled);
        db.LiveRegistrations.AddRange(audience.Select(a => new LiveRegistration { SessionId = upcoming.Id, UserId = a.UserId, RegisteredAt = now }));

        var live = Session(ambassadorId, country, featured, now.AddMinutes(-20), "Live from Khorgos: wheat for Qingdao mills",
            "Прямой эфир из Хоргоса: пшеница для мельниц Циндао", "霍尔果斯直播：供应青岛面粉厂的小麦", LiveSessionStatus.Live);
        live.StartedAt = live.StartsAt;
        live.PinnedListingId = featured[0].Id;
        var liveLog = new Log(db, _json, live);
        liveLog.Add(LiveEventTypes.Started, ambassadorId, LiveRoles.Host, new { status = "live", reason = (string?)null });
        liveLog.Add(LiveEventTypes.ListingPinned, ambassadorId, LiveRoles.Host, new { listingId = featured[0].Id });
        liveLog.Add(LiveEventTypes.Chat, ambassadorId, LiveRoles.Host, new { text = "Добро пожаловать! 欢迎！ Welcome to Khorgos." });
        liveLog.Add(LiveEventTypes.Chat, audience[0].UserId, LiveRoles.Viewer, new { text = "你好! Is the wheat SGS-certified?" });
        liveLog.Question(audience[0].UserId, "What is the falling number of this lot?", votes: 2, answer: null);

        var past = Session(ambassadorId, country, featured, hour.AddDays(-7).AddHours(-3), "Pavlodar oilseeds for Shandong crushers",
            "Павлодарские масличные для Шаньдуна", "巴甫洛达尔油料供应山东压榨厂", LiveSessionStatus.Ended);
        past.StartedAt = past.StartsAt;
        past.EndedAt = past.EndsAt;
        past.PinnedListingId = featured[^1].Id;
        var pastLog = new Log(db, _json, past);
        pastLog.Add(LiveEventTypes.Started, ambassadorId, LiveRoles.Host, new { status = "live", reason = (string?)null });
        pastLog.Question(audience[0].UserId, "Can you deliver CPT Alashankou in February?", votes: 5, answer: "Yes, by rail, 21 days from the contract.");
        pastLog.Question(audience[^1].UserId, "Moisture and oil content of the sunflower seed?", votes: 3, answer: "Moisture 7 %, oil 48 % on dry matter.");
        pastLog.Question(audience[0].UserId, "Is an L/C at sight acceptable?", votes: 1, answer: null);
        var buyers = audience.Where(a => a.BuyerOrganizationId is not null).ToList();
        foreach (var (buyer, i) in buyers.Select((b, i) => (b, i)))
        {
            var listing = featured[i % featured.Count];
            pastLog.Interest(buyer, listing, 500m * (i + 1), past.StartsAt.AddMinutes(20 + i * 7));
        }
        pastLog.Add(LiveEventTypes.Ended, ambassadorId, LiveRoles.Host, new { status = "ended", reason = (string?)null });
        for (var minute = 0; minute < 60; minute++)
        {
            // An audience that builds, peaks when the listing is pinned, and thins out towards the end.
            var count = (int)Math.Round(40 * Math.Sin(Math.PI * (minute + 1) / 62) + 4);
            db.LiveViewerMinutes.Add(new LiveViewerMinute { SessionId = past.Id, Minute = past.StartsAt.AddMinutes(minute), Count = count });
        }
        db.LiveVisits.AddRange(Enumerable.Range(1, 57).Select(i => new LiveVisit { SessionId = past.Id, ViewerKey = $"c:demo-{i}", FirstSeenAt = past.StartsAt.AddMinutes(i % 50) }));
        db.LiveVisits.AddRange(audience.Select(a => new LiveVisit { SessionId = past.Id, ViewerKey = $"u:{a.UserId:N}", FirstSeenAt = past.StartsAt }));
        db.LiveSessions.AddRange(upcoming, live, past);
        await db.SaveChangesAsync(ct);

        // The first buyer asked for a quote in the past session: a real room, noted as coming from it.
        if (buyers.FirstOrDefault() is { } first)
        {
            var listing = featured[0];
            var (roomId, _) = await negotiations.OpenRoomFromSessionAsync(new Caller(first.UserId, false), listing.Id, first.BuyerOrganizationId!.Value,
                new LiveSessionOrigin(past.Id, LiveSessionService.TitleOf(past)), announce: true, ct);
            db.LiveSessionRooms.Add(new LiveSessionRoom { SessionId = past.Id, RoomId = roomId, ListingId = listing.Id, BuyerOrganizationId = first.BuyerOrganizationId.Value, OpenedAt = now });
            await db.SaveChangesAsync(ct);
        }
        return 3;
    }

    static LiveSession Session(Guid host, string country, IReadOnlyList<ListingShowcase> featured, DateTimeOffset startsAt, string en, string ru, string zh, LiveSessionStatus status)
    {
        var session = new LiveSession
        {
            Id = Guid.CreateVersion7(startsAt), HostUserId = host, CountryCode = country, Status = status, StartsAt = startsAt, EndsAt = startsAt.AddHours(1),
            StreamUrl = "https://test-streams.mux.dev/x36xhzz/x36xhzz.m3u8", StreamKind = StreamKind.Hls,
            Title = new LocalizedText { ["en"] = en, ["ru"] = ru, ["zh"] = zh },
            Description = new LocalizedText { ["en"] = $"The ambassador of {country} presents verified exporters and their listings, with live Q&A." },
            CreatedAt = startsAt.AddDays(-3), UpdatedAt = startsAt.AddDays(-3),
        };
        session.Featured = featured.Select((l, i) => LiveSessionService.Featured(session.Id, l, i)).ToList();
        return session;
    }

    /// <summary>Appends numbered events to a session being seeded.</summary>
    sealed class Log(MarketDbContext db, JsonSerializerOptions json, LiveSession session)
    {
        DateTimeOffset _at = session.StartsAt;

        public LiveEvent Add(string type, Guid actor, string role, object payload)
        {
            _at = _at.AddMinutes(1);
            var stored = new LiveEvent
            {
                Id = Guid.CreateVersion7(_at), SessionId = session.Id, Sequence = ++session.LastSequence, Type = type, ActorUserId = actor, ActorRole = role,
                Payload = JsonSerializer.Serialize(payload, json), At = _at,
            };
            db.LiveEvents.Add(stored);
            return stored;
        }

        public void Question(Guid askedBy, string text, int votes, string? answer)
        {
            var id = Guid.CreateVersion7(_at);
            var asked = Add(LiveEventTypes.Question, askedBy, LiveRoles.Viewer, new { questionId = id, text, votes = 0 });
            db.LiveQuestions.Add(new LiveQuestion
            {
                Id = id, SessionId = session.Id, Sequence = asked.Sequence, AskedBy = askedBy, Text = text, Votes = votes, AskedAt = asked.At,
                Answer = answer, AnsweredBy = answer is null ? null : session.HostUserId, AnsweredAt = answer is null ? null : asked.At.AddMinutes(2),
            });
            if (answer is not null)
            {
                Add(LiveEventTypes.QuestionAnswered, session.HostUserId, LiveRoles.Host, new { questionId = id, answer });
            }
        }

        public void Interest(DemoViewer buyer, ListingShowcase listing, decimal tonnes, DateTimeOffset at)
        {
            var id = Guid.CreateVersion7(at);
            var stored = Add(LiveEventTypes.Interest, buyer.UserId, LiveRoles.Viewer, new { interestId = id, listingId = listing.Id, quantity = tonnes, unit = "t" });
            db.LiveInterests.Add(new LiveInterest
            {
                Id = id, SessionId = session.Id, ListingId = listing.Id, SellerOrganizationId = listing.Seller.Id, BuyerOrganizationId = buyer.BuyerOrganizationId!.Value,
                UserId = buyer.UserId, Quantity = tonnes, Unit = "t", ValueUsd = listing.NormalizedPriceUsd is { } usd ? Math.Round(usd * tonnes, 2) : null,
                ValidUntil = at.AddDays(30), CreatedAt = at, Sequence = stored.Sequence,
            });
        }
    }
}
