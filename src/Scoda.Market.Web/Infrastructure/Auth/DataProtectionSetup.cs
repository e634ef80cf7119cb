using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Scoda.Market.Web.Data;

namespace Scoda.Market.Web.Infrastructure.Auth;

/// <summary><c>DataProtection:*</c> settings: the certificate that encrypts the key ring at rest.</summary>
public sealed class DataProtectionSettings
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 (.pfx) file with a private key; unset leaves the stored keys unencrypted.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }
}

public static partial class DataProtectionSetup
{
    /// <summary>One name for every replica: keys are only shared between hosts of the same application name.</summary>
    public const string ApplicationName = "Scoda.Market";

    /// <summary>
    /// Cookies and Identity's bearer and refresh tokens are protected with keys kept in the database, so replicas share
    /// them without a shared volume and a token issued by one is accepted by every other. With a certificate configured
    /// the keys are encrypted with it at rest; without one they are stored as plain XML, protected only by who can read
    /// the database (a warning at start in Production says so).
    /// </summary>
    public static IHostApplicationBuilder AddMarketDataProtection(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(DataProtectionSettings.Section).Get<DataProtectionSettings>() ?? new DataProtectionSettings();
        var protection = builder.Services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<MarketDbContext>();
        if (string.IsNullOrWhiteSpace(settings.CertificatePath))
        {
            if (builder.Environment.IsProduction())
            {
                builder.Services.AddHostedService<UnencryptedKeysWarning>();
            }
            return builder;
        }
        // ProtectKeysWithCertificate also registers the certificate for decryption, so no certificate store is needed.
        protection.ProtectKeysWithCertificate(LoadCertificate(settings.CertificatePath, settings.CertificatePassword));
        return builder;
    }

    static X509Certificate2 LoadCertificate(string path, string? password)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"DataProtection:CertificatePath '{path}' could not be read as a PKCS#12 file with DataProtection:CertificatePassword: {ex.Message}", ex);
        }
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException(
                $"DataProtection:CertificatePath '{path}' has no private key; the key ring could be encrypted but never read back.");
        }
        return certificate;
    }

    sealed partial class UnencryptedKeysWarning(ILogger<UnencryptedKeysWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogUnencrypted(logger);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning, Message = "Data-protection keys are stored unencrypted in the database (no DataProtection:CertificatePath): " +
            "anyone who can read the DataProtectionKeys table can forge sign-in cookies and tokens")]
        private static partial void LogUnencrypted(ILogger logger);
    }
}
