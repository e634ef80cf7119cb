using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Deals;

namespace Scoda.Market.IntegrationTests.Deals;

/// <summary>
/// The contract other features build on (TEAM.md): <see cref="DealService.FactsAsync"/>, <see cref="DealService.AdvanceBySystemAsync"/>
/// inside the caller's transaction, listeners called before commit, the event published only after it.
/// </summary>
public abstract class DealContractTests(DatabaseKind kind) : IAsyncLifetime
{
    MarketApp _app = null!;
    readonly RecordingListener.Calls _calls = new();
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _app = await MarketApp.CreateAsync(kind, new Dictionary<string, string?> { ["Deals:DepositShare"] = "0.15" });
        _app.ServiceOverrides.Add(services =>
        {
            services.AddSingleton(_calls);
            services.AddScoped<IDealTransitionListener, RecordingListener>();
        });
        _ = _app.Server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Facts_name_the_parties_total_and_deposit()
    {
        var agreed = await AgreedTrade.CreateAsync(_app);

        var facts = await _app.WithScopeAsync(s => s.GetRequiredService<DealService>().FactsAsync(agreed.DealId, Ct));

        facts.Should().NotBeNull();
        facts!.Status.Should().Be(DealStatus.Agreed);
        facts.BuyerOrganizationId.Should().Be(agreed.Trade.BuyerOrganizationId);
        facts.SellerOrganizationId.Should().Be(agreed.Trade.Seller.OrganizationId);
        facts.ListingId.Should().Be(agreed.Trade.ListingId);
        facts.Total.Should().Be(new Web.Infrastructure.Domain.Money(120_000m, "USD"));
        facts.Deposit.Should().Be(new Web.Infrastructure.Domain.Money(18_000m, "USD"));
        facts.PaymentTerms.Should().Equal("lc_sight");
        facts.Incoterm.Should().Be("DAP");
        (await _app.WithScopeAsync(s => s.GetRequiredService<DealService>().FactsAsync(Guid.NewGuid(), Ct))).Should().BeNull();
    }

    [Fact]
    public async Task The_system_advances_a_deal_in_the_callers_transaction_and_the_event_follows_the_commit()
    {
        var agreed = await AgreedTrade.CreateAsync(_app);
        await using var hub = await _app.ConnectHubAsync("/hubs/deals", agreed.Buyer);
        var missed = await hub.InvokeAsync("JoinDeal", agreed.DealId, 0);
        missed.EnumerateArray().Select(e => e.GetProperty("kind").GetString()).Should().Equal("created");

        // Rolled back: nothing stored, nothing pushed, though the listener saw it inside the transaction.
        await _app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<MarketDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await s.GetRequiredService<DealService>().AdvanceBySystemAsync(agreed.DealId, DealStatus.DepositPending, null, "checkout opened", Ct);
            await transaction.RollbackAsync(Ct);
            return true;
        });
        (await hub.ReceivesWithinAsync("DealEvent", TimeSpan.FromMilliseconds(500))).Should().BeFalse();
        (await agreed.DealAsync()).GetProperty("status").GetString().Should().Be("agreed");

        await AdvanceAsync(agreed.DealId, DealStatus.DepositPending, "checkout opened");
        await AdvanceAsync(agreed.DealId, DealStatus.DepositPending, "the same again is a no-op");
        await AdvanceAsync(agreed.DealId, DealStatus.DepositPaid, "bank transfer received");

        var pushed = await hub.NextAsync("DealEvent");
        pushed.GetProperty("sequence").GetInt64().Should().Be(2);
        pushed.GetProperty("from").GetString().Should().Be("agreed");
        pushed.GetProperty("to").GetString().Should().Be("depositPending");
        pushed.GetProperty("reason").GetString().Should().Be("checkout opened");
        (await hub.NextAsync("DealEvent")).GetProperty("to").GetString().Should().Be("depositPaid");
        (await agreed.DealAsync()).GetProperty("status").GetString().Should().Be("depositPaid");
        _calls.Seen.Where(c => c.DealId == agreed.DealId).Select(c => (c.From, c.To)).Should().Equal(
            (DealStatus.Agreed, DealStatus.DepositPending), (DealStatus.Agreed, DealStatus.DepositPending), (DealStatus.DepositPending, DealStatus.DepositPaid));
        _calls.Seen[^1].Deposit.Amount.Should().Be(18_000m);
        var events = await _app.WithScopeAsync(s => s.GetRequiredService<MarketDbContext>().DealEvents.Where(e => e.DealId == agreed.DealId)
            .OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync(Ct));
        events.Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task A_transition_the_system_may_not_make_is_a_conflict_naming_what_is_allowed()
    {
        var agreed = await AgreedTrade.CreateAsync(_app);

        var shipping = () => AdvanceAsync(agreed.DealId, DealStatus.Shipped, "not the system's to do");

        var conflict = (await shipping.Should().ThrowAsync<DealConflictException>()).Which;
        conflict.Status.Should().Be(DealStatus.Agreed);
        conflict.AllowedTransitions.Select(t => t.To).Should().BeEquivalentTo([DealStatus.DepositPending, DealStatus.DepositPaid, DealStatus.Cancelled]);
        var problem = conflict.ToProblemDetails();
        problem.Status.Should().Be((int)HttpStatusCode.Conflict);
        problem.Extensions.Should().ContainKey("allowedTransitions");
        (await agreed.DealAsync()).GetProperty("status").GetString().Should().Be("agreed");
    }

    Task<bool> AdvanceAsync(Guid dealId, DealStatus to, string reason) =>
        _app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<MarketDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await s.GetRequiredService<DealService>().AdvanceBySystemAsync(dealId, to, null, reason, Ct);
            await transaction.CommitAsync(Ct);
            return true;
        });

    sealed class RecordingListener(RecordingListener.Calls calls) : IDealTransitionListener
    {
        public sealed class Calls
        {
            readonly ConcurrentQueue<(Guid DealId, DealStatus From, DealStatus To, Web.Infrastructure.Domain.Money Deposit)> _seen = new();

            public IReadOnlyList<(Guid DealId, DealStatus From, DealStatus To, Web.Infrastructure.Domain.Money Deposit)> Seen => _seen.ToList();

            public void Add(DealFacts deal, DealStatus from, DealStatus to) => _seen.Enqueue((deal.Id, from, to, deal.Deposit));
        }

        public Task OnTransitionAsync(DealFacts deal, DealStatus from, DealStatus to, CancellationToken ct)
        {
            deal.Status.Should().Be(to);
            calls.Add(deal, from, to);
            return Task.CompletedTask;
        }
    }
}

public sealed class DealContractTests_Sqlite() : DealContractTests(DatabaseKind.Sqlite);

public sealed class DealContractTests_Postgres() : DealContractTests(DatabaseKind.Postgres);
