using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Inventory;

namespace Scoda.Market.IntegrationTests.Inventory;

/// <summary>50 buyers reserve from one 100 t lot at the same moment; the database, not luck, decides who gets stock.</summary>
public abstract class ConcurrencyTests(DatabaseKind kind) : IAsyncLifetime
{
    const int Buyers = 50;
    const decimal LotTonnes = 100m;
    const decimal EachWants = 3m;

    MarketApp _app = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _app = await MarketApp.CreateAsync(kind);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Concurrent_reservations_never_oversell()
    {
        var seller = await Seller.CreateAsync(_app);
        var warehouse = await seller.AddWarehouseAsync();
        var listing = await new ListingBuilder(seller.OrganizationId).PublishAsync(seller.Owner);
        await seller.ReceiveAsync(warehouse, listing, "KST-2026-777", LotTonnes);
        var buyers = await Task.WhenAll(Enumerable.Range(0, Buyers).Select(async _ =>
        {
            var user = await _app.SignUpAsync();
            var organization = await new OrganizationBuilder().In("CN").OfKind("importer").CreateAsync(user);
            await _app.VerifyOrganizationAsync(organization);
            return (User: user, Organization: organization);
        }));

        // An async gate, not a Barrier: 50 blocked pool threads would make the thread pool, not the server, the bottleneck.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = buyers.Select(b => Task.Run(async () =>
        {
            await start.Task;
            var response = await b.User.ReserveAsync(listing, new
            {
                organizationId = b.Organization, warehouseId = warehouse, quantity = new { value = EachWants, unit = "t" }, expiresAt = DateTimeOffset.UtcNow.AddHours(2),
            }, Guid.NewGuid().ToString("N"));
            return response.StatusCode;
        }, Ct)).ToList();
        var clock = Stopwatch.StartNew();
        start.SetResult();
        var statuses = await Task.WhenAll(requests);
        clock.Stop();

        var won = statuses.Count(s => s == HttpStatusCode.Created);
        var conflicts = statuses.Count(s => s == HttpStatusCode.Conflict);
        decimal onHand = 0, reserved = 0, ledgerOnHand = 0, ledgerReserved = 0, activeReservations = 0;
        await _app.WithDbAsync(async db =>
        {
            var lot = await db.StockLots.AsNoTracking().SingleAsync(l => l.ListingId == listing, Ct);
            (onHand, reserved) = (lot.OnHand, lot.Reserved);
            var movements = await db.StockMovements.AsNoTracking().Where(m => m.LotId == lot.Id).ToListAsync(Ct);
            ledgerOnHand = movements.Sum(m => m.OnHandDelta);
            ledgerReserved = movements.Sum(m => m.ReservedDelta);
            activeReservations = (await db.Reservations.AsNoTracking().Where(r => r.LotId == lot.Id && r.Status == ReservationStatus.Active).ToListAsync(Ct)).Sum(r => r.Quantity);
        });
        TestContext.Current.SendDiagnosticMessage(
            $"[{kind}] {Buyers} concurrent reservations of {EachWants} t from a {LotTonnes} t lot in {clock.ElapsedMilliseconds} ms: " +
            $"{won} created, {conflicts} conflicts, other {Buyers - won - conflicts}; lot on hand {onHand} t, reserved {reserved} t; " +
            $"ledger on hand {ledgerOnHand} t, ledger reserved {ledgerReserved} t, active reservations {activeReservations} t");

        won.Should().Be((int)(LotTonnes / EachWants));
        conflicts.Should().Be(Buyers - won);
        reserved.Should().Be(won * EachWants).And.BeLessThanOrEqualTo(onHand);
        onHand.Should().Be(LotTonnes);
        ledgerOnHand.Should().Be(onHand);
        ledgerReserved.Should().Be(reserved);
        activeReservations.Should().Be(reserved);
    }
}

public sealed class ConcurrencyTests_Sqlite() : ConcurrencyTests(DatabaseKind.Sqlite);

public sealed class ConcurrencyTests_Postgres() : ConcurrencyTests(DatabaseKind.Postgres);
