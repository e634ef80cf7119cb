using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Infrastructure.Realtime;

namespace Scoda.Market.Web.Infrastructure.Auth;

/// <summary>
/// Whether a signed-in principal's security stamp is still the user's. Identity changes the stamp on a password or email
/// change; logout, platform-role changes and membership removal change it on purpose (<see cref="SessionEnding"/>).
/// Bearer tokens carry the stamp they were issued with, so every authenticated request compares it with the stored one,
/// cached for <see cref="IdentitySettings.SecurityStampCacheDuration"/> and evicted here the moment the stamp changes.
/// </summary>
public sealed class SecurityStamps(IMemoryCache cache, IServiceScopeFactory scopes, IOptions<IdentityOptions> identity, IdentitySettings settings)
{
    readonly string _stampClaim = identity.Value.ClaimsIdentity.SecurityStampClaimType;

    static string KeyOf(Guid userId) => $"security-stamp:{userId:N}";

    public string? StampOf(ClaimsPrincipal principal) => principal.FindFirstValue(_stampClaim);

    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, CancellationToken ct = default)
    {
        if (CurrentUser.IdOf(principal) is not { } userId)
        {
            return false;
        }
        var stored = await CurrentStampAsync(userId, ct);
        return stored.Exists && string.Equals(stored.Stamp, StampOf(principal), StringComparison.Ordinal);
    }

    public void Evict(Guid userId) => cache.Remove(KeyOf(userId));

    async Task<StoredStamp> CurrentStampAsync(Guid userId, CancellationToken ct)
    {
        if (cache.TryGetValue(KeyOf(userId), out StoredStamp? cached) && cached is not null)
        {
            return cached;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
        var stamp = await db.Users.Where(u => u.Id == userId).Select(u => new { u.SecurityStamp }).SingleOrDefaultAsync(ct);
        var stored = new StoredStamp(stamp is not null, stamp?.SecurityStamp);
        cache.Set(KeyOf(userId), stored, settings.SecurityStampCacheDuration);
        return stored;
    }

    sealed record StoredStamp(bool Exists, string? Stamp);
}

/// <summary>
/// Right after authentication (cookie or bearer): a principal whose stamp is no longer the user's fails authentication,
/// so the request is a 401 wherever it needs a user (not a 403, as an anonymous but "authenticated" principal would get).
/// </summary>
public static class SessionCheck
{
    public static WebApplication UseSessionCheck(this WebApplication app)
    {
        var stamps = app.Services.GetRequiredService<SecurityStamps>();
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated == true && !await stamps.IsCurrentAsync(context.User, context.RequestAborted))
            {
                // Setting the failed result also clears HttpContext.User; authorization reads this result and challenges.
                context.Features.Get<IAuthenticateResultFeature>()!.AuthenticateResult = AuthenticateResult.Fail("The session has ended.");
            }
            await next(context);
        });
        return app;
    }
}

/// <summary>
/// The user manager of this product: after any write of a user whose security stamp changed (Identity's own password
/// and email changes included) it evicts the cached stamp and announces the change to every host, which closes that
/// user's hub connections.
/// </summary>
public sealed class MarketUserManager(
    IUserStore<User> store, IOptions<IdentityOptions> optionsAccessor, IPasswordHasher<User> passwordHasher,
    IEnumerable<IUserValidator<User>> userValidators, IEnumerable<IPasswordValidator<User>> passwordValidators,
    ILookupNormalizer keyNormalizer, IdentityErrorDescriber errors, IServiceProvider services, ILogger<UserManager<User>> logger,
    MarketDbContext db, SecurityStamps stamps, IRealtimeBus bus)
    : UserManager<User>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    protected override async Task<IdentityResult> UpdateUserAsync(User user)
    {
        var entry = db.Entry(user);
        // An untracked user came from elsewhere: its previous stamp is unknown, so treat it as changed.
        var stampChanged = entry.State == EntityState.Detached
            || !string.Equals(entry.Property(u => u.SecurityStamp).OriginalValue, user.SecurityStamp, StringComparison.Ordinal);
        var result = await base.UpdateUserAsync(user);
        if (result.Succeeded && stampChanged)
        {
            stamps.Evict(user.Id);
            await bus.PublishAsync([SessionEnding.Message(user.Id)], CancellationToken);
        }
        return result;
    }
}

/// <summary>Ends every session of a user on purpose: existing bearer, refresh tokens and cookies stop working, hubs close.</summary>
public static class SessionEnding
{
    public const string RealtimeTopic = "sessions";
    const string StampChanged = "stamp_changed";

    public static RealtimeMessage Message(Guid userId) => new(RealtimeTopic, userId, StampChanged, "{}");

    /// <summary>Changes the user's security stamp; a user that no longer exists has no session to end.</summary>
    public static async Task EndSessionsAsync(this UserManager<User> users, Guid userId)
    {
        if (await users.FindByIdAsync(userId.ToString()) is { } user)
        {
            await users.UpdateSecurityStampAsync(user);
        }
    }
}

/// <summary>This host's open hub connections by user, so a session that ends can close them.</summary>
public sealed class HubSessions
{
    readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, HubCallerContext>> _byUser = new();

    public void Add(Guid userId, HubCallerContext connection) =>
        _byUser.GetOrAdd(userId, _ => new ConcurrentDictionary<string, HubCallerContext>(StringComparer.Ordinal))[connection.ConnectionId] = connection;

    public void Remove(Guid userId, string connectionId)
    {
        if (_byUser.TryGetValue(userId, out var connections))
        {
            connections.TryRemove(connectionId, out _);
        }
    }

    public IReadOnlyList<HubCallerContext> Of(Guid userId) =>
        _byUser.TryGetValue(userId, out var connections) ? connections.Values.ToList() : [];
}

/// <summary>
/// Every hub: registers connections by user, and re-checks the caller's stamp on each call, closing the connection when
/// the session has ended (a backstop for a lost <see cref="SessionEnding"/> message).
/// </summary>
sealed class SessionHubFilter(SecurityStamps stamps, HubSessions sessions) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        if (CurrentUser.IdOf(context.Context.User!) is { } userId)
        {
            sessions.Add(userId, context.Context);
        }
        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (CurrentUser.IdOf(context.Context.User!) is { } userId)
        {
            sessions.Remove(userId, context.Context.ConnectionId);
        }
        await next(context, exception);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var connection = invocationContext.Context;
        // An anonymous connection (a hub that lets visitors watch) has no session to end; a signed-in one must still be current.
        if (CurrentUser.IdOf(connection.User!) is not null && !await stamps.IsCurrentAsync(connection.User!, connection.ConnectionAborted))
        {
            connection.Abort();
            throw new HubException("unauthorized: this session has ended; sign in again.");
        }
        return await next(invocationContext);
    }
}

/// <summary>On every host: a user's stamp changed, so forget the cached one and close their connections that carry the old one.</summary>
sealed class SessionEndingSink(SecurityStamps stamps, HubSessions sessions) : IRealtimeSink
{
    public string Topic => SessionEnding.RealtimeTopic;

    public async Task DeliverAsync(RealtimeMessage message, CancellationToken ct)
    {
        stamps.Evict(message.Target);
        foreach (var connection in sessions.Of(message.Target))
        {
            if (connection.User is null || !await stamps.IsCurrentAsync(connection.User, ct))
            {
                connection.Abort();
            }
        }
    }
}
