using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.LiveSessions;

/// <summary>
/// Which stream addresses a session may carry: an HTTPS HLS playlist (<c>.m3u8</c>, played by hls.js, which runs no code
/// from it) or an HTTPS player page on a host of <see cref="LiveSessionOptions.EmbedHosts"/> (shown in a sandboxed
/// iframe). With <see cref="LiveSessionOptions.StreamHosts"/> set, playlists must come from those hosts too (the
/// Content-Security-Policy lets the player fetch from exactly them). Anything else is refused: <c>javascript:</c>, <c>data:</c>, plain <c>http:</c>, user names in the address,
/// other hosts (compared in their punycode form, so look-alike Unicode hosts do not pass).
/// </summary>
public static class StreamUrls
{
    public const int MaxLength = 2000;

    public static (string Url, StreamKind Kind)? Check(string? text, string field, LiveSessionOptions options, ValidationErrors errors)
    {
        var embedHosts = options.EmbedHosts;
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(field, "Required.");
            return null;
        }
        var trimmed = text.Trim();
        if (trimmed.Length > MaxLength || !Uri.TryCreate(trimmed, UriKind.Absolute, out var uri))
        {
            errors.Add(field, $"An absolute https:// address of at most {MaxLength} characters.");
            return null;
        }
        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add(field, "Only https:// addresses (not http:, javascript:, data: or others).");
            return null;
        }
        if (uri.UserInfo.Length > 0 || uri.HostNameType is not UriHostNameType.Dns)
        {
            errors.Add(field, "A host name without user name or password (no bare IP addresses).");
            return null;
        }
        if (uri.AbsolutePath.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase))
        {
            if (options.StreamHosts.Count == 0 || (uri.IsDefaultPort && IsOneOf(uri, options.StreamHosts)))
            {
                return (uri.AbsoluteUri, StreamKind.Hls);
            }
            errors.Add(field, $"HLS playlists are played from these hosts only (https, default port): {string.Join(", ", options.StreamHosts)}.");
            return null;
        }
        if (uri.IsDefaultPort && IsOneOf(uri, embedHosts))
        {
            return (uri.AbsoluteUri, StreamKind.Embed);
        }
        errors.Add(field, $"An HLS playlist (.m3u8) or a player page on one of: {string.Join(", ", embedHosts)}.");
        return null;
    }

    static bool IsOneOf(Uri uri, IEnumerable<string> hosts) => hosts.Any(h => string.Equals(h.Trim(), uri.IdnHost, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Orders the writers of one session's log inside this host, so its events are committed and handed to the bus in
/// sequence order. A fixed set of semaphores picked by the session id's hash: memory does not grow with sessions.
/// </summary>
public sealed class LiveLocks
{
    readonly SemaphoreSlim[] _locks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<IDisposable> EnterAsync(Guid sessionId, CancellationToken ct)
    {
        var gate = _locks[(int)((uint)sessionId.GetHashCode() % (uint)_locks.Length)];
        await gate.WaitAsync(ct);
        return new Exit(gate);
    }

    sealed class Exit(SemaphoreSlim gate) : IDisposable
    {
        int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
