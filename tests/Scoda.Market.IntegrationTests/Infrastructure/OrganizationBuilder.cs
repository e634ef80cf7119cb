using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;

namespace Scoda.Market.IntegrationTests.Infrastructure;

/// <summary>Builds organization requests with valid defaults; a test changes only what it is about.</summary>
public sealed class OrganizationBuilder
{
    string? _name = "Kostanay Grain Terminal LLP";
    string? _country = "KZ";
    string? _kind = "exporter";
    string? _registration = NewRegistration();

    public static string NewRegistration() => Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public OrganizationBuilder Named(string? name) { _name = name; return this; }
    public OrganizationBuilder In(string? country) { _country = country; return this; }
    public OrganizationBuilder OfKind(string? kind) { _kind = kind; return this; }
    public OrganizationBuilder Registered(string? number) { _registration = number; return this; }

    public object Build() => new { name = _name, countryCode = _country, kind = _kind, registrationNumber = _registration };

    /// <summary>Creates it as <paramref name="owner"/> and returns its id.</summary>
    public async Task<Guid> CreateAsync(TestUser owner)
    {
        var response = await owner.Client.PostAsJsonAsync("/api/organizations", Build());
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}
