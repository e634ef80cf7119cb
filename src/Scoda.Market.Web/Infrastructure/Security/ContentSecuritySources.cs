namespace Scoda.Market.Web.Infrastructure.Security;

/// <summary>
/// Sources a feature adds to one directive of the site's Content-Security-Policy (registered as a singleton; see
/// <see cref="WebDefences.ContentSecurityPolicyWith"/>). Only the directives of <see cref="WebDefences.WidenableDirectives"/>,
/// and only <c>https://host</c> origins of plain DNS names, <c>blob:</c> or <c>https:</c>: anything else (a wildcard, a
/// quote, a semicolon that would start a directive of its own) stops the host at start-up rather than weaken the policy.
/// </summary>
public sealed record ContentSecuritySources
{
    public string Directive { get; }
    public IReadOnlyList<string> Sources { get; }

    public ContentSecuritySources(string directive, IEnumerable<string> sources)
    {
        if (!WebDefences.WidenableDirectives.Contains(directive))
        {
            throw new InvalidOperationException($"The Content-Security-Policy directive '{directive}' is not one a feature may widen.");
        }
        Directive = directive;
        Sources = sources.Select(Checked).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The https origin of a host name from configuration (<c>player.vimeo.com</c> → <c>https://player.vimeo.com</c>).</summary>
    public static string HttpsOrigin(string host)
    {
        var name = host.Trim().ToLowerInvariant();
        return Uri.CheckHostName(name) == UriHostNameType.Dns && name.Contains('.', StringComparison.Ordinal)
            ? $"https://{name}"
            : throw new InvalidOperationException($"'{host}' is not a host name (no scheme, port, path or wildcard).");
    }

    static string Checked(string source) => source switch
    {
        "blob:" or "https:" => source,
        _ when source.StartsWith("https://", StringComparison.Ordinal) && HttpsOrigin(source["https://".Length..]) == source => source,
        _ => throw new InvalidOperationException($"'{source}' is not a source a feature may add to the Content-Security-Policy."),
    };
}
