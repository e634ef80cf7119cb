using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Csv;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.LiveSessions;

public sealed record ViewerPoint(DateTimeOffset At, int Count);

public sealed record QuestionCounts(int Asked, int Answered);

/// <summary>Interest in one listing: how many statements, the tonnage (in the commodity's unit) and its value in USD.</summary>
public sealed record InterestLine(
    Guid ListingId, LocalizedText Title, Guid SellerOrganizationId, int Interests, decimal Quantity, string Unit, decimal Value, string Currency,
    int RoomsOpened, int DealsCreated);

/// <summary>
/// <c>GET /api/live-sessions/{id}/report</c>. <see cref="Scope"/> is <c>all</c> for the host and admins, <c>own_listings</c>
/// for a featured exporter, whose interest lines, rooms and deals are those of their own listings only.
/// </summary>
public sealed record LiveReportResponse(
    Guid SessionId,
    LocalizedText Title,
    LiveSessionStatus Status,
    string Scope,
    int Registrants,
    int UniqueViewers,
    int PeakViewers,
    IReadOnlyList<ViewerPoint> ViewersPerMinute,
    QuestionCounts Questions,
    IReadOnlyList<InterestLine> Interest,
    int RoomsOpened,
    int DealsCreated);

/// <summary>The session's report, during and after it; who may read which lines is decided here.</summary>
public sealed class LiveReport(MarketDbContext db, ListingFacts listings, OrganizationAccess organizations, DealService deals)
{
    public async Task<LiveReportResponse> ReadAsync(LiveCaller caller, Guid sessionId, CancellationToken ct)
    {
        var userId = caller.RequireUser();
        var session = await db.LiveSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, ct) ?? throw LiveSessionService.NotFound();
        HashSet<Guid>? sellers = null;
        if (session.HostUserId != userId && !caller.IsAdmin)
        {
            var mine = await organizations.RolesByOrganizationAsync(userId, ct);
            var featured = await db.LiveSessionListings.AsNoTracking().Where(f => f.SessionId == sessionId).Select(f => f.SellerOrganizationId).Distinct().ToListAsync(ct);
            sellers = featured.Where(mine.ContainsKey).ToHashSet();
            if (sellers.Count == 0)
            {
                throw new LiveSessionException(LiveErrors.Forbidden, "The report is for the host, admins and the exporters the session features.");
            }
        }

        var interests = await db.LiveInterests.AsNoTracking().Where(i => i.SessionId == sessionId).ToListAsync(ct);
        var rooms = await db.LiveSessionRooms.AsNoTracking().Where(r => r.SessionId == sessionId).ToListAsync(ct);
        var shown = (await listings.ShowcaseAsync(interests.Select(i => i.ListingId).Concat(rooms.Select(r => r.ListingId)).Distinct().ToList(), ct))
            .ToDictionary(l => l.Id);
        if (sellers is not null)
        {
            interests = interests.Where(i => sellers.Contains(i.SellerOrganizationId)).ToList();
            rooms = rooms.Where(r => shown.TryGetValue(r.ListingId, out var l) && sellers.Contains(l.Seller.Id)).ToList();
        }
        var dealOfRoom = await deals.DealsOfRoomsAsync(rooms.Select(r => r.RoomId).ToList(), ct);
        var lines = interests.Select(i => i.ListingId).Concat(rooms.Select(r => r.ListingId)).Distinct().Where(shown.ContainsKey).Select(id =>
        {
            var listing = shown[id];
            var unit = listing.CommodityUnit ?? listing.QuantityUnit;
            var mineHere = interests.Where(i => i.ListingId == id).ToList();
            var roomsHere = rooms.Where(r => r.ListingId == id).ToList();
            return new InterestLine(id, listing.Title, listing.Seller.Id, mineHere.Count,
                mineHere.Sum(i => Units.TryConvert(i.Quantity, i.Unit, unit, out var q) ? q : 0m), unit,
                mineHere.Sum(i => i.ValueUsd ?? 0m), Currencies.Usd, roomsHere.Count, roomsHere.Count(r => dealOfRoom.ContainsKey(r.RoomId)));
        }).OrderByDescending(l => l.Value).ThenBy(l => l.ListingId).ToList();

        var minutes = await db.LiveViewerMinutes.AsNoTracking().Where(m => m.SessionId == sessionId).OrderBy(m => m.Minute).ToListAsync(ct);
        return new LiveReportResponse(
            sessionId, session.Title, session.Status, sellers is null ? "all" : "own_listings",
            await db.LiveRegistrations.CountAsync(r => r.SessionId == sessionId, ct),
            await db.LiveVisits.CountAsync(v => v.SessionId == sessionId, ct),
            minutes.Count == 0 ? 0 : minutes.Max(m => m.Count),
            minutes.Select(m => new ViewerPoint(m.Minute, m.Count)).ToList(),
            new QuestionCounts(
                await db.LiveQuestions.CountAsync(q => q.SessionId == sessionId, ct),
                await db.LiveQuestions.CountAsync(q => q.SessionId == sessionId && q.AnsweredAt != null, ct)),
            lines, rooms.Count, rooms.Count(r => dealOfRoom.ContainsKey(r.RoomId)));
    }

    /// <summary>
    /// The report as one CSV table: <c>metric,at,listing_id,listing,count,quantity,unit,value,currency</c>. Text that a
    /// spreadsheet would run as a formula (starting with = + - @, tab or CR) is prefixed with an apostrophe.
    /// </summary>
    public static string ToCsv(LiveReportResponse report)
    {
        var csv = new StringBuilder("metric,at,listing_id,listing,count,quantity,unit,value,currency\r\n");
        void Row(string metric, string at, string listingId, string listing, string count, string quantity = "", string unit = "", string value = "", string currency = "") =>
            csv.Append(string.Join(',', new[] { metric, at, listingId, listing, count, quantity, unit, value, currency }.Select(CsvWriter.ReportField))).Append("\r\n");
        static string Number(decimal value) => Decimals.Normalize(value).ToString(CultureInfo.InvariantCulture);
        static string Integer(int value) => value.ToString(CultureInfo.InvariantCulture);

        Row("registrants", "", "", "", Integer(report.Registrants));
        Row("unique_viewers", "", "", "", Integer(report.UniqueViewers));
        Row("peak_viewers", "", "", "", Integer(report.PeakViewers));
        Row("questions_asked", "", "", "", Integer(report.Questions.Asked));
        Row("questions_answered", "", "", "", Integer(report.Questions.Answered));
        Row("rooms_opened", "", "", "", Integer(report.RoomsOpened));
        Row("deals_created", "", "", "", Integer(report.DealsCreated));
        foreach (var point in report.ViewersPerMinute)
        {
            Row("viewers", point.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), "", "", Integer(point.Count));
        }
        foreach (var line in report.Interest)
        {
            var title = line.Title.GetValueOrDefault("en") ?? line.Title.Values.FirstOrDefault() ?? "";
            Row("interest", "", line.ListingId.ToString(), title, Integer(line.Interests), Number(line.Quantity), line.Unit, Number(line.Value), line.Currency);
        }
        return csv.ToString();
    }
}
