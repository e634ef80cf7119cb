using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Realtime;
using Scoda.Market.Web.Infrastructure.Workers;

namespace Scoda.Market.Web.Features.LiveSessions;

/// <summary>
/// Who watches which session, kept in the database so every replica counts the same viewers.
/// <para>
/// Design: each hub connection that joins a scheduled or live session is a <see cref="LiveViewer"/> row naming this
/// host, and each host keeps one <see cref="LiveReplica"/> heartbeat row. A viewer row counts while its host's heartbeat is
/// fresh. Every <see cref="LiveSessionOptions.ViewerTick"/> (2 s) each host refreshes its heartbeat (one row, however many
/// viewers it holds) and deletes the viewers of hosts unseen for <see cref="LiveSessionOptions.PresenceExpiry"/>, so a
/// host that died takes its viewers with it within seconds. The count of a session is the number of distinct viewers (a
/// signed-in person in three tabs is one) among rows that count, read from the shared tables, so it is right across
/// replicas. To push it once, not once per replica, only the host with the lowest id among those holding viewers of the
/// session publishes it, through the realtime bus, and only when it changed: at most one <c>Viewers</c> push per session
/// per tick, and the bus brings it to viewers on every host. The same host records the minute's peak for the report.
/// </para>
/// </summary>
public sealed class LivePresence(LiveSessionOptions options, TimeProvider clock, IOptions<JsonOptions> json)
{
    /// <summary>This process among the replicas (a new id at every start, so a restarted host never refreshes old rows).</summary>
    public string HostId { get; } = Guid.CreateVersion7().ToString("N");

    readonly ConcurrentDictionary<Guid, int> _published = new();
    readonly JsonSerializerOptions _json = json.Value.SerializerOptions;
    volatile bool _beating;

    DateTimeOffset FreshSince => clock.GetUtcNow() - options.PresenceExpiry;

    /// <summary>The viewer rows that count: those of hosts whose heartbeat is fresh.</summary>
    static IQueryable<LiveViewer> Counted(MarketDbContext db, DateTimeOffset fresh) =>
        db.LiveViewers.Where(v => db.LiveReplicas.Any(h => h.HostId == v.HostId && h.SeenAt > fresh));

