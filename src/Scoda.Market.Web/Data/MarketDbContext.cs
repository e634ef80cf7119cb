using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.BuyRequests;
using Scoda.Market.Web.Features.Deals;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.FxRates;
using Scoda.Market.Web.Features.Notifications;
using Scoda.Market.Web.Features.Search;
using Scoda.Market.Web.Features.Inventory;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.LiveSessions;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Features.Payments;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Outbox;

namespace Scoda.Market.Web.Data;

/// <summary>
/// The one EF Core context of the host: Identity plus every feature's entities (configured beside each entity), and the
/// data-protection key ring that every replica shares.
/// </summary>
public sealed class MarketDbContext(DbContextOptions<MarketDbContext> options)
    : IdentityDbContext<User, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<VerificationDocument> VerificationDocuments => Set<VerificationDocument>();
    public DbSet<Category> Categories => Set<Category>();
    public DbSet<ReferenceDataRevision> ReferenceDataRevisions => Set<ReferenceDataRevision>();
    public DbSet<FxRate> FxRates => Set<FxRate>();
    public DbSet<Listing> Listings => Set<Listing>();
    public DbSet<ListingPriceChange> ListingPriceChanges => Set<ListingPriceChange>();
    public DbSet<ListingFile> ListingFiles => Set<ListingFile>();
    public DbSet<Warehouse> Warehouses => Set<Warehouse>();
    public DbSet<StockLot> StockLots => Set<StockLot>();
    public DbSet<StockMovement> StockMovements => Set<StockMovement>();
    public DbSet<Reservation> Reservations => Set<Reservation>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<BuyRequest> BuyRequests => Set<BuyRequest>();
    public DbSet<Match> Matches => Set<Match>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<UserPreferences> UserPreferences => Set<UserPreferences>();
    public DbSet<NegotiationRoom> NegotiationRooms => Set<NegotiationRoom>();
    public DbSet<RoomEvent> RoomEvents => Set<RoomEvent>();
    public DbSet<RoomParticipant> RoomParticipants => Set<RoomParticipant>();
    public DbSet<Offer> Offers => Set<Offer>();
    public DbSet<OfferApproval> OfferApprovals => Set<OfferApproval>();
    public DbSet<Deal> Deals => Set<Deal>();
    public DbSet<DealEvent> DealEvents => Set<DealEvent>();
    public DbSet<DealDocument> DealDocuments => Set<DealDocument>();
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<StripeOperation> StripeOperations => Set<StripeOperation>();
    public DbSet<StripeWebhookEvent> StripeWebhookEvents => Set<StripeWebhookEvent>();
    public DbSet<PayoutAccount> PayoutAccounts => Set<PayoutAccount>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<LiveSession> LiveSessions => Set<LiveSession>();
    public DbSet<LiveSessionListing> LiveSessionListings => Set<LiveSessionListing>();
    public DbSet<LiveRegistration> LiveRegistrations => Set<LiveRegistration>();
    public DbSet<LiveEvent> LiveEvents => Set<LiveEvent>();
    public DbSet<LiveQuestion> LiveQuestions => Set<LiveQuestion>();
    public DbSet<LiveQuestionVote> LiveQuestionVotes => Set<LiveQuestionVote>();
    public DbSet<LiveMute> LiveMutes => Set<LiveMute>();
    public DbSet<LiveInterest> LiveInterests => Set<LiveInterest>();
    public DbSet<LiveSessionRoom> LiveSessionRooms => Set<LiveSessionRoom>();
    public DbSet<LiveViewer> LiveViewers => Set<LiveViewer>();
    public DbSet<LiveReplica> LiveReplicas => Set<LiveReplica>();
    public DbSet<LiveVisit> LiveVisits => Set<LiveVisit>();
    public DbSet<LiveViewerMinute> LiveViewerMinutes => Set<LiveViewerMinute>();
    public DbSet<SavedSearch> SavedSearches => Set<SavedSearch>();
    public DbSet<SavedSearchAlert> SavedSearchAlerts => Set<SavedSearchAlert>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(MarketDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        if (Database.IsSqlite())
        {
            // SQLite has no date type, and EF Core cannot order or compare DateTimeOffset stored as text.
            // All our times are UTC, so UTC ticks keep order and range queries in SQL.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            configurationBuilder.Properties<decimal>().HaveConversion<ScaledDecimalConverter>();
        }
        else
        {
            // numeric(18,6) hands back 12.345000; normalizing on read makes both providers return what was written.
            configurationBuilder.Properties<decimal>().HavePrecision(18, Infrastructure.Domain.Decimals.StoredScale)
                .HaveConversion<NormalizingDecimalConverter>();
        }
    }
}

sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
