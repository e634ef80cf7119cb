using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Notifications;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Paging;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.LiveSessions;

/// <summary>
/// Scheduling and discovery of live sessions: ambassadors schedule for their country and feature published listings of
/// verified exporters there; anyone browses; signed-in people register. The live part is <see cref="LiveFloor"/>.
/// </summary>
[FeatureContract]
public sealed class LiveSessionService(
    MarketDbContext db, AccountFacts accounts, ListingFacts listings, Notifier notifier, LiveSessionOptions options, TimeProvider clock)
{
    public const int MaxTitleLength = 200;
    public const int MaxDescriptionLength = 5_000;
    public const int MaxFeatured = 20;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(12);
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(366);

    /// <summary>The next sessions that have not ended (live ones first, then by start), for the dashboard and landing page.</summary>
    public async Task<IReadOnlyList<UpcomingLiveSession>> UpcomingAsync(int limit, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var rows = await db.LiveSessions.AsNoTracking()
            .Where(s => s.Status == LiveSessionStatus.Live || (s.Status == LiveSessionStatus.Scheduled && s.EndsAt > now))
            .OrderBy(s => s.Status == LiveSessionStatus.Live ? 0 : 1).ThenBy(s => s.StartsAt).ThenBy(s => s.Id)
            .Take(Math.Clamp(limit, 1, PageRequest.MaxLimit)).ToListAsync(ct);
        return rows.Select(s => new UpcomingLiveSession(s.Id, s.Title, s.CountryCode, s.StartsAt, s.EndsAt, StatusText(s.Status))).ToList();
    }

    public static string StatusText(LiveSessionStatus status) => status.ToString().ToLowerInvariant();

    // ---- Scheduling ----

    public async Task<LiveSessionResponse> CreateAsync(LiveCaller caller, LiveSessionRequest request, CancellationToken ct)
    {
        var userId = caller.RequireUser();
        var country = await AmbassadorCountryAsync(userId, request.CountryCode, ct);
        var now = clock.GetUtcNow();
        var (fields, featured) = await ReadAsync(request, country, now, ct);
        var session = new LiveSession
        {
            Id = Guid.CreateVersion7(now), HostUserId = userId, CountryCode = country, Status = LiveSessionStatus.Scheduled, StreamUrl = fields.StreamUrl,
            CreatedAt = now, UpdatedAt = now,
        };
        Apply(session, fields, featured);
        db.LiveSessions.Add(session);
        await db.SaveChangesAsync(ct);
        await TellFeaturedAsync(session, featured, ct);
        return await ResponseAsync(caller, session.Id, ct);
    }

    /// <summary>The host changes a session until it starts; newly featured exporters are told.</summary>
    public async Task<LiveSessionResponse> UpdateAsync(LiveCaller caller, Guid sessionId, LiveSessionRequest request, CancellationToken ct)
    {
        var userId = caller.RequireUser();
        var session = await db.LiveSessions.SingleOrDefaultAsync(s => s.Id == sessionId, ct) ?? throw NotFound();
        if (session.HostUserId != userId)
        {
            throw new LiveSessionException(LiveErrors.Forbidden, "Only the session's host edits it.");
        }
        var now = clock.GetUtcNow();
        if (session.Status != LiveSessionStatus.Scheduled || now >= session.StartsAt)
        {
            throw new LiveSessionException(LiveErrors.Conflict, $"A session can be edited until it starts; this one is {StatusText(session.Status)}.");
        }
        var country = await AmbassadorCountryAsync(userId, request.CountryCode ?? session.CountryCode, ct);
        var (fields, featured) = await ReadAsync(request, country, now, ct);
        var before = (await db.LiveSessionListings.Where(f => f.SessionId == sessionId).Select(f => f.ListingId).ToListAsync(ct)).ToHashSet();
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.LiveSessionListings.Where(f => f.SessionId == sessionId).ExecuteDeleteAsync(ct);
            session.CountryCode = country;
            Apply(session, fields, featured);
            session.Revision++;
            session.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        await TellFeaturedAsync(session, featured.Where(f => !before.Contains(f.Id)).ToList(), ct);
        return await ResponseAsync(caller, session.Id, ct);
    }

    sealed record Fields(
        LocalizedText Title, LocalizedText Description, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string StreamUrl, StreamKind Kind, string? ReplayUrl,
        int? ViewerCap);

    /// <summary>The highest cap a host may set: <see cref="LiveSessionOptions.MaxViewerCap"/> (never below the default cap).</summary>
    int HighestCap => Math.Max(options.MaxViewerCap, options.MaxViewers);

    async Task<string> AmbassadorCountryAsync(Guid userId, string? requested, CancellationToken ct)
    {
        var country = await accounts.AmbassadorCountryAsync(userId, ct)
            ?? throw new LiveSessionException(LiveErrors.Forbidden, "Only ambassadors schedule live sessions; an admin grants the role for a country.");
        if (requested is not null && !CountryCode.TryParse(requested, out _))
        {
            throw LiveSessionException.Invalid("countryCode", "An ISO 3166-1 alpha-2 country code.");
        }
        if (requested is not null && !string.Equals(requested.Trim(), country, StringComparison.OrdinalIgnoreCase))
        {
            throw new LiveSessionException(LiveErrors.Forbidden, $"You are the ambassador for {country}; sessions present that country's exporters.");
        }
        return country;
    }

    async Task<(Fields Fields, IReadOnlyList<ListingShowcase> Featured)> ReadAsync(LiveSessionRequest request, string country, DateTimeOffset now, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var title = ListingRules.Texts(request.Title, "title", MaxTitleLength, errors, required: true);
        var description = ListingRules.Texts(request.Description, "description", MaxDescriptionLength, errors, required: false);
        if (request.StartsAt is not { } startsAt)
        {
            errors.Add("startsAt", "Required (ISO 8601, UTC).");
            startsAt = default;
        }
        else
        {
            errors.Check(startsAt > now && startsAt <= now + MaxAhead, "startsAt", $"In the future, at most {MaxAhead.TotalDays:0} days ahead.");
        }
        if (request.EndsAt is not { } endsAt)
        {
            errors.Add("endsAt", "Required (ISO 8601, UTC).");
            endsAt = default;
        }
        else if (request.StartsAt is not null)
        {
            errors.Check(endsAt > startsAt && endsAt - startsAt <= MaxDuration, "endsAt", $"After the start, at most {MaxDuration.TotalHours:0} hours later.");
        }
        var stream = StreamUrls.Check(request.StreamUrl, "streamUrl", options, errors);
        var replay = request.ReplayUrl is null ? null : StreamUrls.Check(request.ReplayUrl, "replayUrl", options, errors);
        errors.Check(request.ViewerCap is not { } cap || (cap > 0 && cap <= HighestCap), "viewerCap",
            $"From 1 to {HighestCap} viewers, or leave it out for the default of {options.MaxViewers}.");
        var ids = request.FeaturedListingIds ?? [];
        errors.Check(ids.Count <= MaxFeatured, "featuredListingIds", $"At most {MaxFeatured} listings.");
        errors.Check(ids.Distinct().Count() == ids.Count, "featuredListingIds", "Each listing once.");
        var featured = ids.Count is > 0 and <= MaxFeatured ? await listings.ShowcaseAsync(ids, ct) : [];
        for (var i = 0; i < ids.Count && i < MaxFeatured; i++)
        {
            if (FeaturingProblem(featured.FirstOrDefault(l => l.Id == ids[i]), country) is { } problem)
            {
                errors.Add($"featuredListingIds[{i}]", problem);
            }
        }
        if (!errors.IsValid)
        {
            throw LiveSessionException.Invalid(errors);
        }
        var ordered = ids.Select(id => featured.First(l => l.Id == id)).ToList();
        return (new Fields(title, description, startsAt.ToUniversalTime(), endsAt.ToUniversalTime(), stream!.Value.Url, stream.Value.Kind, replay?.Url,
            request.ViewerCap), ordered);
    }

    /// <summary>Why the listing cannot be shown in a session for <paramref name="country"/>; null when it can.</summary>
    public static string? FeaturingProblem(ListingShowcase? listing, string country) => listing switch
    {
        null => "No such listing.",
        { Status: not ListingStatus.Published } => "Only published listings can be featured.",
        { Seller.Verified: false } => "The seller's organization is not verified.",
        _ when listing.Seller.CountryCode != country => $"The seller is not from {country}: a session presents its country's exporters.",
        _ => null,
    };

    static void Apply(LiveSession session, Fields fields, IReadOnlyList<ListingShowcase> featured)
    {
        session.Title = fields.Title;
        session.Description = fields.Description;
        session.StartsAt = fields.StartsAt;
        session.EndsAt = fields.EndsAt;
        session.StreamUrl = fields.StreamUrl;
        session.StreamKind = fields.Kind;
        session.ReplayUrl = fields.ReplayUrl;
        session.ViewerCap = fields.ViewerCap;
        session.Featured = featured.Select((l, i) => Featured(session.Id, l, i)).ToList();
    }

    public static LiveSessionListing Featured(Guid sessionId, ListingShowcase listing, int position) =>
        new() { SessionId = sessionId, ListingId = listing.Id, SellerOrganizationId = listing.Seller.Id, CategoryPath = listing.CategoryPath, Position = position };

    /// <summary>Featured exporters hear that their listing will be presented.</summary>
    public async Task TellFeaturedAsync(LiveSession session, IReadOnlyList<ListingShowcase> featured, CancellationToken ct)
    {
        foreach (var seller in featured.GroupBy(l => l.Seller.Id))
        {
            var titles = string.Join(", ", seller.Select(l => l.DisplayTitle));
            await notifier.NotifyOrganizationsAsync([seller.Key], LiveNotices.Featured, LiveNotices.FeaturedOf(session, titles), $"/live/{session.Id}", ct);
        }
    }

    public static string TitleOf(LiveSession session) =>
        session.Title.GetValueOrDefault("en") ?? session.Title.GetValueOrDefault("ru") ?? session.Title.Values.FirstOrDefault() ?? "Live session";

    // ---- Discovery ----

    public async Task<Page<LiveSessionResponse>> ListAsync(
        LiveCaller caller, string? status, string? country, string? category, string? cursor, int? limit, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        PageRequest.TryParse(cursor, limit, errors, out var page);
        errors.Check(status is null or "upcoming" or "live" or "ended" or "cancelled", "status", "upcoming, live, ended or cancelled.");
        errors.Check(country is null || CountryCode.TryParse(country, out _), "country", "An ISO 3166-1 alpha-2 country code.");
        Category? commodity = null;
        if (category is not null)
        {
            commodity = category.Length <= 100 ? await db.Categories.AsNoTracking().SingleOrDefaultAsync(c => c.Key == category, ct) : null;
            errors.Check(commodity is not null, "category", "A category key; see GET /api/categories.");
        }
        if (!errors.IsValid)
        {
            throw LiveSessionException.Invalid(errors);
        }
        var query = db.LiveSessions.AsNoTracking();
        query = status switch
        {
            "upcoming" => query.Where(s => s.Status == LiveSessionStatus.Scheduled),
            "live" => query.Where(s => s.Status == LiveSessionStatus.Live),
            "ended" => query.Where(s => s.Status == LiveSessionStatus.Ended),
            "cancelled" => query.Where(s => s.Status == LiveSessionStatus.Cancelled),
            _ => query.Where(s => s.Status != LiveSessionStatus.Cancelled),
        };
        if (country is not null)
        {
            var code = country.Trim().ToUpperInvariant();
            query = query.Where(s => s.CountryCode == code);
        }
        if (commodity is not null)
        {
            var path = commodity.Path;
            query = query.Where(s => s.Featured.Any(f => f.CategoryPath.Substring(0, path.Length) == path));
        }
        // Coming sessions soonest first; live and past ones most recent first.
        var rows = status == "upcoming"
            ? await query.PageOldestFirst(page, s => s.StartsAt, s => s.Id).ToListAsync(ct)
            : await query.PageNewestFirst(page, s => s.StartsAt, s => s.Id).ToListAsync(ct);
        var responses = await ResponsesAsync(caller, rows, ct);
        return page.ToPage(responses, s => new Cursor(s.StartsAt, s.Id));
    }

    public async Task<LiveSessionResponse> ResponseAsync(LiveCaller caller, Guid sessionId, CancellationToken ct)
    {
        var session = await db.LiveSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, ct) ?? throw NotFound();
        return (await ResponsesAsync(caller, [session], ct)).Single();
    }

    async Task<IReadOnlyList<LiveSessionResponse>> ResponsesAsync(LiveCaller caller, IReadOnlyList<LiveSession> sessions, CancellationToken ct)
    {
        var ids = sessions.Select(s => s.Id).ToList();
        var featured = await db.LiveSessionListings.AsNoTracking().Where(f => ids.Contains(f.SessionId)).OrderBy(f => f.Position).ToListAsync(ct);
        var shown = (await listings.ShowcaseAsync(featured.Select(f => f.ListingId).Distinct().ToList(), ct)).ToDictionary(l => l.Id);
        var counts = await db.LiveRegistrations.AsNoTracking().Where(r => ids.Contains(r.SessionId)).GroupBy(r => r.SessionId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var mine = caller.UserId is { } me
            ? (await db.LiveRegistrations.AsNoTracking().Where(r => ids.Contains(r.SessionId) && r.UserId == me).Select(r => r.SessionId).ToListAsync(ct)).ToHashSet()
            : [];
        return sessions.Select(s => new LiveSessionResponse(
            s.Id, s.Title, s.Description, s.CountryCode, s.StartsAt, s.EndsAt, s.StreamUrl, s.StreamKind, s.ReplayUrl, s.Status, s.HostUserId,
            caller.UserId == s.HostUserId, mine.Contains(s.Id), counts.GetValueOrDefault(s.Id),
            featured.Where(f => f.SessionId == s.Id && shown.ContainsKey(f.ListingId)).Select(f => shown[f.ListingId])
                .Select(l => new FeaturedListing(l.Id, l.Title, l.CategoryKey, l.Seller, l.Price, l.NormalizedPrice)).ToList(),
            s.PinnedListingId, s.LastSequence, s.StartedAt, s.EndedAt, s.CancelledAt, s.CancelReason, s.CreatedAt, s.UpdatedAt,
            s.ViewerCap ?? options.MaxViewers)).ToList();
    }

    // ---- Registration ----

    /// <summary>Registers the caller (again: no change); a cancelled or ended session takes no registrations.</summary>
    public async Task<RegistrationResponse> RegisterAsync(LiveCaller caller, Guid sessionId, CancellationToken ct)
    {
        var userId = caller.RequireUser();
        var session = await db.LiveSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, ct) ?? throw NotFound();
        if (session.Status is LiveSessionStatus.Cancelled or LiveSessionStatus.Ended)
        {
            throw new LiveSessionException(LiveErrors.Conflict, $"The session is {StatusText(session.Status)}; registration is open while it is scheduled or live.");
        }
        if (!await db.LiveRegistrations.AnyAsync(r => r.SessionId == sessionId && r.UserId == userId, ct))
        {
            db.LiveRegistrations.Add(new LiveRegistration { SessionId = sessionId, UserId = userId, RegisteredAt = clock.GetUtcNow() });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // A double click raced; the registration stands either way.
                db.ChangeTracker.Clear();
            }
        }
        return new RegistrationResponse(sessionId, true, await db.LiveRegistrations.CountAsync(r => r.SessionId == sessionId, ct));
    }

    public async Task<RegistrationResponse> UnregisterAsync(LiveCaller caller, Guid sessionId, CancellationToken ct)
    {
        var userId = caller.RequireUser();
        if (!await db.LiveSessions.AnyAsync(s => s.Id == sessionId, ct))
        {
            throw NotFound();
        }
        await db.LiveRegistrations.Where(r => r.SessionId == sessionId && r.UserId == userId).ExecuteDeleteAsync(ct);
        return new RegistrationResponse(sessionId, false, await db.LiveRegistrations.CountAsync(r => r.SessionId == sessionId, ct));
    }

    public async Task<IReadOnlyList<Guid>> RegistrantsAsync(Guid sessionId, CancellationToken ct) =>
        await db.LiveRegistrations.AsNoTracking().Where(r => r.SessionId == sessionId).Select(r => r.UserId).ToListAsync(ct);

    public static LiveSessionException NotFound() => new(LiveErrors.NotFound, "Live session not found.");
}
