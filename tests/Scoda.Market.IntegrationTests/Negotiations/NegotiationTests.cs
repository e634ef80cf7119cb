using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Negotiations;

namespace Scoda.Market.IntegrationTests.Negotiations;

/// <summary>Rooms, the event log and term sheets, through HTTP and the real hub over WebSockets.</summary>
public abstract class NegotiationTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static string NewId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Opening_a_room_twice_returns_the_same_open_room()
    {
        var trade = await Trade.CreateAsync(App);

        var first = await trade.PostOpenAsync(new { listingId = trade.ListingId, buyerOrganizationId = trade.BuyerOrganizationId, message = "Can you do CPT Urumqi?" });
        var second = await trade.PostOpenAsync();

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        second.StatusCode.Should().Be(HttpStatusCode.OK);
        var room = await first.ReadJsonAsync();
        (await second.ReadJsonAsync()).GetProperty("id").GetGuid().Should().Be(room.GetProperty("id").GetGuid());
        room.GetProperty("mySide").GetString().Should().Be("buyer");
        room.GetProperty("status").GetString().Should().Be("open");
        var events = await (await trade.Buyer.Client.GetAsync($"/api/negotiations/{room.GetProperty("id").GetGuid()}/events", Ct)).ReadJsonAsync();
        events.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("type").GetString())
            .Should().Equal("system", "participant_joined", "message");
        (await Trade.RoomAsync(trade.Seller.Owner, room.GetProperty("id").GetGuid())).GetProperty("mySide").GetString().Should().Be("seller");
    }

    [Fact]
    public async Task A_seller_cannot_open_a_room_on_its_own_listing()
    {
        var trade = await Trade.CreateAsync(App);

        var response = await trade.PostOpenAsync(new { listingId = trade.ListingId, buyerOrganizationId = trade.Seller.OrganizationId }, trade.Seller.Owner);

        (await response.ShouldBeValidationProblemAsync()).Should().ContainKey("buyerOrganizationId");
    }

    [Fact]
    public async Task A_room_opened_from_a_buy_request_match_names_it_and_tells_the_seller()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var buyRequest = (await (await trade.Buyer.Client.PostAsJsonAsync("/api/buy-requests", BuyRequestBody.For(trade.BuyerOrganizationId), Ct)).ReadJsonAsync())
            .GetProperty("id").GetGuid();
        var other = await Trade.CreateAsync(App, stock: 0);
        var othersRequest = (await (await other.Buyer.Client.PostAsJsonAsync("/api/buy-requests", BuyRequestBody.For(other.BuyerOrganizationId), Ct)).ReadJsonAsync())
            .GetProperty("id").GetGuid();

        var withOthers = await trade.PostOpenAsync(new { listingId = trade.ListingId, buyerOrganizationId = trade.BuyerOrganizationId, buyRequestId = othersRequest });
        var opened = await trade.PostOpenAsync(new { listingId = trade.ListingId, buyerOrganizationId = trade.BuyerOrganizationId, buyRequestId = buyRequest });

        (await withOthers.ShouldBeValidationProblemAsync()).Should().ContainKey("buyRequestId");
        opened.StatusCode.Should().Be(HttpStatusCode.Created);
        var room = await opened.ReadJsonAsync();
        room.GetProperty("buyRequestId").GetGuid().Should().Be(buyRequest);
        var notifications = await (await trade.Seller.Owner.Client.GetAsync("/api/notifications", Ct)).ReadJsonAsync();
        notifications.GetProperty("items").EnumerateArray().Should().Contain(n =>
            n.GetProperty("kind").GetString() == "negotiation" && n.GetProperty("link").GetString() == $"/negotiations/{room.GetProperty("id").GetGuid()}");
    }

    [Fact]
    public async Task Rooms_are_opened_only_for_your_own_organization_and_on_published_listings()
    {
        var trade = await Trade.CreateAsync(App);
        var stranger = await App.SignUpAsync();
        var draft = (await new ListingBuilder(trade.Seller.OrganizationId).CreateAsync(trade.Seller.Owner)).GetProperty("id").GetGuid();

        var forOthers = await trade.PostOpenAsync(new { listingId = trade.ListingId, buyerOrganizationId = trade.BuyerOrganizationId }, stranger);
        var onDraft = await trade.PostOpenAsync(new { listingId = draft, buyerOrganizationId = trade.BuyerOrganizationId });
        var empty = await trade.PostOpenAsync(new { });

        (await forOthers.ShouldBeProblemAsync(HttpStatusCode.Forbidden)).GetProperty("code").GetString().Should().Be("forbidden");
        await onDraft.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await empty.ShouldBeValidationProblemAsync()).Keys.Should().BeEquivalentTo("listingId", "buyerOrganizationId");
    }

    [Fact]
    public async Task Messages_reach_the_other_side_in_order_with_gap_free_sequences()
    {
        var trade = await Trade.CreateAsync(App);
        await using var negotiation = await trade.NegotiateAsync();
        var (room, seller, buyer, joined) = negotiation;

        var sent = new List<long>();
        foreach (var text in new[] { "Good morning", "We need 1,000 t in March", "Can you do 238?" })
        {
            sent.Add((await buyer.InvokeAsync("SendMessage", room, NewId(), text)).GetProperty("sequence").GetInt64());
        }

        var received = new List<JsonElement>();
        while (received.Count < 3)
        {
            var e = await seller.NextAsync("RoomEvent");
            if (e.GetProperty("type").GetString() == "message")
            {
                received.Add(e);
            }
        }
        received.Select(e => e.GetProperty("sequence").GetInt64()).Should().Equal(sent);
        received.Select(e => e.GetProperty("payload").GetProperty("text").GetString()).Should().Equal("Good morning", "We need 1,000 t in March", "Can you do 238?");
        received[0].GetProperty("actor").GetProperty("side").GetString().Should().Be("buyer");
        var all = await (await trade.Seller.Owner.Client.GetAsync($"/api/negotiations/{room}/events", Ct)).ReadJsonAsync();
        all.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64())
            .Should().Equal(Enumerable.Range(1, all.GetProperty("items").GetArrayLength()).Select(i => (long)i));
        joined.GetArrayLength().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task A_retried_message_is_stored_once()
    {
        var trade = await Trade.CreateAsync(App);
        var room = await trade.OpenRoomAsync();
        var (buyer, _) = await trade.JoinAsync(trade.Buyer, room);
        await using var buyerConnection = buyer;
        var id = NewId();

        var first = await buyer.InvokeAsync("SendMessage", room, id, "Price valid until Friday?");
        var retry = await buyer.InvokeAsync("SendMessage", room, id, "Price valid until Friday?");
        var overHttp = await (await trade.Buyer.Client.PostAsJsonAsync($"/api/negotiations/{room}/messages", new { clientMessageId = id, text = "Price valid until Friday?" }, Ct)).ReadJsonAsync();

        retry.GetProperty("sequence").GetInt64().Should().Be(first.GetProperty("sequence").GetInt64());
        overHttp.GetProperty("sequence").GetInt64().Should().Be(first.GetProperty("sequence").GetInt64());
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64().Should().Be(first.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task Joining_again_returns_only_what_was_missed()
    {
        var trade = await Trade.CreateAsync(App);
        var room = await trade.OpenRoomAsync();
        var (seller, joined) = await trade.JoinAsync(trade.Seller.Owner, room);
        var seen = joined.EnumerateArray().Max(e => e.GetProperty("sequence").GetInt64());
        await seller.DisposeAsync();

        var (buyer, _) = await trade.JoinAsync(trade.Buyer, room);
        await using var buyerConnection = buyer;
        await buyer.InvokeAsync("SendMessage", room, NewId(), "one");
        await buyer.InvokeAsync("SendMessage", room, NewId(), "two");

        var (back, missed) = await trade.JoinAsync(trade.Seller.Owner, room, seen);
        await using var backConnection = back;
        missed.EnumerateArray().Select(e => e.GetProperty("payload").GetProperty("text").GetString()).Should().Equal("one", "two");
        missed.EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()).Should().Equal(seen + 1, seen + 2);
        var overHttp = await (await trade.Seller.Owner.Client.GetAsync($"/api/negotiations/{room}/events?after={seen}&limit=1", Ct)).ReadJsonAsync();
        overHttp.GetProperty("items").EnumerateArray().Single().GetProperty("sequence").GetInt64().Should().Be(seen + 1);
        overHttp.GetProperty("nextCursor").GetString().Should().Be((seen + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var fullPage = await (await trade.Seller.Owner.Client.GetAsync($"/api/negotiations/{room}/events?limit=500", Ct)).ReadJsonAsync();
        fullPage.GetProperty("nextCursor").ValueKind.Should().Be(JsonValueKind.Null, "every event fits in one page of 500");
        await (await trade.Seller.Owner.Client.GetAsync($"/api/negotiations/{room}/events?limit=501", Ct)).ShouldBeProblemAsync(System.Net.HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_long_log_reads_page_by_page_without_losing_an_event()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var room = await trade.OpenRoomAsync();
        for (var i = 0; i < NegotiationService.MaxEventsPerRead; i++)
        {
            (await trade.Buyer.Client.PostAsJsonAsync($"/api/negotiations/{room}/messages", new { clientMessageId = $"long-{i}", text = $"line {i}" }, Ct))
                .EnsureSuccessStatusCode();
        }

        var sequences = new List<long>();
        string? cursor = "0";
        while (cursor is not null)
        {
            var page = await (await trade.Seller.Owner.Client.GetAsync($"/api/negotiations/{room}/events?after={cursor}&limit={NegotiationService.MaxEventsPerRead}", Ct)).ReadJsonAsync();
            sequences.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
            cursor = page.GetProperty("nextCursor").GetString();
        }

        sequences.Should().Equal(Enumerable.Range(1, NegotiationService.MaxEventsPerRead + 2).Select(i => (long)i));
    }

    [Fact]
    public async Task An_offer_countered_and_accepted_becomes_a_deal_with_the_stock_reserved()
    {
        var trade = await Trade.CreateAsync(App, stock: 1_000m);
        await using var negotiation = await trade.NegotiateAsync();
        var (room, seller, buyer, _) = negotiation;

        var offer = await buyer.InvokeAsync("MakeOffer", room, NewId(), new TermsBuilder(price: 236m, tonnes: 600m).Build());
        var offerId = offer.GetProperty("payload").GetProperty("offer").GetProperty("id").GetGuid();
        var counter = await seller.InvokeAsync("MakeOffer", room, NewId(),
            new TermsBuilder(price: 241.5m, tonnes: 600m).FromWarehouse(trade.WarehouseId).Countering(offerId).With("paymentTerms", "tt_against_documents").Build());
        var counterId = counter.GetProperty("payload").GetProperty("offer").GetProperty("id").GetGuid();
        var accepted = await buyer.InvokeAsync("AcceptOffer", room, counterId, Confirm(144_900m));

        offer.GetProperty("type").GetString().Should().Be("offer");
        counter.GetProperty("type").GetString().Should().Be("counter");
        var changes = counter.GetProperty("payload").GetProperty("changes").EnumerateArray()
            .ToDictionary(c => c.GetProperty("field").GetString()!, c => (c.GetProperty("from").GetString(), c.GetProperty("to").GetString()));
        changes.Should().ContainKey("price").WhoseValue.Should().Be(("236 USD/t", "241.5 USD/t"));
        changes.Should().ContainKey("paymentTerms").WhoseValue.Should().Be(("lc_sight", "tt_against_documents"));
        changes.Should().ContainKey("sourceWarehouseId").And.NotContainKey("quantity");
        accepted.GetProperty("type").GetString().Should().Be("offer_accepted");

        var dealEvent = await NextOfTypeAsync(seller, "deal_created");
        var dealId = dealEvent.GetProperty("payload").GetProperty("dealId").GetGuid();
        dealEvent.GetProperty("payload").GetProperty("totalAmount").GetProperty("amount").GetDecimal().Should().Be(144_900m);
        (await trade.ReservedAsync()).Should().Be(600m);
        foreach (var side in new[] { trade.Buyer, trade.Seller.Owner })
        {
            var deals = await (await side.Client.GetAsync("/api/deals", Ct)).ReadJsonAsync();
            var deal = deals.GetProperty("items").EnumerateArray().Single(d => d.GetProperty("id").GetGuid() == dealId);
            deal.GetProperty("status").GetString().Should().Be("agreed");
            deal.GetProperty("terms").GetProperty("price").GetProperty("amount").GetDecimal().Should().Be(241.5m);
            deal.GetProperty("reservationId").GetGuid().Should().NotBeEmpty();
        }
        var roomNow = await Trade.RoomAsync(trade.Buyer, room);
        roomNow.GetProperty("status").GetString().Should().Be("agreed");
        roomNow.GetProperty("dealId").GetGuid().Should().Be(dealId);

        (await buyer.InvokeExpectingErrorAsync("AcceptOffer", room, counterId, null)).Should().StartWith("conflict:");
        (await seller.InvokeExpectingErrorAsync("MakeOffer", room, NewId(), new TermsBuilder().Build())).Should().StartWith("conflict:");
        (await trade.ReservedAsync()).Should().Be(600m);
    }

    [Fact]
    public async Task Only_the_other_side_may_accept_and_only_an_open_offer()
    {
        var trade = await Trade.CreateAsync(App);
        await using var negotiation = await trade.NegotiateAsync();
        var (room, seller, buyer, _) = negotiation;

        var first = OfferIdOf(await buyer.InvokeAsync("MakeOffer", room, NewId(), new TermsBuilder().Build()));
        (await buyer.InvokeExpectingErrorAsync("AcceptOffer", room, first, null)).Should().StartWith("forbidden:");
        (await buyer.InvokeExpectingErrorAsync("MakeOffer", room, NewId(), new TermsBuilder().Build())).Should().StartWith("conflict:");
        var counter = OfferIdOf(await seller.InvokeAsync("MakeOffer", room, NewId(), new TermsBuilder(price: 250m).Countering(first).Build()));
        (await seller.InvokeExpectingErrorAsync("AcceptOffer", room, first, null)).Should().StartWith("conflict:").And.Contain("countered");
        var overHttp = await trade.Seller.Owner.Client.PostAsync($"/api/negotiations/{room}/offers/{first}/accept", null, Ct);
        (await overHttp.ShouldBeProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString().Should().Be("conflict");
        var ownOverHttp = await trade.Seller.Owner.Client.PostAsync($"/api/negotiations/{room}/offers/{counter}/accept", null, Ct);
        (await ownOverHttp.ShouldBeProblemAsync(HttpStatusCode.Forbidden)).GetProperty("code").GetString().Should().Be("forbidden");

        (await buyer.InvokeExpectingErrorAsync("WithdrawOffer", room, counter)).Should().StartWith("forbidden:");
        await seller.InvokeAsync("WithdrawOffer", room, counter);
        (await buyer.InvokeExpectingErrorAsync("AcceptOffer", room, counter, null)).Should().StartWith("conflict:");
        (await buyer.InvokeExpectingErrorAsync("AcceptOffer", room, first, null)).Should().StartWith("forbidden:");

        var declined = OfferIdOf(await buyer.InvokeAsync("MakeOffer", room, NewId(), new TermsBuilder(price: 238m).Build()));
        (await seller.InvokeAsync("DeclineOffer", room, declined, "Below our floor")).GetProperty("payload").GetProperty("reason").GetString().Should().Be("Below our floor");
        (await seller.InvokeExpectingErrorAsync("AcceptOffer", room, declined, null)).Should().StartWith("conflict:");
        (await App.WithScopeAsync(s => s.GetRequiredService<MarketDbContext>().Deals.CountAsync(d => d.RoomId == room, Ct))).Should().Be(0);
    }

    [Fact]
    public async Task Offers_expire_by_the_worker_and_cannot_be_accepted_after()
    {
        var trade = await Trade.CreateAsync(App);
        await using var negotiation = await trade.NegotiateAsync();
        var (room, seller, buyer, _) = negotiation;
        var offer = OfferIdOf(await seller.InvokeAsync("MakeOffer", room, NewId(), new TermsBuilder().Build()));

        await App.WithDbAsync(db => db.Offers.Where(o => o.Id == offer).ExecuteUpdateAsync(s => s.SetProperty(o => o.ValidUntil, DateTimeOffset.UtcNow.AddMinutes(-1)), Ct));
        (await buyer.InvokeExpectingErrorAsync("AcceptOffer", room, offer, null)).Should().StartWith("conflict:").And.Contain("expired");
        (await App.Services.GetRequiredService<OfferExpiryWorker>().RunOnceAsync(Ct)).Should().BeGreaterThanOrEqualTo(1);

        var expired = await NextOfTypeAsync(buyer, "offer_expired");
        expired.GetProperty("payload").GetProperty("offerId").GetGuid().Should().Be(offer);
        expired.GetProperty("actor").ValueKind.Should().Be(JsonValueKind.Null);
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("openOffer").ValueKind.Should().Be(JsonValueKind.Null);
    }

    public static TheoryData<string, string, string> BadTerms => new()
    {
        { "quantity.value", "-5", "quantity.value" },
        { "quantity.value", "9000000", "quantity.value" },
        { "quantity.value", "10", "quantity.value" }, // below the listing's minimum order
        { "incoterm", "\"FOT\"", "incoterm" },
        { "incoterm", "\"FOB\"", "incoterm" }, // sea-only rule for a rail delivery
        { "specs.protein", "31", "specs.protein" },
        { "specs.colour", "\"red\"", "specs.colour" },
        { "price.currency", "\"XYZ\"", "price.currency" },
        { "price.amount", "0", "price.amount" },
        { "tolerancePercent", "40", "tolerancePercent" },
        { "deliveryWindow.from", "\"2020-01-01\"", "deliveryWindow.from" },
        { "validUntil", "\"2020-01-01T00:00:00Z\"", "validUntil" },
        { "paymentTerms", "\"barter\"", "paymentTerms" },
        { "discount", "5", "terms.discount" },
        { "sourceWarehouseId", "\"6b1f7e7c-8d55-4b7e-a0ae-3b0f3f1f9a11\"", "sourceWarehouseId" },
    };

    [Theory]
    [MemberData(nameof(BadTerms))]
    public async Task Bad_terms_are_refused_and_change_nothing(string field, string json, string expectedField)
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var room = await trade.OpenRoomAsync();
        var (buyer, _) = await trade.JoinAsync(trade.Buyer, room);
        await using var buyerConnection = buyer;
        var before = (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64();

        var error = await buyer.InvokeExpectingErrorAsync("MakeOffer", room, NewId(), new TermsBuilder().With(field, JsonNode.Parse(json)).Build());
        var overHttp = await trade.Buyer.Client.PostAsJsonAsync($"/api/negotiations/{room}/offers",
            new { clientMessageId = NewId(), terms = new TermsBuilder().With(field, JsonNode.Parse(json)).Build() }, Ct);

        error.Should().StartWith("invalid:").And.Contain(expectedField);
        (await overHttp.ShouldBeValidationProblemAsync()).Should().ContainKey(expectedField);
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64().Should().Be(before);
        (await App.WithScopeAsync(s => s.GetRequiredService<MarketDbContext>().Offers.CountAsync(o => o.RoomId == room, Ct))).Should().Be(0);
    }

    [Fact]
    public async Task Bad_messages_are_refused()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var room = await trade.OpenRoomAsync();
        var (buyer, _) = await trade.JoinAsync(trade.Buyer, room);
        await using var buyerConnection = buyer;

        (await buyer.InvokeExpectingErrorAsync("SendMessage", room, NewId(), new string('x', NegotiationService.MaxMessageLength + 1))).Should().StartWith("invalid:").And.Contain("text");
        (await buyer.InvokeExpectingErrorAsync("SendMessage", room, NewId(), "   ")).Should().StartWith("invalid:");
        (await buyer.InvokeExpectingErrorAsync("SendMessage", room, "not a valid id!", "hello")).Should().StartWith("invalid:").And.Contain("clientMessageId");
        (await buyer.InvokeExpectingErrorAsync("JoinRoom", room, -1)).Should().StartWith("invalid:");
        (await buyer.InvokeExpectingErrorAsync("JoinRoom", Guid.NewGuid(), 0)).Should().StartWith("not_found:");
        (await buyer.InvokeExpectingErrorAsync("MarkRead", room, 10_000)).Should().StartWith("invalid:");
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64().Should().Be(2);
    }

    [Fact]
    public async Task Another_organization_can_neither_read_nor_act_in_a_room()
    {
        var trade = await Trade.CreateAsync(App);
        var room = await trade.OpenRoomAsync();
        var (seller, _) = await trade.JoinAsync(trade.Seller.Owner, room);
        await using var sellerConnection = seller;
        var offer = OfferIdOf(await seller.InvokeAsync("MakeOffer", room, NewId(), new TermsBuilder().Build()));
        var other = await Trade.CreateAsync(App, stock: 0);
        var outsider = await other.ConnectAsync(other.Buyer);
        await using var outsiderConnection = outsider;

        (await outsider.InvokeExpectingErrorAsync("JoinRoom", room, 0)).Should().StartWith("not_found:");
        // Authorization is checked on every call, not only on join.
        (await outsider.InvokeExpectingErrorAsync("SendMessage", room, NewId(), "hello")).Should().StartWith("not_found:");
        (await outsider.InvokeExpectingErrorAsync("AcceptOffer", room, offer, null)).Should().StartWith("not_found:");
        (await outsider.InvokeExpectingErrorAsync("MakeOffer", room, NewId(), new TermsBuilder().Build())).Should().StartWith("not_found:");
        (await outsider.InvokeExpectingErrorAsync("Typing", room)).Should().StartWith("not_found:");
        await (await other.Buyer.Client.GetAsync($"/api/negotiations/{room}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await other.Buyer.Client.GetAsync($"/api/negotiations/{room}/events", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await other.Buyer.Client.PostAsync($"/api/negotiations/{room}/offers/{offer}/accept", null, Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var listed = await (await other.Buyer.Client.GetAsync("/api/negotiations", Ct)).ReadJsonAsync();
        listed.GetProperty("items").EnumerateArray().Should().NotContain(r => r.GetProperty("id").GetGuid() == room);
        var dealsOfOthers = await (await other.Buyer.Client.GetAsync("/api/deals", Ct)).ReadJsonAsync();
        dealsOfOthers.GetProperty("items").GetArrayLength().Should().Be(0);
        (await outsider.ReceivesWithinAsync("RoomEvent", TimeSpan.FromMilliseconds(300))).Should().BeFalse();
        (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("openOffer").GetProperty("status").GetString().Should().Be("open");
    }

    [Fact]
    public async Task A_viewer_reads_the_room_but_cannot_act()
    {
        var trade = await Trade.CreateAsync(App);
        var room = await trade.OpenRoomAsync();
        var viewer = await App.SignUpAsync(TestUsers.NewEmail("viewer"));
        (await trade.Buyer.Client.PostAsJsonAsync($"/api/organizations/{trade.BuyerOrganizationId}/members", new { email = viewer.Email, role = "viewer" }, Ct))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        var (hub, events) = await trade.JoinAsync(viewer, room);
        await using var hubConnection = hub;

        events.GetArrayLength().Should().BeGreaterThan(0);
        (await hub.InvokeExpectingErrorAsync("SendMessage", room, NewId(), "hi")).Should().StartWith("forbidden:");
        (await hub.InvokeExpectingErrorAsync("MakeOffer", room, NewId(), new TermsBuilder().Build())).Should().StartWith("forbidden:");
        var asViewer = await Trade.RoomAsync(viewer, room);
        asViewer.GetProperty("canAct").GetBoolean().Should().BeFalse();
        asViewer.GetProperty("mySide").GetString().Should().Be("buyer");
    }

    [Fact]
    public async Task Accepting_with_too_little_stock_fails_and_changes_nothing()
    {
        var trade = await Trade.CreateAsync(App, stock: 300m);
        await using var negotiation = await trade.NegotiateAsync();
        var (room, seller, buyer, _) = negotiation;
        var offer = OfferIdOf(await seller.InvokeAsync("MakeOffer", room, NewId(), new TermsBuilder(tonnes: 500m).FromWarehouse(trade.WarehouseId).Build()));
        var before = (await Trade.RoomAsync(trade.Buyer, room)).GetProperty("lastSequence").GetInt64();

        (await buyer.InvokeExpectingErrorAsync("AcceptOffer", room, offer, Confirm(120_000m))).Should().StartWith("conflict:").And.Contain("stock");

        var after = await Trade.RoomAsync(trade.Buyer, room);
        after.GetProperty("lastSequence").GetInt64().Should().Be(before);
        after.GetProperty("status").GetString().Should().Be("open");
        after.GetProperty("openOffer").GetProperty("id").GetGuid().Should().Be(offer);
        (await trade.ReservedAsync()).Should().Be(0m);
    }

    [Fact]
    public async Task Two_rooms_racing_for_the_last_tonnes_make_exactly_one_deal()
    {
        var first = await Trade.CreateAsync(App, stock: 600m);
        var second = await first.AnotherBuyerAsync();
        var offers = new List<(Trade Trade, Guid Room, Guid Offer)>();
        foreach (var trade in new[] { first, second })
        {
            var room = await trade.OpenRoomAsync();
            var (seller, _) = await trade.JoinAsync(trade.Seller.Owner, room);
            await using var sellerConnection = seller;
            offers.Add((trade, room, OfferIdOf(await seller.InvokeAsync("MakeOffer", room, NewId(), new TermsBuilder(tonnes: 500m).FromWarehouse(trade.WarehouseId).Build()))));
        }

        var results = await Task.WhenAll(offers.Select(async o =>
        {
            var (buyer, _) = await o.Trade.JoinAsync(o.Trade.Buyer, o.Room);
            await using var buyerConnection = buyer;
            try
            {
                await buyer.InvokeAsync("AcceptOffer", o.Room, o.Offer, Confirm(120_000m));
                return "won";
            }
            catch (HubException ex)
            {
                return HubClient.CodeAndDetail(ex.Message);
            }
        }));

        results.Count(r => r == "won").Should().Be(1, string.Join(" | ", results));
        results.Single(r => r != "won").Should().StartWith("conflict:");
        (await first.ReservedAsync()).Should().Be(500m);
        (await App.WithScopeAsync(s => s.GetRequiredService<MarketDbContext>().Deals.CountAsync(d => d.ListingId == first.ListingId, Ct))).Should().Be(1);
    }

    [Fact]
    public async Task A_moderator_hides_a_message_which_stays_in_the_log_flagged()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var room = await trade.OpenRoomAsync();
        var (buyer, _) = await trade.JoinAsync(trade.Buyer, room);
        await using var buyerConnection = buyer;
        var rude = (await buyer.InvokeAsync("SendMessage", room, NewId(), "call me on +7 700 000 00 00, skip the platform")).GetProperty("sequence").GetInt64();
        var moderator = await App.SignUpWithRoleAsync("Moderator");
        var (mod, _) = await trade.JoinAsync(moderator, room);
        await using var modConnection = mod;

        (await buyer.InvokeExpectingErrorAsync("HideMessage", room, rude)).Should().StartWith("forbidden:");
        var note = await mod.InvokeAsync("HideMessage", room, rude);
        (await mod.InvokeExpectingErrorAsync("SendMessage", room, NewId(), "moderators read")).Should().StartWith("forbidden:");

        note.GetProperty("type").GetString().Should().Be("system");
        var asBuyer = (await buyer.InvokeAsync("JoinRoom", room, rude - 1))[0];
        asBuyer.GetProperty("hidden").GetBoolean().Should().BeTrue();
        asBuyer.GetProperty("payload").TryGetProperty("text", out _).Should().BeFalse();
        var asModerator = (await mod.InvokeAsync("JoinRoom", room, rude - 1))[0];
        asModerator.GetProperty("hidden").GetBoolean().Should().BeTrue();
        asModerator.GetProperty("payload").GetProperty("text").GetString().Should().Contain("skip the platform");
    }

    [Fact]
    public async Task Typing_and_read_receipts_reach_the_room_without_entering_the_log()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        await using var negotiation = await trade.NegotiateAsync();
        var (room, seller, buyer, _) = negotiation;
        var message = (await buyer.InvokeAsync("SendMessage", room, NewId(), "Hello")).GetProperty("sequence").GetInt64();
        (await Trade.RoomAsync(trade.Seller.Owner, room)).GetProperty("unread").GetInt32().Should().BeGreaterThan(0);

        await buyer.InvokeAsync("Typing", room);
        await seller.InvokeAsync("MarkRead", room, message);

        (await seller.NextAsync("Typing")).GetProperty("userId").GetGuid().Should().Be(trade.Buyer.Id);
        var read = await buyer.NextAsync("Read");
        read.GetProperty("userId").GetGuid().Should().Be(trade.Seller.Owner.Id);
        read.GetProperty("sequence").GetInt64().Should().Be(message);
        var asSeller = await Trade.RoomAsync(trade.Seller.Owner, room);
        asSeller.GetProperty("lastSequence").GetInt64().Should().Be(message);
        asSeller.GetProperty("unread").GetInt32().Should().Be(0);
        asSeller.GetProperty("lastReadSequence").GetInt64().Should().Be(message);
    }

    [Fact]
    public async Task My_negotiations_list_each_side_its_rooms()
    {
        var trade = await Trade.CreateAsync(App, stock: 0);
        var room = await trade.OpenRoomAsync();

        var asBuyer = await (await trade.Buyer.Client.GetAsync("/api/negotiations?role=buyer", Ct)).ReadJsonAsync();
        var asSellerWrongRole = await (await trade.Seller.Owner.Client.GetAsync("/api/negotiations?role=buyer", Ct)).ReadJsonAsync();
        var asSeller = await (await trade.Seller.Owner.Client.GetAsync("/api/negotiations?role=seller", Ct)).ReadJsonAsync();
        var badRole = await trade.Buyer.Client.GetAsync("/api/negotiations?role=broker", Ct);

        asBuyer.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).Should().Equal(room);
        asSellerWrongRole.GetProperty("items").GetArrayLength().Should().Be(0);
        var row = asSeller.GetProperty("items").EnumerateArray().Single();
        row.GetProperty("unread").GetInt32().Should().Be(2); // the room opening and the buyer joining
        row.GetProperty("buyer").GetProperty("id").GetGuid().Should().Be(trade.BuyerOrganizationId);
        (await badRole.ShouldBeValidationProblemAsync()).Should().ContainKey("role");
    }

    /// <summary>The binding confirmation of an acceptance: the total the client showed.</summary>
    internal static object Confirm(decimal usd) => new { total = new { amount = usd, currency = "USD" } };

    static Guid OfferIdOf(JsonElement offerEvent) => offerEvent.GetProperty("payload").GetProperty("offer").GetProperty("id").GetGuid();

    static async Task<JsonElement> NextOfTypeAsync(HubClient hub, string type)
    {
        while (true)
        {
            var e = await hub.NextAsync("RoomEvent");
            if (e.GetProperty("type").GetString() == type)
            {
                return e;
            }
        }
    }
}

public sealed class NegotiationTests_Sqlite(SqliteApp fixture) : NegotiationTests<SqliteApp>(fixture), IClassFixture<SqliteApp>;

public sealed class NegotiationTests_Postgres(PostgresApp fixture) : NegotiationTests<PostgresApp>(fixture), IClassFixture<PostgresApp>;
