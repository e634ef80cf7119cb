using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Inventory;

namespace Scoda.Market.IntegrationTests.Inventory;

public abstract class InventoryTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<(Seller Seller, Guid Warehouse, Guid Listing)> StockedAsync(decimal tonnes = 100m, string lot = "KST-2026-001")
    {
        var seller = await Seller.CreateAsync(App);
        var warehouse = await seller.AddWarehouseAsync();
        var listing = await new ListingBuilder(seller.OrganizationId).PublishAsync(seller.Owner);
        await seller.ReceiveAsync(warehouse, listing, lot, tonnes);
        return (seller, warehouse, listing);
    }

    /// <summary>An importer; verified unless asked otherwise (only verified organizations may hold a seller's stock).</summary>
    async Task<(TestUser User, Guid Organization)> BuyerAsync(bool verified = true)
    {
        var user = await App.SignUpAsync();
        var organization = await new OrganizationBuilder().In("CN").OfKind("importer").CreateAsync(user);
        if (verified)
        {
            await App.VerifyOrganizationAsync(organization);
        }
        return (user, organization);
    }

    /// <summary>POST a reservation with an <c>Idempotency-Key</c> (a new one unless given).</summary>
    static Task<HttpResponseMessage> ReserveAsync(TestUser user, Guid listing, object body, string? idempotencyKey = null) =>
        user.ReserveAsync(listing, body, idempotencyKey ?? Guid.NewGuid().ToString("N"));

    static object Reservation(Guid organizationId, Guid warehouseId, decimal tonnes, string unit = "t", double hours = 24) => new
    {
        organizationId, warehouseId, quantity = new { value = tonnes, unit }, expiresAt = DateTimeOffset.UtcNow.AddHours(hours),
    };

    async Task<JsonElement> AvailabilityAsync(Guid listing) =>
        (await (await App.CreateClient().GetAsync($"/api/listings/{listing}/availability", Ct)).ReadJsonAsync())[0];

    /// <summary>The ledger's sums per lot equal the lot's balances: nothing changes stock without a ledger row.</summary>
    async Task LedgerShouldMatchBalancesAsync(Guid listing)
    {
        await App.WithDbAsync(async db =>
        {
            var lots = await db.StockLots.AsNoTracking().Where(l => l.ListingId == listing).ToListAsync(Ct);
            var movements = await db.StockMovements.AsNoTracking().Where(m => m.ListingId == listing).ToListAsync(Ct);
            var active = await db.Reservations.AsNoTracking().Where(r => r.ListingId == listing && r.Status == ReservationStatus.Active).ToListAsync(Ct);
            foreach (var lot in lots)
            {
                movements.Where(m => m.LotId == lot.Id).Sum(m => m.OnHandDelta).Should().Be(lot.OnHand);
                movements.Where(m => m.LotId == lot.Id).Sum(m => m.ReservedDelta).Should().Be(lot.Reserved);
                active.Where(r => r.LotId == lot.Id).Sum(r => r.Quantity).Should().Be(lot.Reserved);
                (lot.OnHand - lot.Reserved).Should().BeGreaterThanOrEqualTo(0);
            }
        });
    }

    [Fact]
    public async Task Receipts_and_shipments_keep_exact_balances_and_a_ledger()
    {
        var (seller, warehouse, listing) = await StockedAsync(12.345m);
        (await seller.MoveAsync(warehouse, new { kind = "receipt", listingId = listing, lot = "KST-2026-001", quantity = new { value = 500, unit = "kg" } }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        (await seller.MoveAsync(warehouse, new { kind = "shipment", listingId = listing, lot = "KST-2026-001", quantity = new { value = "2.5", unit = "t" }, note = "Wagon 52-123456" }))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        var availability = await AvailabilityAsync(listing);
        availability.GetProperty("onHand").GetRawText().Should().Be("10.345");
        availability.GetProperty("available").GetDecimal().Should().Be(10.345m);
        availability.GetProperty("warehouse").GetProperty("city").GetString().Should().Be("Khorgos");

        var ledger = await (await seller.Owner.Client.GetAsync($"/api/warehouses/{warehouse}/movements", Ct)).ReadJsonAsync();
        ledger.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("kind").GetString()).Should().Equal("shipment", "receipt", "receipt");
        ledger.GetProperty("items")[0].GetProperty("onHandDelta").GetDecimal().Should().Be(-2.5m);
        ledger.GetProperty("items")[0].GetProperty("note").GetString().Should().Be("Wagon 52-123456");
        await LedgerShouldMatchBalancesAsync(listing);
    }

    [Fact]
    public async Task Shipping_more_than_is_available_is_a_conflict_and_changes_nothing()
    {
        var (seller, warehouse, listing) = await StockedAsync(100m);
        // The seller's own hold: a buyer's is limited to a share of the stock, and 60 t is more.
        (await ReserveAsync(seller.Owner, listing, Reservation(seller.OrganizationId, warehouse, 60m))).StatusCode.Should().Be(HttpStatusCode.Created);

        var ship = await seller.MoveAsync(warehouse, new { kind = "shipment", listingId = listing, lot = "KST-2026-001", quantity = new { value = 41, unit = "t" } });

        await ship.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        var availability = await AvailabilityAsync(listing);
        availability.GetProperty("onHand").GetDecimal().Should().Be(100m);
        availability.GetProperty("reserved").GetDecimal().Should().Be(60m);
        var ledger = await (await seller.Owner.Client.GetAsync($"/api/warehouses/{warehouse}/movements", Ct)).ReadJsonAsync();
        ledger.GetProperty("items").GetArrayLength().Should().Be(2); // receipt and reserve only
        await LedgerShouldMatchBalancesAsync(listing);
    }

    [Fact]
    public async Task A_reservation_holds_stock_until_released_and_releases_once()
    {
        var (seller, warehouse, listing) = await StockedAsync(100m);
        // The seller holds its own stock here: buyers may hold only a share, and this test needs more than available.
        var (holder, holderOrg) = (seller.Owner, seller.OrganizationId);

        var reserved = await ReserveAsync(holder, listing, Reservation(holderOrg, warehouse, 30m));
        reserved.StatusCode.Should().Be(HttpStatusCode.Created);
        var reservation = await reserved.ReadJsonAsync();
        reservation.GetProperty("status").GetString().Should().Be("active");
        (await AvailabilityAsync(listing)).GetProperty("available").GetDecimal().Should().Be(70m);

        await (await ReserveAsync(holder, listing, Reservation(holderOrg, warehouse, 70.001m))).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        var id = reservation.GetProperty("id").GetGuid();
        var released = await holder.Client.DeleteAsync($"/api/reservations/{id}", Ct);
        (await released.ReadJsonAsync()).GetProperty("status").GetString().Should().Be("released");
        await (await holder.Client.DeleteAsync($"/api/reservations/{id}", Ct)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await AvailabilityAsync(listing)).GetProperty("available").GetDecimal().Should().Be(100m);
        await LedgerShouldMatchBalancesAsync(listing);
    }

    [Fact]
    public async Task Expired_reservations_give_their_stock_back()
    {
        var (_, warehouse, listing) = await StockedAsync(100m);
        var (buyer, buyerOrg) = await BuyerAsync();
        var id = (await (await ReserveAsync(buyer, listing, Reservation(buyerOrg, warehouse, 20m))).ReadJsonAsync())
            .GetProperty("id").GetGuid();
        await App.WithDbAsync(db => db.Reservations.Where(r => r.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1)), Ct));

        (await App.Services.GetRequiredService<ReservationExpiryWorker>().RunOnceAsync(Ct)).Should().BeGreaterThanOrEqualTo(1);

        (await AvailabilityAsync(listing)).GetProperty("available").GetDecimal().Should().Be(100m);
        (await (await buyer.Client.GetAsync($"/api/reservations/{id}", Ct)).ReadJsonAsync()).GetProperty("status").GetString().Should().Be("expired");
        await LedgerShouldMatchBalancesAsync(listing);
    }

    [Fact]
    public async Task Adjustments_need_a_reason_and_cannot_take_reserved_stock()
    {
        var (seller, warehouse, listing) = await StockedAsync(100m);
        (await ReserveAsync(seller.Owner, listing, Reservation(seller.OrganizationId, warehouse, 95m))).StatusCode.Should().Be(HttpStatusCode.Created);

        (await (await seller.MoveAsync(warehouse, new { kind = "adjustment", listingId = listing, lot = "KST-2026-001", quantity = new { value = -1, unit = "t" } }))
            .ShouldBeValidationProblemAsync()).Keys.Should().Contain("reason");
        await (await seller.MoveAsync(warehouse, new { kind = "adjustment", listingId = listing, lot = "KST-2026-001", quantity = new { value = -6, unit = "t" }, reason = "moisture loss" }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await seller.MoveAsync(warehouse, new { kind = "adjustment", listingId = listing, lot = "KST-2026-001", quantity = new { value = -5, unit = "t" }, reason = "moisture loss" }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        (await seller.MoveAsync(warehouse, new { kind = "adjustment", listingId = listing, lot = "KST-2026-001", quantity = new { value = 0.75, unit = "t" }, reason = "recount" }))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        var availability = await AvailabilityAsync(listing);
        availability.GetProperty("onHand").GetDecimal().Should().Be(95.75m);
        availability.GetProperty("available").GetDecimal().Should().Be(0.75m);
        await LedgerShouldMatchBalancesAsync(listing);
    }

    [Fact]
    public async Task Stock_transfers_between_the_organizations_own_warehouses()
    {
        var (seller, khorgos, listing) = await StockedAsync(100m);
        var almaty = await seller.AddWarehouseAsync("Almaty Logistics Hub", "overseas", "KZ", "Almaty");
        var rival = await Seller.CreateAsync(App);
        var foreignWarehouse = await rival.AddWarehouseAsync();

        var moved = await seller.MoveAsync(khorgos, new { kind = "transfer", listingId = listing, lot = "KST-2026-001", quantity = new { value = 40, unit = "t" }, toWarehouseId = almaty });
        moved.StatusCode.Should().Be(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync(Ct));
        (await (await seller.MoveAsync(khorgos, new { kind = "transfer", listingId = listing, lot = "KST-2026-001", quantity = new { value = 1, unit = "t" }, toWarehouseId = foreignWarehouse }))
            .ShouldBeValidationProblemAsync()).Keys.Should().Contain("toWarehouseId");
        await (await seller.MoveAsync(khorgos, new { kind = "transfer", listingId = listing, lot = "KST-2026-001", quantity = new { value = 61, unit = "t" }, toWarehouseId = almaty }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);

        var availability = await (await App.CreateClient().GetAsync($"/api/listings/{listing}/availability", Ct)).ReadJsonAsync();
        availability.EnumerateArray().ToDictionary(a => a.GetProperty("warehouse").GetProperty("city").GetString()!, a => a.GetProperty("onHand").GetDecimal())
            .Should().BeEquivalentTo(new Dictionary<string, decimal> { ["Almaty"] = 40m, ["Khorgos"] = 60m });
        await LedgerShouldMatchBalancesAsync(listing);
    }

    public static TheoryData<string, string> BadMovements => new()
    {
        { """{"kind":"theft","lot":"L1","quantity":{"value":1,"unit":"t"}}""", "kind" },
        { """{"kind":"reserve","lot":"L1","quantity":{"value":1,"unit":"t"}}""", "kind" },
        { """{"kind":"receipt","lot":"","quantity":{"value":1,"unit":"t"}}""", "lot" },
        { """{"kind":"receipt","lot":"L1","quantity":{"value":-1,"unit":"t"}}""", "quantity.value" },
        { """{"kind":"receipt","lot":"L1","quantity":{"value":"1.0001","unit":"t"}}""", "quantity.value" },
        { """{"kind":"receipt","lot":"L1","quantity":{"value":1,"unit":"m3"}}""", "quantity.unit" },
        { """{"kind":"shipment","lot":"NO-SUCH-LOT","quantity":{"value":1,"unit":"t"}}""", "lot" },
        { """{"kind":"transfer","lot":"KST-2026-001","quantity":{"value":1,"unit":"t"}}""", "toWarehouseId" },
    };

    [Theory]
    [MemberData(nameof(BadMovements))]
    public async Task A_bad_movement_is_a_field_error_and_changes_nothing(string json, string field)
    {
        var (seller, warehouse, listing) = await StockedAsync(10m);
        var body = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        body["listingId"] = listing;

        (await (await seller.MoveAsync(warehouse, body)).ShouldBeValidationProblemAsync()).Keys.Should().Contain(field);

        (await AvailabilityAsync(listing)).GetProperty("onHand").GetDecimal().Should().Be(10m);
        await LedgerShouldMatchBalancesAsync(listing);
    }

    [Fact]
    public async Task Another_organization_sees_no_ledger_and_cannot_move_or_reserve_for_someone_else()
    {
        var (seller, warehouse, listing) = await StockedAsync(100m);
        var (buyer, buyerOrg) = await BuyerAsync();
        var (victim, victimOrg) = await BuyerAsync();

        await (await buyer.Client.GetAsync($"/api/warehouses/{warehouse}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await buyer.Client.GetAsync($"/api/warehouses/{warehouse}/stock", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await buyer.Client.GetAsync($"/api/warehouses/{warehouse}/movements", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await buyer.Client.GetAsync($"/api/warehouses?organizationId={seller.OrganizationId}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await buyer.Client.PostAsJsonAsync($"/api/warehouses/{warehouse}/movements",
            new { kind = "shipment", listingId = listing, lot = "KST-2026-001", quantity = new { value = 1, unit = "t" } }, Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await buyer.Client.PostAsJsonAsync("/api/warehouses",
            new { organizationId = seller.OrganizationId, name = "Fake", kind = "port", countryCode = "KZ", city = "X", location = new { lat = 1, lon = 1 } }, Ct))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        // A forged organizationId: the buyer tries to reserve in the name of another importer.
        await (await ReserveAsync(buyer, listing, Reservation(victimOrg, warehouse, 10m))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        var held = await ReserveAsync(victim, listing, Reservation(victimOrg, warehouse, 10m));
        var heldId = (await held.ReadJsonAsync()).GetProperty("id").GetGuid();
        await (await buyer.Client.GetAsync($"/api/reservations/{heldId}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await buyer.Client.DeleteAsync($"/api/reservations/{heldId}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        _ = buyerOrg;

        // The seller sees the reservation on its stock and may release it.
        (await seller.Owner.Client.GetAsync($"/api/reservations/{heldId}", Ct)).StatusCode.Should().Be(HttpStatusCode.OK);
        var availability = await AvailabilityAsync(listing);
        availability.GetProperty("onHand").GetDecimal().Should().Be(100m);
        availability.GetProperty("reserved").GetDecimal().Should().Be(10m);
    }

    public static TheoryData<string, string> BadWarehouses => new()
    {
        { """{"name":"","kind":"port","countryCode":"KZ","city":"Khorgos","location":{"lat":44.2,"lon":80.4}}""", "name" },
        { """{"name":"Depot","kind":"garage","countryCode":"KZ","city":"Khorgos","location":{"lat":44.2,"lon":80.4}}""", "kind" },
        { """{"name":"Depot","kind":"port","countryCode":"QQ","city":"Khorgos","location":{"lat":44.2,"lon":80.4}}""", "countryCode" },
        { """{"name":"Depot","kind":"port","countryCode":"KZ","city":"","location":{"lat":44.2,"lon":80.4}}""", "city" },
        { """{"name":"Depot","kind":"port","countryCode":"KZ","city":"Khorgos","location":{"lat":91,"lon":80.4}}""", "location.lat" },
        { """{"name":"Depot","kind":"port","countryCode":"KZ","city":"Khorgos","location":{"lat":44.2,"lon":-181}}""", "location.lon" },
        { """{"name":"Depot","kind":"port","countryCode":"KZ","city":"Khorgos"}""", "location.lat" },
    };

    [Theory]
    [MemberData(nameof(BadWarehouses))]
    public async Task A_bad_warehouse_is_a_field_error_and_stores_nothing(string json, string field)
    {
        var seller = await Seller.CreateAsync(App);
        var body = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        body["organizationId"] = seller.OrganizationId;

        (await (await seller.Owner.Client.PostAsJsonAsync("/api/warehouses", body, Ct)).ShouldBeValidationProblemAsync()).Keys.Should().Contain(field);
        (await (await seller.Owner.Client.GetAsync($"/api/warehouses?organizationId={seller.OrganizationId}", Ct)).ReadJsonAsync()).GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task A_draft_listing_takes_no_reservations_from_buyers()
    {
        var seller = await Seller.CreateAsync(App);
        var warehouse = await seller.AddWarehouseAsync();
        var draft = (await new ListingBuilder(seller.OrganizationId).CreateAsync(seller.Owner)).GetProperty("id").GetGuid();
        await seller.ReceiveAsync(warehouse, draft, "D-1", 10m);
        var (buyer, buyerOrg) = await BuyerAsync();

        await (await ReserveAsync(buyer, draft, Reservation(buyerOrg, warehouse, 1m))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await buyer.Client.GetAsync($"/api/listings/{draft}/availability", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_unverified_importer_cannot_hold_a_sellers_stock()
    {
        var (_, warehouse, listing) = await StockedAsync(99_000m);
        var (squatter, squatterOrg) = await BuyerAsync(verified: false);

        var refused = await ReserveAsync(squatter, listing, Reservation(squatterOrg, warehouse, 1m));

        (await refused.ShouldBeProblemAsync(HttpStatusCode.Forbidden)).GetProperty("detail").GetString().Should().Contain("verified");
        (await AvailabilityAsync(listing)).GetProperty("reserved").GetDecimal().Should().Be(0m);
        await App.VerifyOrganizationAsync(squatterOrg);
        (await ReserveAsync(squatter, listing, Reservation(squatterOrg, warehouse, 1m))).StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task One_organization_holds_at_most_its_share_of_the_stock()
    {
        var (_, warehouse, listing) = await StockedAsync(100m);
        var (buyer, buyerOrg) = await BuyerAsync();
        var (other, otherOrg) = await BuyerAsync();

        (await ReserveAsync(buyer, listing, Reservation(buyerOrg, warehouse, 15m))).StatusCode.Should().Be(HttpStatusCode.Created);
        var over = await ReserveAsync(buyer, listing, Reservation(buyerOrg, warehouse, 5.001m));
        var upToTheShare = await ReserveAsync(buyer, listing, Reservation(buyerOrg, warehouse, 5m));
        var others = await ReserveAsync(other, listing, Reservation(otherOrg, warehouse, 20m));

        (await over.ShouldBeValidationProblemAsync())["quantity.value"].Single().Should().Contain("20 t").And.Contain("15 t");
        upToTheShare.StatusCode.Should().Be(HttpStatusCode.Created);
        others.StatusCode.Should().Be(HttpStatusCode.Created, "the share is per organization");
        (await AvailabilityAsync(listing)).GetProperty("reserved").GetDecimal().Should().Be(40m);
        await LedgerShouldMatchBalancesAsync(listing);
    }

    [Fact]
    public async Task A_buyer_holds_stock_for_at_most_the_configured_time_and_the_seller_longer()
    {
        var (seller, warehouse, listing) = await StockedAsync(100m);
        var (buyer, buyerOrg) = await BuyerAsync();

        var tooLong = await ReserveAsync(buyer, listing, Reservation(buyerOrg, warehouse, 1m, hours: 29 * 24));
        var longest = await ReserveAsync(buyer, listing, Reservation(buyerOrg, warehouse, 1m, hours: 71.9));
        var sellersOwn = await ReserveAsync(seller.Owner, listing, Reservation(seller.OrganizationId, warehouse, 1m, hours: 29 * 24));

        (await tooLong.ShouldBeValidationProblemAsync())["expiresAt"].Single().Should().Contain("72 hours");
        longest.StatusCode.Should().Be(HttpStatusCode.Created);
        sellersOwn.StatusCode.Should().Be(HttpStatusCode.Created);
        (await AvailabilityAsync(listing)).GetProperty("reserved").GetDecimal().Should().Be(2m);
    }

    [Fact]
    public async Task A_retried_reservation_with_the_same_key_returns_the_first_and_holds_once()
    {
        var (_, warehouse, listing) = await StockedAsync(100m);
        var (buyer, buyerOrg) = await BuyerAsync();
        var (other, otherOrg) = await BuyerAsync();
        var body = Reservation(buyerOrg, warehouse, 10m);
        var key = $"order-{Guid.NewGuid():N}";

        var first = await ReserveAsync(buyer, listing, body, key);
        var retry = await ReserveAsync(buyer, listing, body, key);
        var sameKeyOtherRequest = await ReserveAsync(buyer, listing, Reservation(buyerOrg, warehouse, 11m), key);
        var sameKeyOtherOrganization = await ReserveAsync(other, listing, Reservation(otherOrg, warehouse, 10m), key);

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        retry.StatusCode.Should().Be(HttpStatusCode.OK);
        var created = await first.ReadJsonAsync();
        var replayed = await retry.ReadJsonAsync();
        replayed.GetProperty("id").GetGuid().Should().Be(created.GetProperty("id").GetGuid());
        replayed.GetProperty("quantity").GetProperty("value").GetDecimal().Should().Be(10m);
        (await sameKeyOtherRequest.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("detail").GetString().Should().Contain("Idempotency-Key");
        sameKeyOtherOrganization.StatusCode.Should().Be(HttpStatusCode.Created, "a key belongs to the organization that used it");
        (await AvailabilityAsync(listing)).GetProperty("reserved").GetDecimal().Should().Be(20m);
        await LedgerShouldMatchBalancesAsync(listing);
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_make_one_reservation()
    {
        var (_, warehouse, listing) = await StockedAsync(100m);
        var (buyer, buyerOrg) = await BuyerAsync();
        var body = Reservation(buyerOrg, warehouse, 4m);

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => ReserveAsync(buyer, listing, body, "double-click")));

        responses.Select(r => r.StatusCode).Should().OnlyContain(s => s == HttpStatusCode.Created || s == HttpStatusCode.OK);
        var ids = await Task.WhenAll(responses.Select(async r => (await r.ReadJsonAsync()).GetProperty("id").GetGuid()));
        ids.Distinct().Should().ContainSingle();
        (await AvailabilityAsync(listing)).GetProperty("reserved").GetDecimal().Should().Be(4m);
        await LedgerShouldMatchBalancesAsync(listing);
    }

    [Fact]
    public async Task The_seller_lists_and_releases_holds_on_its_stock_and_nobody_else_sees_them()
    {
        var (seller, warehouse, listing) = await StockedAsync(100m);
        var (buyer, buyerOrg) = await BuyerAsync();
        var (outsider, _) = await BuyerAsync();
        var held = (await (await ReserveAsync(buyer, listing, Reservation(buyerOrg, warehouse, 12m))).ReadJsonAsync()).GetProperty("id").GetGuid();
        var second = (await (await ReserveAsync(buyer, listing, Reservation(buyerOrg, warehouse, 3m))).ReadJsonAsync()).GetProperty("id").GetGuid();

        var listed = await (await seller.Owner.Client.GetAsync($"/api/listings/{listing}/reservations?limit=1", Ct)).ReadJsonAsync();
        var next = await (await seller.Owner.Client.GetAsync($"/api/listings/{listing}/reservations?limit=1&cursor={listed.GetProperty("nextCursor").GetString()}", Ct)).ReadJsonAsync();
        await (await outsider.Client.GetAsync($"/api/listings/{listing}/reservations", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await buyer.Client.GetAsync($"/api/listings/{listing}/reservations", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await outsider.Client.DeleteAsync($"/api/reservations/{held}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var released = await seller.Owner.Client.DeleteAsync($"/api/reservations/{held}", Ct);
        var active = await (await seller.Owner.Client.GetAsync($"/api/listings/{listing}/reservations?status=active", Ct)).ReadJsonAsync();

        listed.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).Should().Equal(second);
        next.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).Should().Equal(held);
        next.GetProperty("items")[0].GetProperty("organizationId").GetGuid().Should().Be(buyerOrg);
        (await released.ReadJsonAsync()).GetProperty("status").GetString().Should().Be("released");
        active.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).Should().Equal(second);
        (await AvailabilityAsync(listing)).GetProperty("reserved").GetDecimal().Should().Be(3m);
        await (await seller.Owner.Client.GetAsync($"/api/listings/{listing}/reservations?status=squatted", Ct)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        await (await seller.Owner.Client.GetAsync($"/api/listings/{listing}/reservations?limit=0", Ct)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        await LedgerShouldMatchBalancesAsync(listing);
    }

    public static TheoryData<string, string> BadReservations => new()
    {
        { "quantity.value", """{"value":0,"unit":"t"}""" },
        { "quantity.unit", """{"value":1,"unit":"m3"}""" },
        { "expiresAt", "past" },
        { "expiresAt", "far" },
        { "expiresAt", "longer than a buyer may hold" },
        { "Idempotency-Key", "no key" },
        { "Idempotency-Key", "a key with spaces" },
        { "Idempotency-Key", "a key too long" },
        { "warehouseId", "unknown-warehouse" },
    };

    [Theory]
    [MemberData(nameof(BadReservations))]
    public async Task A_bad_reservation_is_a_field_error_and_holds_nothing(string field, string variant)
    {
        var (_, warehouse, listing) = await StockedAsync(10m);
        var (buyer, buyerOrg) = await BuyerAsync();
        var body = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(Reservation(buyerOrg, warehouse, 1m)))!.AsObject();
        string? key = null;
        switch (variant)
        {
            case "past": body["expiresAt"] = DateTimeOffset.UtcNow.AddMinutes(-5); break;
            case "far": body["expiresAt"] = DateTimeOffset.UtcNow.AddDays(45); break;
            case "longer than a buyer may hold": body["expiresAt"] = DateTimeOffset.UtcNow.AddHours(73); break; // 72 h by default
            case "no key": key = ""; break;
            case "a key with spaces": key = "retry me please"; break;
            case "a key too long": key = new string('k', 101); break;
            case "unknown-warehouse": body["warehouseId"] = Guid.NewGuid(); break;
            default: body["quantity"] = System.Text.Json.Nodes.JsonNode.Parse(variant); break;
        }

        var response = key == ""
            ? await buyer.Client.PostAsJsonAsync($"/api/listings/{listing}/reservations", body, Ct)
            : await ReserveAsync(buyer, listing, body, key);
        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain(field);
        (await AvailabilityAsync(listing)).GetProperty("reserved").GetDecimal().Should().Be(0m);
    }
}

public sealed class InventoryTests_Sqlite(SqliteApp app) : InventoryTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class InventoryTests_Postgres(PostgresApp app) : InventoryTests<PostgresApp>(app), IClassFixture<PostgresApp>;
