using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Data;

namespace Scoda.Market.IntegrationTests.Operations;

/// <summary>The data-protection key ring lives in the database: replicas share it, and a certificate encrypts it at rest.</summary>
public sealed class DataProtectionTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tokens_issued_by_one_host_are_accepted_by_another_on_the_same_database_with_its_own_data_folder()
    {
        await using var first = await MarketApp.CreateAsync(DatabaseKind.Postgres);
        _ = first.Server;
        await using var second = new MarketApp(DatabaseKind.Postgres, NewDataFolder(), first.ConnectionString);
        // A host on a database of its own has another key ring: it must refuse the same token.
        await using var elsewhere = await MarketApp.CreateAsync(DatabaseKind.Postgres);

        var user = await first.SignUpAsync();
        var login = await (await first.CreateClient().PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = TestUsers.Password }, Ct)).ReadJsonAsync();
        var accessToken = login.GetProperty("accessToken").GetString()!;
        var refreshToken = login.GetProperty("refreshToken").GetString()!;

        (await MeAsync(second, accessToken)).Should().Be(HttpStatusCode.OK);
        var refreshed = await second.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken }, Ct);
        refreshed.StatusCode.Should().Be(HttpStatusCode.OK);
        var renewed = (await refreshed.ReadJsonAsync()).GetProperty("accessToken").GetString()!;
        (await MeAsync(first, renewed)).Should().Be(HttpStatusCode.OK);
        (await MeAsync(elsewhere, accessToken)).Should().Be(HttpStatusCode.Unauthorized);

        // Nothing in either data folder: the keys are rows of the shared database.
        Directory.Exists(Path.Combine(first.DataPath, "keys")).Should().BeFalse();
        Directory.Exists(Path.Combine(second.DataPath, "keys")).Should().BeFalse();
        (await KeyXmlAsync(second)).Should().NotBeEmpty();
    }

    [Fact]
    public async Task With_a_certificate_the_stored_keys_are_encrypted_and_still_sign_in()
    {
        var folder = NewDataFolder();
        var (path, password) = WriteCertificate(folder);
        await using var encrypted = new MarketApp(DatabaseKind.Sqlite, folder, null, new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = path,
            ["DataProtection:CertificatePassword"] = password,
        });

        var user = await encrypted.SignUpAsync();
        (await user.Client.GetAsync("/api/me", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);

        var keys = await KeyXmlAsync(encrypted);
        keys.Should().NotBeEmpty().And.OnlyContain(xml =>
            xml.Contains("EncryptedXmlDecryptor") && xml.Contains("EncryptedData") && !xml.Contains("<masterKey") && !xml.Contains("<value>"));
    }

    [Fact]
    public async Task Without_a_certificate_the_stored_keys_are_plain_xml()
    {
        await using var app = await MarketApp.CreateAsync(DatabaseKind.Sqlite);
        await app.SignUpAsync();

        (await KeyXmlAsync(app)).Should().NotBeEmpty().And.OnlyContain(xml => xml.Contains("<masterKey") && xml.Contains("<value>"));
    }

    static string NewDataFolder() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "scoda-tests", Guid.NewGuid().ToString("N"))).FullName;

    static async Task<HttpStatusCode> MeAsync(MarketApp app, string accessToken)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return (await client.GetAsync("/api/me", Ct)).StatusCode;
    }

    static Task<List<string>> KeyXmlAsync(MarketApp app) =>
        app.WithScopeAsync(s => s.GetRequiredService<MarketDbContext>().DataProtectionKeys.Select(k => k.Xml!).ToListAsync(Ct));

    /// <summary>A self-signed RSA certificate with its private key, as an operator would mount a .pfx.</summary>
    static (string Path, string Password) WriteCertificate(string folder)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Scoda.Market data protection (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var password = Guid.NewGuid().ToString("N");
        var path = Path.Combine(folder, "data-protection.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return (path, password);
    }
}
