using System.Net;
using System.Net.Http.Json;
using System.Net.Mail;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Infrastructure.Mail;

namespace Scoda.Market.IntegrationTests.Operations;

public abstract class OperationsTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ready_reports_the_migrated_database_of_the_configured_provider()
    {
        var response = await App.CreateLoopbackClient().GetAsync("/health/ready", Ct);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var database = (await response.ReadJsonAsync()).GetProperty("checks").GetProperty("database");
        database.GetProperty("status").GetString().Should().Be("Healthy");
        database.GetProperty("data").GetProperty("provider").GetString().Should().Be(App.Kind.ToString());
        database.GetProperty("data").GetProperty("pendingMigrations").GetInt32().Should().Be(0);
        (await App.CreateClient().GetAsync("/health/live", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_openapi_document_and_swagger_ui_are_served()
    {
        var client = App.CreateClient();
        var document = await (await client.GetAsync("/openapi/v1.json", Ct)).ReadJsonAsync();
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.Should().Contain(["/api/organizations", "/api/me", "/api/auth/register", "/api/admin/organizations/{id}/verification"]);

        var ui = await client.GetAsync("/swagger/index.html", Ct);
        ui.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_unknown_api_route_is_a_404_problem_not_the_web_client()
    {
        await (await App.CreateClient().GetAsync("/api/no-such-thing", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }
}

public sealed class OperationsTests_Sqlite(SqliteApp app) : OperationsTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class OperationsTests_Postgres(PostgresApp app) : OperationsTests<PostgresApp>(app), IClassFixture<PostgresApp>;

/// <summary>A failure outside our code (the mail server) becomes a 500 problem that leaks nothing.</summary>
public sealed class UnhandledErrorTests : IAsyncLifetime
{
    MarketApp _app = null!;

    sealed class BrokenTransport : IMailTransport
    {
        public Task SendAsync(MailMessage message, CancellationToken ct = default) =>
            throw new SmtpException("relay refused: password=hunter2");
    }

    public async ValueTask InitializeAsync()
    {
        _app = await MarketApp.CreateAsync(DatabaseKind.Sqlite);
        _app.ServiceOverrides.Add(services => services.AddSingleton<IMailTransport, BrokenTransport>());
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task An_unhandled_exception_is_a_500_problem_without_internals()
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/api/auth/register",
            new { email = TestUsers.NewEmail(), password = TestUsers.Password }, TestContext.Current.CancellationToken);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.InternalServerError);
        var text = problem.GetRawText();
        text.Should().NotContain("hunter2").And.NotContain("SmtpException").And.NotContain(" at ");
        problem.GetProperty("traceId").GetString().Should().NotBeNullOrEmpty();
    }
}

/// <summary>
/// The Elasticsearch back end is wired in. With no cluster answering the host still starts (compose may start the app
/// first); readiness says the index is down instead of pretending to index.
/// </summary>
public sealed class SearchProviderTests
{
    [Fact]
    public async Task With_elasticsearch_unreachable_the_host_starts_and_is_not_ready()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Search:Provider"] = "Elasticsearch",
            // A port nothing listens on: every call is refused at once.
            ["Search:Elasticsearch:Url"] = "http://127.0.0.1:9",
            ["Search:Elasticsearch:ApiKey"] = "not-a-real-key",
        });

        app.Services.GetRequiredService<Scoda.Market.Search.IListingIndex>().Backend.Should().Be("elasticsearch");
        var client = app.CreateLoopbackClient();
        (await client.GetAsync("/health/live", ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        var ready = await client.GetAsync("/health/ready", ct);
        ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var body = await ready.Content.ReadAsStringAsync(ct);
        body.Should().Contain("elasticsearch search index does not answer").And.NotContain("not-a-real-key");
    }

    [Fact]
    public async Task Elasticsearch_without_a_url_stops_start_up_with_a_clear_message()
    {
        await using var app = await MarketApp.CreateAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Search:Provider"] = "Elasticsearch",
        });

        var start = () => app.Server;

        start.Should().Throw<InvalidOperationException>().WithMessage("*Search:Elasticsearch:Url*");
    }
}
