namespace Scoda.Market.Web.Infrastructure.Security;

/// <summary><c>App:*</c>: where users reach this product.</summary>
public sealed class AppOptions
{
    public const string Section = "App";

    /// <summary>The address users open, e.g. <c>https://market.example.com</c>; links in mail and the same-origin check use it.</summary>
    public string? PublicBaseUrl { get; set; }
}

/// <summary>
/// The configured public address. Mail links are built on it, never on the request's <c>Host</c> header, which a caller
/// chooses freely (a password-reset link pointing at an attacker's host is the classic host-header attack).
/// </summary>
public sealed class PublicAddress
{
    public PublicAddress(Uri baseUrl)
    {
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"App:PublicBaseUrl must be an absolute http(s) URL, not '{baseUrl}'.");
        }
        BaseUrl = new Uri(baseUrl.GetLeftPart(UriPartial.Authority) + baseUrl.AbsolutePath.TrimEnd('/') + "/");
        Origin = baseUrl.GetLeftPart(UriPartial.Authority);
    }

    public Uri BaseUrl { get; }

    /// <summary>Scheme, host and port, as browsers send it in <c>Origin</c>.</summary>
    public string Origin { get; }

    /// <summary>The same path and query on the public address, whatever host <paramref name="link"/> names.</summary>
    public string Rebase(string link)
    {
        var pathAndQuery = Uri.TryCreate(link, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : link;
        return new Uri(BaseUrl, pathAndQuery.TrimStart('/')).AbsoluteUri;
    }

    /// <summary>Reads <c>App:PublicBaseUrl</c>; Development and Testing have a local default, elsewhere it is required.</summary>
    public static PublicAddress From(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration[$"{AppOptions.Section}:{nameof(AppOptions.PublicBaseUrl)}"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            configured = environment.IsDevelopment() ? "http://localhost:5080"
                : environment.IsEnvironment("Testing") ? "http://localhost"
                : throw new InvalidOperationException("Set App:PublicBaseUrl (e.g. https://market.example.com): links in account mail are built on it.");
        }
        return Uri.TryCreate(configured, UriKind.Absolute, out var uri)
            ? new PublicAddress(uri)
            : throw new InvalidOperationException($"App:PublicBaseUrl must be an absolute http(s) URL, not '{configured}'.");
    }
}