    /// <summary>
    /// Counts the connection in; refused with <c>full</c> when the session has <paramref name="cap"/> distinct viewers
    /// among the rows of every replica that count (the cap holds across hosts, not per host).
    /// </summary>
    public async Task AdmitAsync(MarketDbContext db, Guid sessionId, string connectionId, string viewerKey, int cap, bool bypassCap, CancellationToken ct)
    {
        if (await db.LiveViewers.AnyAsync(v => v.ConnectionId == connectionId && v.SessionId == sessionId, ct))
        {
            return; // a rejoin on the same connection (catching up) is already counted
        }
        if (!_beating)
        {
            // Before this host's first row: without a heartbeat another host's tick would take it for a dead host's.
            await BeatAsync(db, clock.GetUtcNow(), ct);
        }
        var watching = Counted(db, FreshSince).Where(v => v.SessionId == sessionId);
        // The cap is checked, then the row written: joins racing on the last seat may overshoot by a few, never by many.
        if (!bypassCap && !await watching.AnyAsync(v => v.ViewerKey == viewerKey, ct)
            && await watching.Select(v => v.ViewerKey).Distinct().CountAsync(ct) >= cap)
        {
            throw new LiveSessionException(LiveErrors.Full, $"The session is full ({cap} viewers); try again in a while.");
        }
        var now = clock.GetUtcNow();
        db.LiveViewers.Add(new LiveViewer { ConnectionId = connectionId, SessionId = sessionId, ViewerKey = viewerKey, HostId = HostId, JoinedAt = now });
        await db.SaveChangesAsync(ct);
        if (!await db.LiveVisits.AnyAsync(v => v.SessionId == sessionId && v.ViewerKey == viewerKey, ct))
        {
            db.LiveVisits.Add(new LiveVisit { SessionId = sessionId, ViewerKey = viewerKey, FirstSeenAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear(); // another tab of the same person came in first
            }
        }
    }

    /// <summary>Writes this host's heartbeat (the row is created on the first beat, or again if it expired).</summary>
    async Task BeatAsync(MarketDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        if (await db.LiveReplicas.Where(h => h.HostId == HostId).ExecuteUpdateAsync(s => s.SetProperty(h => h.SeenAt, now), ct) == 0)
        {
            db.LiveReplicas.Add(new LiveReplica { HostId = HostId, SeenAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear(); // a concurrent first join on this host wrote it
            }
        }
        _beating = true;
    }

    public async Task<int> CountAsync(MarketDbContext db, Guid sessionId, CancellationToken ct) =>
        await Counted(db, FreshSince).Where(v => v.SessionId == sessionId).Select(v => v.ViewerKey).Distinct().CountAsync(ct);

    /// <summary>The connection stops watching one session (or, with null, all it watched: it closed).</summary>
    public async Task LeaveAsync(MarketDbContext db, string connectionId, Guid? sessionId, CancellationToken ct) =>
        await db.LiveViewers.Where(v => v.ConnectionId == connectionId && (sessionId == null || v.SessionId == sessionId)).ExecuteDeleteAsync(ct);

    /// <summary>One tick: heartbeat, expire dead hosts, count, and publish the counts this host is elected for; returns how many it published.</summary>
    public async Task<int> TickAsync(MarketDbContext db, IRealtimeBus bus, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var fresh = now - options.PresenceExpiry;
        await BeatAsync(db, now, ct);
        // Viewers first, then heartbeats: a host going stale in between loses its viewers at the next tick.
        await db.LiveViewers.Where(v => !db.LiveReplicas.Any(h => h.HostId == v.HostId && h.SeenAt > fresh)).ExecuteDeleteAsync(ct);
        await db.LiveReplicas.Where(h => h.SeenAt <= fresh).ExecuteDeleteAsync(ct);
        var mine = db.LiveViewers.Where(v => v.HostId == HostId).Select(v => v.SessionId);
        // Every host runs the same query, so they agree on who holds the lowest id (whatever the database's collation).
        var counts = await Counted(db, fresh).Where(v => mine.Contains(v.SessionId)).GroupBy(v => v.SessionId)
            .Select(g => new { Session = g.Key, FirstHost = g.Min(v => v.HostId), Viewers = g.Select(v => v.ViewerKey).Distinct().Count() })
            .ToListAsync(ct);
        var elected = counts.Where(c => c.FirstHost == HostId).ToDictionary(c => c.Session, c => c.Viewers);
        foreach (var gone in _published.Keys.Where(id => !elected.ContainsKey(id)))
        {
            _published.TryRemove(gone, out _); // another host counts it now; if this one is elected again it publishes afresh
        }
        var changed = elected.Where(e => !_published.TryGetValue(e.Key, out var last) || last != e.Value).ToList();
        if (changed.Count > 0)
        {
            await bus.PublishAsync(changed.Select(e => new RealtimeMessage(LiveFloor.RealtimeTopic, e.Key, LiveMessages.Viewers,
                JsonSerializer.Serialize(new ViewersResponse(e.Key, e.Value), _json))).ToList(), ct);
            foreach (var (session, count) in changed)
            {
                _published[session] = count;
            }
        }
        await RecordMinuteAsync(db, elected, now, ct);
        return changed.Count;
    }

    /// <summary>Keeps the highest count of each minute of a live session (viewers over time, peak viewers).</summary>
    static async Task RecordMinuteAsync(MarketDbContext db, Dictionary<Guid, int> counts, DateTimeOffset now, CancellationToken ct)
    {
        var ids = counts.Keys.ToList();
        var live = await db.LiveSessions.Where(s => ids.Contains(s.Id) && s.Status == LiveSessionStatus.Live).Select(s => s.Id).ToListAsync(ct);
        var minute = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        foreach (var session in live)
        {
            var count = counts[session];
            if (await db.LiveViewerMinutes.Where(m => m.SessionId == session && m.Minute == minute).ExecuteUpdateAsync(
                    s => s.SetProperty(m => m.Count, m => m.Count < count ? count : m.Count), ct) == 0)
            {
                db.LiveViewerMinutes.Add(new LiveViewerMinute { SessionId = session, Minute = minute, Count = count });
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                    db.ChangeTracker.Clear();
                }
            }
        }
    }
}

/// <summary>Runs <see cref="LivePresence.TickAsync"/> every <see cref="LiveSessionOptions.ViewerTick"/>.</summary>
public sealed class LiveViewerWorker(IServiceScopeFactory scopes, LivePresence presence, LiveSessionOptions options, TimeProvider clock, ILogger<LiveViewerWorker> logger)
    : PeriodicWorker(clock, logger)
{
    protected override TimeSpan Interval => options.ViewerTick;

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        return await presence.TickAsync(services.GetRequiredService<MarketDbContext>(), services.GetRequiredService<IRealtimeBus>(), ct);
    }
}

/// <summary>Per-user limits on chat and questions (per host; a token bucket each).</summary>
public sealed class LiveLimits(LiveSessionOptions options) : IDisposable
{
    readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, options.ChatBurst),
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / Math.Max(1, options.ChatPerMinute),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public void TakeChat(Guid userId) => Take($"chat:{userId:N}");

    public void TakeQuestion(Guid userId) => Take($"question:{userId:N}");

    void Take(string key)
    {
        using var lease = _limiter.AttemptAcquire(key);
        if (!lease.IsAcquired)
        {
            throw new LiveSessionException(LiveErrors.RateLimited,
                $"At most {options.ChatBurst} messages in a row and {options.ChatPerMinute} a minute; slow down.");
        }
    }

    public void Dispose() => _limiter.Dispose();
}
