using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.LiveSessions;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Payments;
using Scoda.Market.Web.Infrastructure.Commands;

namespace Scoda.Market.IntegrationTests.Demo;

public abstract class SeedDemoTests(DatabaseKind kind) : IAsyncLifetime
{
    MarketApp _app = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _app = await MarketApp.CreateAsync(kind);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    Task<int> SeedAsync() =>
        _app.Services.GetServices<IHostCommand>().Single(c => c.Name == "seed-demo").RunAsync([], _app.Services, Ct);

    [Fact]
    public async Task Seed_demo_loads_a_living_marketplace_once()
    {
        (await SeedAsync()).Should().Be(0);
        (await SeedAsync()).Should().Be(0);

        await _app.WithDbAsync(async db =>
        {
            var listings = await db.Listings.AsNoTracking().Include(l => l.Category).ToListAsync(Ct);
            listings.Should().HaveCountGreaterThanOrEqualTo(200);
            listings.Select(l => l.Category!.Path.Split('/')[1]).Distinct().Should().BeEquivalentTo("agriculture", "minerals", "timber");
            listings.Select(l => l.OriginCountry).Distinct().Count().Should().BeGreaterThanOrEqualTo(6);
            listings.Count(l => l.Title.ContainsKey("zh")).Should().BeGreaterThan(20);
            listings.Count(l => l.Title.ContainsKey("ru") && !l.Title.ContainsKey("en")).Should().BeGreaterThan(10);
            listings.Count(l => l.Status == ListingStatus.Published).Should().BeGreaterThan(150);
            listings.Should().OnlyContain(l => l.NormalizedPriceUsd > 0);

            var cities = await db.Warehouses.AsNoTracking().Select(w => w.City).Distinct().ToListAsync(Ct);
            cities.Should().Contain(["Almaty", "Tashkent", "Novosibirsk", "Khorgos", "Qingdao"]);
            var lots = await db.StockLots.AsNoTracking().ToListAsync(Ct);
            lots.Should().HaveCountGreaterThan(100);
            var movements = await db.StockMovements.AsNoTracking().ToListAsync(Ct);
            movements.Sum(m => m.OnHandDelta).Should().Be(lots.Sum(l => l.OnHand));
            (await db.Organizations.CountAsync(o => o.CountryCode == "CN", Ct)).Should().BeGreaterThanOrEqualTo(3);
            movements.Should().OnlyContain(m => m.Kind == MovementKind.Receipt || m.Kind == MovementKind.Reserve);

            // Two negotiations, played through the service: one agreed into a deal that holds Khorgos stock, one still open;
            // and a third that a buyer opened from the past live session.
            var rooms = await db.NegotiationRooms.AsNoTracking().ToListAsync(Ct);
            rooms.Should().HaveCount(3);
            rooms.Select(r => r.Status).Should().BeEquivalentTo([RoomStatus.Agreed, RoomStatus.Open, RoomStatus.Open]);
            var deal = await db.Deals.AsNoTracking().SingleAsync(Ct);
            deal.ReservationId.Should().NotBeNull();
            deal.TotalAmount.Should().Be(706_500m);
            (await db.Offers.CountAsync(o => o.Status == OfferStatus.Open, Ct)).Should().Be(1);

            // The deal carried on through the real services: the buyer's offline deposit confirmed by the demo admin,
            // every document of the checklist uploaded by the seller as a PDF, the contract generated, the ledger balanced.
            deal.Status.Should().Be(DealStatus.DepositPaid);
            deal.ContractSha256.Should().MatchRegex("^[0-9a-f]{64}$");
            var documents = await db.DealDocuments.AsNoTracking().Where(d => d.DealId == deal.Id).ToListAsync(Ct);
            documents.Select(d => d.Kind).Should().Contain(["commercial_invoice", "packing_list", "certificate_of_origin", "quality_certificate",
                "phytosanitary_certificate"]).And.OnlyHaveUniqueItems();
            documents.Should().OnlyContain(d => d.ContentType == "application/pdf" && d.Status == DealDocumentStatus.Uploaded && d.Size > 300);
            var payments = await db.Payments.AsNoTracking().Where(p => p.DealId == deal.Id).ToListAsync(Ct);
            var deposit = payments.Should().ContainSingle().Which;
            (deposit.Kind, deposit.Provider, deposit.Status, deposit.ReceivedAmount).Should().Be((PaymentKind.Deposit, PaymentProvider.Offline, PaymentStatus.Succeeded, 70_650m));
            var admin = await db.Users.AsNoTracking().SingleAsync(u => u.Email == "admin@scoda.demo", Ct);
            deposit.ConfirmedBy.Should().Be(admin.Id);
            var events = await db.DealEvents.AsNoTracking().Where(e => e.DealId == deal.Id).OrderBy(e => e.Sequence).ToListAsync(Ct);
            events.Where(e => e.Kind == DealEventKinds.Transition).Select(e => (e.ToStatus, e.ActorSide))
                .Should().Equal((DealStatus.DepositPending, DealActorSide.Buyer), (DealStatus.DepositPaid, DealActorSide.Admin));
            events.Count(e => e.Kind == DealEventKinds.DocumentUploaded).Should().Be(documents.Count);
            events.Should().ContainSingle(e => e.Kind == DealEventKinds.ContractGenerated);
            var ledger = await _app.WithScopeAsync(async s =>
            {
                var facts = await s.GetRequiredService<DealService>().FactsAsync(deal.Id, Ct);
                return (await s.GetRequiredService<PaymentService>().OfDealAsync(facts!, Ct)).Ledger;
            });
            (ledger.Captured, ledger.Held, ledger.Balanced).Should().Be((70_650m, 70_650m, true));
            var checklist = await _app.WithScopeAsync(s => s.GetRequiredService<DealActions>().ChecklistAsync(deal.Id, deposit.CreatedBy!.Value, Ct));
            checklist!.Where(i => i.Required).Should().OnlyContain(i => i.Status == "uploaded");
            (await db.RoomEvents.CountAsync(e => e.Type == RoomEventTypes.Counter, Ct)).Should().Be(2);

            // The demo ambassador's upcoming, live and past sessions, the past one with its report data.
            var sessions = await db.LiveSessions.AsNoTracking().OrderBy(s => s.StartsAt).ToListAsync(Ct);
            sessions.Select(s => s.Status).Should().Equal(LiveSessionStatus.Ended, LiveSessionStatus.Live, LiveSessionStatus.Scheduled);
            var past = sessions[0].Id;
            (await db.LiveViewerMinutes.CountAsync(m => m.SessionId == past, Ct)).Should().Be(60);
            (await db.LiveVisits.CountAsync(v => v.SessionId == past, Ct)).Should().BeGreaterThan(50);
            (await db.LiveQuestions.CountAsync(q => q.SessionId == past && q.AnsweredAt != null, Ct)).Should().Be(2);
            (await db.LiveInterests.CountAsync(i => i.SessionId == past, Ct)).Should().BeGreaterThan(0);
            (await db.LiveSessionRooms.CountAsync(r => r.SessionId == past, Ct)).Should().Be(1);
            (await db.LiveRegistrations.CountAsync(r => r.SessionId == sessions[2].Id, Ct)).Should().BeGreaterThan(0);
        });
    }
}

public sealed class SeedDemoTests_Sqlite() : SeedDemoTests(DatabaseKind.Sqlite);

public sealed class SeedDemoTests_Postgres() : SeedDemoTests(DatabaseKind.Postgres);
