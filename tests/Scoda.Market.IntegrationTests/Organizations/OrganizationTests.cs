using System.Net;
using System.Net.Http.Json;
using System.Text;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.Organizations;

public abstract class OrganizationTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<int> CountOrganizationsAsync(string registration)
    {
        var count = 0;
        await App.WithDbAsync(async db => count = await db.Organizations.CountAsync(o => o.RegistrationNumber == registration, Ct));
        return count;
    }

    [Fact]
    public async Task Creating_an_organization_makes_the_caller_its_owner()
    {
        var user = await App.SignUpAsync();
        var response = await user.Client.PostAsJsonAsync("/api/organizations", new OrganizationBuilder().In("uz").OfKind("Exporter").Build(), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var organization = await response.ReadJsonAsync();
        response.Headers.Location!.ToString().Should().Be($"/api/organizations/{organization.GetProperty("id").GetGuid()}");
        organization.GetProperty("countryCode").GetString().Should().Be("UZ");
        organization.GetProperty("kind").GetString().Should().Be("exporter");
        organization.GetProperty("verification").GetProperty("status").GetString().Should().Be("unverified");
        var owner = organization.GetProperty("members").EnumerateArray().Single();
        owner.GetProperty("userId").GetGuid().Should().Be(user.Id);
        owner.GetProperty("role").GetString().Should().Be("owner");
    }

    public static TheoryData<string, string> BadFields => new()
    {
        { """{"name":"","countryCode":"KZ","kind":"exporter","registrationNumber":"1"}""", "name" },
        { """{"name":"X","countryCode":"KZ","kind":"exporter","registrationNumber":"1"}""", "name" },
        { $$"""{"name":"{{new string('a', 201)}}","countryCode":"KZ","kind":"exporter","registrationNumber":"1"}""", "name" },
        { """{"name":"Acme","countryCode":"ZZ","kind":"exporter","registrationNumber":"1"}""", "countryCode" },
        { """{"name":"Acme","countryCode":"KAZ","kind":"exporter","registrationNumber":"1"}""", "countryCode" },
        { """{"name":"Acme","kind":"exporter","registrationNumber":"1"}""", "countryCode" },
        { """{"name":"Acme","countryCode":"KZ","kind":"trader","registrationNumber":"1"}""", "kind" },
        { """{"name":"Acme","countryCode":"KZ","kind":"1","registrationNumber":"1"}""", "kind" },
        { """{"name":"Acme","countryCode":"KZ","kind":"exporter","registrationNumber":" "}""", "registrationNumber" },
        { $$"""{"name":"Acme","countryCode":"KZ","kind":"exporter","registrationNumber":"{{new string('9', 65)}}"}""", "registrationNumber" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task A_bad_field_is_a_field_error_and_stores_nothing(string body, string field)
    {
        var user = await App.SignUpAsync();
        var response = await user.Client.PostAsync("/api/organizations", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain(field);
        var me = await (await user.Client.GetAsync("/api/me", Ct)).ReadJsonAsync();
        me.GetProperty("organizations").GetArrayLength().Should().Be(0);
    }

    [Theory]
    [InlineData("{\"name\": \"Acme\", ")]
    [InlineData("{\"name\": 5, \"countryCode\": \"KZ\", \"kind\": \"exporter\", \"registrationNumber\": \"1\"}")]
    [InlineData("{\"name\": \"Acme\", \"countryCode\": \"KZ\", \"kind\": \"exporter\", \"registrationNumber\": \"1\", \"owner\": \"me\"}")]
    [InlineData("")]
    public async Task A_malformed_body_is_a_400_problem_and_stores_nothing(string body)
    {
        var user = await App.SignUpAsync();
        var response = await user.Client.PostAsync("/api/organizations", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        var me = await (await user.Client.GetAsync("/api/me", Ct)).ReadJsonAsync();
        me.GetProperty("organizations").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task The_same_registration_in_the_same_country_is_a_conflict()
    {
        var registration = OrganizationBuilder.NewRegistration();
        await new OrganizationBuilder().Registered(registration).CreateAsync(await App.SignUpAsync());

        var other = await App.SignUpAsync();
        var response = await other.Client.PostAsJsonAsync("/api/organizations", new OrganizationBuilder().Registered(registration).Build(), Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await CountOrganizationsAsync(registration)).Should().Be(1);
    }

    [Fact]
    public async Task An_owner_updates_the_organization_and_a_trader_or_viewer_cannot()
    {
        var owner = await App.SignUpAsync();
        var id = await new OrganizationBuilder().CreateAsync(owner);
        var trader = await App.SignUpAsync();
        var viewer = await App.SignUpAsync();
        (await owner.Client.PostAsJsonAsync($"/api/organizations/{id}/members", new { email = trader.Email, role = "trader" }, Ct)).StatusCode.Should().Be(HttpStatusCode.Created);
        (await owner.Client.PostAsJsonAsync($"/api/organizations/{id}/members", new { email = viewer.Email, role = "viewer" }, Ct)).StatusCode.Should().Be(HttpStatusCode.Created);
        var update = new OrganizationBuilder().Named("Kostanay Grain Terminal LLP (renamed)").Build();

        await (await trader.Client.PutAsJsonAsync($"/api/organizations/{id}", update, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.Client.PutAsJsonAsync($"/api/organizations/{id}", update, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        var byOwner = await owner.Client.PutAsJsonAsync($"/api/organizations/{id}", update, Ct);

        byOwner.StatusCode.Should().Be(HttpStatusCode.OK);
        (await byOwner.ReadJsonAsync()).GetProperty("name").GetString().Should().Be("Kostanay Grain Terminal LLP (renamed)");
        var seenByViewer = await (await viewer.Client.GetAsync($"/api/organizations/{id}", Ct)).ReadJsonAsync();
        seenByViewer.GetProperty("members").GetArrayLength().Should().Be(3);
    }

    [Fact]
    public async Task Another_organizations_member_sees_only_the_public_profile_and_changes_nothing()
    {
        var owner = await App.SignUpAsync();
        var id = await new OrganizationBuilder().Named("Sibirskaya Niva LLC").In("RU").CreateAsync(owner);
        var outsider = await App.SignUpAsync();
        await new OrganizationBuilder().Named("Qingdao Haiyun Grain Import").In("CN").OfKind("importer").CreateAsync(outsider);

        var profile = await (await outsider.Client.GetAsync($"/api/organizations/{id}", Ct)).ReadJsonAsync();
        profile.GetProperty("name").GetString().Should().Be("Sibirskaya Niva LLC");
        profile.GetProperty("verified").GetBoolean().Should().BeFalse();
        profile.TryGetProperty("members", out _).Should().BeFalse();
        profile.TryGetProperty("registrationNumber", out _).Should().BeFalse();

        await (await outsider.Client.PutAsJsonAsync($"/api/organizations/{id}", new OrganizationBuilder().Named("Hijacked").Build(), Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await outsider.Client.GetAsync($"/api/organizations/{id}/members", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await outsider.Client.PostAsJsonAsync($"/api/organizations/{id}/members", new { email = outsider.Email, role = "owner" }, Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await outsider.Client.PutAsJsonAsync($"/api/organizations/{id}/members/{owner.Id}", new { role = "viewer" }, Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await outsider.Client.DeleteAsync($"/api/organizations/{id}/members/{owner.Id}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        var seenByOwner = await (await owner.Client.GetAsync($"/api/organizations/{id}", Ct)).ReadJsonAsync();
        seenByOwner.GetProperty("name").GetString().Should().Be("Sibirskaya Niva LLC");
        seenByOwner.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("userId").GetGuid()).Should().Equal(owner.Id);
    }

    [Fact]
    public async Task An_unknown_organization_is_404_for_every_route()
    {
        var user = await App.SignUpAsync();
        var id = Guid.NewGuid();

        await (await user.Client.GetAsync($"/api/organizations/{id}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await user.Client.PutAsJsonAsync($"/api/organizations/{id}", new OrganizationBuilder().Build(), Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await user.Client.GetAsync($"/api/organizations/{id}/members", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Members_are_added_by_email_and_the_last_owner_stays()
    {
        var owner = await App.SignUpAsync();
        var id = await new OrganizationBuilder().CreateAsync(owner);
        var trader = await App.SignUpAsync();

        var unknown = await owner.Client.PostAsJsonAsync($"/api/organizations/{id}/members", new { email = TestUsers.NewEmail(), role = "trader" }, Ct);
        (await unknown.ShouldBeValidationProblemAsync()).Keys.Should().Contain("email");
        var badRole = await owner.Client.PostAsJsonAsync($"/api/organizations/{id}/members", new { email = trader.Email, role = "boss" }, Ct);
        (await badRole.ShouldBeValidationProblemAsync()).Keys.Should().Contain("role");

        (await owner.Client.PostAsJsonAsync($"/api/organizations/{id}/members", new { email = trader.Email, role = "trader" }, Ct)).StatusCode.Should().Be(HttpStatusCode.Created);
        await (await owner.Client.PostAsJsonAsync($"/api/organizations/{id}/members", new { email = trader.Email, role = "viewer" }, Ct)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await trader.Client.PostAsJsonAsync($"/api/organizations/{id}/members", new { email = owner.Email, role = "viewer" }, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        await (await owner.Client.PutAsJsonAsync($"/api/organizations/{id}/members/{owner.Id}", new { role = "trader" }, Ct)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await owner.Client.DeleteAsync($"/api/organizations/{id}/members/{owner.Id}", Ct)).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        (await trader.Client.DeleteAsync($"/api/organizations/{id}/members/{trader.Id}", Ct)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var members = await (await owner.Client.GetAsync($"/api/organizations/{id}/members", Ct)).ReadJsonAsync();
        members.GetArrayLength().Should().Be(1);
    }

    [Fact]
    public async Task Renaming_a_verified_organization_withdraws_its_verification()
    {
        var owner = await App.SignUpAsync();
        var id = await new OrganizationBuilder().CreateAsync(owner);
        await App.WithDbAsync(async db =>
        {
            var organization = await db.Organizations.SingleAsync(o => o.Id == id, Ct);
            organization.VerificationStatus = Scoda.Market.Web.Features.Organizations.VerificationStatus.Verified;
            await db.SaveChangesAsync(Ct);
        });

        var response = await owner.Client.PutAsJsonAsync($"/api/organizations/{id}", new OrganizationBuilder().Named("Another Legal Name LLP").Build(), Ct);

        (await response.ReadJsonAsync()).GetProperty("verification").GetProperty("status").GetString().Should().Be("unverified");
    }
}

public sealed class OrganizationTests_Sqlite(SqliteApp app) : OrganizationTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class OrganizationTests_Postgres(PostgresApp app) : OrganizationTests<PostgresApp>(app), IClassFixture<PostgresApp>;
