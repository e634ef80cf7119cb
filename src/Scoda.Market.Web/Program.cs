using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.BuyRequests;
using Scoda.Market.Web.Features.Dashboard;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Notifications;
using Scoda.Market.Web.Features.Search;
using Scoda.Market.Web.Features.Demo;
using Scoda.Market.Web.Features.FxRates;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.LiveSessions;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Profiles;
using Scoda.Market.Web.Features.Payments;
using Scoda.Market.Web.Infrastructure;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Commands;
using Scoda.Market.Web.Infrastructure.Mail;
using Scoda.Market.Web.Infrastructure.Problems;
using Scoda.Market.Web.Infrastructure.Realtime;
using Scoda.Market.Web.Infrastructure.Telemetry;
using Scoda.Market.Web.Infrastructure.Security;

var builder = WebApplication.CreateBuilder(args);
builder.ListenOnDefaultUrlUnlessConfigured();
builder
    .AddProblemHandling()
    .AddMarketPlatform()
    .AddWebDefences()
    .AddRateLimits()
    .AddMarketDatabase()
    .AddMarketAuth()
    .AddMarketMail()
    .AddAccounts()
    .AddOrganizations()
    .AddTaxonomy()
    .AddListings()
    .AddInventory()
    .AddRealtime()
    .AddNotifications()
    .AddDashboard()
    .AddSearch()
    .AddBuyRequests()
    .AddNegotiations()
    .AddDeals()
    .AddLiveSessions()
    .AddPayments()
    .AddDemo()
    .AddMarketTelemetry();

var app = builder.Build();
if (await app.RunCommandAsync(args) is { } exitCode)
{
    return exitCode;
}
await app.MigrateOnStartupAsync();

app.UseWebDefences();
app.UseProblemHandling();
app.UseWebClientFiles();
app.UseSameOriginCheck();
app.UseAuthentication();
app.UseSessionCheck();
app.UseRateLimits();
app.UseAuthorization();

app.MapOperations();
app.MapAccountsEndpoints();
app.MapOrganizationsEndpoints();
app.MapTaxonomyEndpoints();
app.MapFxRatesEndpoints();
app.MapListingsEndpoints();
app.MapInventoryEndpoints();
app.MapSearchEndpoints();
app.MapSavedSearchesEndpoints();
app.MapBuyRequestsEndpoints();
app.MapNotificationsEndpoints();
app.MapDashboardEndpoints();
app.MapProfilesEndpoints();
app.MapNegotiationsEndpoints();
app.MapDealsEndpoints();
app.MapLiveSessionsEndpoints();
app.MapPaymentsEndpoints();
app.MapWebClient();

await app.RunAsync();
return 0;

/// <summary>Entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
