using System.Net;
using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Inventory;

namespace Scoda.Market.IntegrationTests.Deals;

/// <summary>The deal state machine over HTTP: each transition by its side, the documents each needs, the stock ledger, the log.</summary>
public abstract class DealLifecycleTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_deal_goes_from_agreed_to_completed_each_step_by_its_side()
    {
        var deal = await AgreedTrade.CreateAsync(App);
        var agreed = await deal.DealAsync();
        agreed.GetProperty("reservation").GetProperty("lot").GetString().Should().StartWith("LOT-");
        agreed.GetProperty("reservation").GetProperty("warehouse").GetProperty("id").GetGuid().Should().Be(deal.Trade.WarehouseId);
        agreed.GetProperty("reservation").GetProperty("quantity").GetProperty("value").GetDecimal().Should().Be(500m);
        Actions(agreed).Should().BeEquivalentTo("cancel");
        Actions(await deal.DealAsync(deal.Seller)).Should().BeEquivalentTo("cancel");

        (await (await deal.PostAsync("ship", by: deal.Seller)).ShouldBeProblemAsync(HttpStatusCode.Conflict))
            .GetProperty("allowedTransitions").EnumerateArray().Select(t => t.GetProperty("action").GetString()).Should().Equal("cancel");
        await deal.AdvanceBySystemAsync(DealStatus.DepositPaid);

        var noWaybill = await (await deal.PostAsync("ship", by: deal.Seller)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        noWaybill.GetProperty("detail").GetString().Should().Contain("rail_waybill");
        (await deal.UploadAsync(DealChecklist.RailWaybill)).StatusCode.Should().Be(HttpStatusCode.Created);
        (await deal.PostAsync("ship", by: deal.Buyer)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var shipped = await deal.PostAsync("ship", new { reason = "Wagons 4411–4420 left Kostanay" }, deal.Seller);
        shipped.StatusCode.Should().Be(HttpStatusCode.OK, await shipped.Content.ReadAsStringAsync(Ct));

        (await deal.Trade.ReservedAsync()).Should().Be(0m);
        var movements = await App.WithScopeAsync(s => s.GetRequiredService<MarketDbContext>().StockMovements.AsNoTracking()
            .Where(m => m.WarehouseId == deal.Trade.WarehouseId && m.Kind == MovementKind.Shipment).ToListAsync(Ct));
        movements.Should().ContainSingle().Which.OnHandDelta.Should().Be(-500m);
        (await deal.DealAsync()).GetProperty("reservation").GetProperty("status").GetString().Should().Be("shipped");

        (await deal.PostAsync("deliver", by: deal.Seller)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await deal.PostAsync("deliver")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await deal.PostAsync("complete")).ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("detail").GetString()
            .Should().Contain("commercial_invoice");
        await deal.UploadAndAcceptAllAsync();
        (await deal.PostAsync("complete")).StatusCode.Should().Be(HttpStatusCode.OK);

        var completed = await deal.DealAsync(deal.Seller);
        completed.GetProperty("status").GetString().Should().Be("completed");
        completed.GetProperty("allowedTransitions").GetArrayLength().Should().Be(0);
        var transitions = completed.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "transition").ToList();
        transitions.Select(e => e.GetProperty("to").GetString()).Should().Equal("depositPaid", "shipped", "delivered", "completed");
        transitions[1].GetProperty("actorUserId").GetGuid().Should().Be(deal.Seller.Id);
        transitions[1].GetProperty("reason").GetString().Should().Be("Wagons 4411–4420 left Kostanay");
        completed.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        (await (await deal.PostAsync("cancel")).ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("dealStatus").GetString().Should().Be("completed");
    }

    [Fact]
    public async Task Cancelling_before_shipment_releases_the_reservation_and_after_it_is_refused()
    {
        var cancelled = await AgreedTrade.CreateAsync(App);
        (await cancelled.Trade.ReservedAsync()).Should().Be(500m);
        (await cancelled.PostAsync("cancel", new { reason = "Buyer's licence withdrawn" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await cancelled.Trade.ReservedAsync()).Should().Be(0m);
        (await cancelled.DealAsync()).GetProperty("reservation").GetProperty("status").GetString().Should().Be("released");
        var releases = await App.WithScopeAsync(s => s.GetRequiredService<MarketDbContext>().StockMovements.AsNoTracking()
            .CountAsync(m => m.WarehouseId == cancelled.Trade.WarehouseId && m.Kind == MovementKind.Release, Ct));
        releases.Should().Be(1);

        var shipped = await AgreedTrade.CreateAsync(App);
        await shipped.AdvanceBySystemAsync(DealStatus.DepositPaid);
        await shipped.UploadAsync(DealChecklist.RailWaybill);
        (await shipped.PostAsync("ship", by: shipped.Seller)).StatusCode.Should().Be(HttpStatusCode.OK);
        var refused = await (await shipped.PostAsync("cancel")).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        refused.GetProperty("allowedTransitions").EnumerateArray().Select(t => t.GetProperty("action").GetString()).Should().BeEquivalentTo("deliver", "dispute");
    }

    [Fact]
    public async Task Disputes_come_after_the_deposit_and_only_an_admin_resolves_them()
    {
        var deal = await AgreedTrade.CreateAsync(App);
        (await deal.PostAsync("dispute", new { reason = "Too early" })).StatusCode.Should().Be(HttpStatusCode.Conflict);
        await deal.AdvanceBySystemAsync(DealStatus.DepositPaid);
        (await deal.PostAsync("dispute")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await deal.PostAsync("dispute", new { reason = "Protein 10.9 % on the pre-shipment sample" })).StatusCode.Should().Be(HttpStatusCode.OK);

        (await deal.PostAsync("resolve", new { outcome = "cancelled", reason = "Agreed refund" }, deal.Seller)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var admin = await App.SignUpWithRoleAsync(PlatformRoles.Admin);
        (await deal.PostAsync("resolve", new { outcome = "shipped", reason = "x" }, admin)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await deal.PostAsync("resolve", new { outcome = "cancelled", reason = "Agreed refund of the deposit" }, admin)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await deal.DealAsync()).GetProperty("status").GetString().Should().Be("cancelled");
        (await deal.Trade.ReservedAsync()).Should().Be(0m, "the dispute was opened before shipment: cancelling it releases the stock");
    }

    [Fact]
    public async Task Outsiders_and_viewers_get_nothing_of_a_deal()
    {
        var deal = await AgreedTrade.CreateAsync(App);
        await deal.AdvanceBySystemAsync(DealStatus.DepositPaid);
        var uploaded = await (await deal.UploadAsync(DealChecklist.CommercialInvoice)).ReadJsonAsync();
        var documentId = uploaded.GetProperty("documentId").GetGuid();
        var other = await AgreedTrade.CreateAsync(App);
        var stranger = await App.SignUpAsync();

        foreach (var outsider in new[] { stranger, other.Buyer })
        {
            (await outsider.Client.GetAsync($"/api/deals/{deal.DealId}", Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await outsider.Client.GetAsync($"/api/deals/{deal.DealId}/contract", Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await outsider.Client.GetAsync($"/api/deals/{deal.DealId}/documents/{documentId}", Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await deal.PostAsync("cancel", by: outsider)).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await deal.PostAsync($"documents/{documentId}/accept", by: outsider)).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await deal.UploadAsync(DealChecklist.PackingList, by: outsider)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        }
        // The other deal's parties cannot reach this deal's document through their own deal either.
        (await other.Buyer.Client.GetAsync($"/api/deals/{other.DealId}/documents/{documentId}", Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.PostAsync($"documents/{documentId}/accept")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await deal.Buyer.Client.GetAsync($"/api/deals/{deal.DealId}/documents/{documentId}", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await deal.DealAsync()).GetProperty("status").GetString().Should().Be("depositPaid");
    }

    [Fact]
    public async Task Uploads_are_checked_for_kind_type_size_and_side_and_reviews_for_reason_and_state()
    {
        var deal = await AgreedTrade.CreateAsync(App);

        (await (await deal.UploadAsync("selfie")).ShouldBeValidationProblemAsync()).Should().ContainKey("kind");
        (await (await deal.UploadAsync(DealChecklist.PackingList, "just text, not a PDF"u8.ToArray())).ShouldBeValidationProblemAsync()).Should().ContainKey("file");
        var tooBig = await deal.UploadAsync(DealChecklist.PackingList, SampleFiles.Pdf(new string('x', 11 * 1024 * 1024)));
        tooBig.StatusCode.Should().BeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge);
        (await deal.UploadAsync(DealChecklist.PackingList, by: deal.Buyer)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var first = await deal.UploadAsync(DealChecklist.PackingList, fileName: "../../packing list.pdf");
        first.StatusCode.Should().Be(HttpStatusCode.Created);
        var item = await first.ReadJsonAsync();
        item.GetProperty("fileName").GetString().Should().NotContain("/");
        var id = item.GetProperty("documentId").GetGuid();
        (await deal.PostAsync($"documents/{id}/accept", by: deal.Seller)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await deal.PostAsync($"documents/{id}/reject")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var rejected = await (await deal.PostAsync($"documents/{id}/reject", new { reason = "Gross weights missing" })).ReadJsonAsync();
        rejected.GetProperty("status").GetString().Should().Be("rejected");
        rejected.GetProperty("rejectionReason").GetString().Should().Be("Gross weights missing");
        (await deal.PostAsync($"documents/{id}/accept")).StatusCode.Should().Be(HttpStatusCode.Conflict);

        var again = (await (await deal.UploadAsync(DealChecklist.PackingList)).ReadJsonAsync()).GetProperty("documentId").GetGuid();
        (await (await deal.PostAsync($"documents/{again}/accept")).ReadJsonAsync()).GetProperty("status").GetString().Should().Be("accepted");
        var download = await deal.Buyer.Client.GetAsync($"/api/deals/{deal.DealId}/documents/{again}", Ct);
        download.Content.Headers.ContentType!.MediaType.Should().Be("application/pdf");
        (await download.Content.ReadAsByteArrayAsync(Ct)).Should().Equal(SampleFiles.Pdf());
        var kinds = (await deal.DealAsync()).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString());
        kinds.Should().Contain(["document_uploaded", "document_rejected", "document_accepted"]);
    }

    static IEnumerable<string?> Actions(JsonElement deal) =>
        deal.GetProperty("allowedTransitions").EnumerateArray().Select(t => t.GetProperty("action").GetString());
}

public sealed class DealLifecycleTests_Sqlite(SqliteApp fixture) : DealLifecycleTests<SqliteApp>(fixture), IClassFixture<SqliteApp>;

public sealed class DealLifecycleTests_Postgres(PostgresApp fixture) : DealLifecycleTests<PostgresApp>(fixture), IClassFixture<PostgresApp>;
