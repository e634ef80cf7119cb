using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Taxonomy;

namespace Scoda.Market.Web.Features.LiveSessions;

public enum LiveSessionStatus
{
    Scheduled,
    Live,
    Ended,
    Cancelled,
}

/// <summary>How the web client plays the stream: hls.js for an HLS playlist, a sandboxed iframe for an allowed player.</summary>
public enum StreamKind
{
    Hls,
    Embed,
}

/// <summary>
/// A "Product Promotion by Ambassadors" session: an ambassador presents their country's verified exporters and listings.
/// Its live history is an ordered log (<see cref="LiveEvent"/>) numbered by <see cref="LastSequence"/>, like a room's.
/// </summary>
public sealed class LiveSession
{
    public Guid Id { get; set; }
    public Guid HostUserId { get; set; }
    public required string CountryCode { get; set; }
    public LocalizedText Title { get; set; } = new();
    public LocalizedText Description { get; set; } = new();
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public required string StreamUrl { get; set; }
    public StreamKind StreamKind { get; set; }
    public string? ReplayUrl { get; set; }
    public LiveSessionStatus Status { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public string? CancelReason { get; set; }
    public Guid? PinnedListingId { get; set; }

    /// <summary>The pinned listing's available stock as last announced (a <c>pinned_stock</c> event); null until then.</summary>
    public decimal? PinnedAvailable { get; set; }

    public long LastSequence { get; set; }

    /// <summary>Concurrent viewers this session admits; null: <see cref="LiveSessionOptions.MaxViewers"/>.</summary>
    public int? ViewerCap { get; set; }

    /// <summary>Claimed by the reminder worker of one replica (a conditional update), so registrants hear once.</summary>
    public DateTimeOffset? ReminderSentAt { get; set; }

    /// <summary>Counts edits; the calendar file's SEQUENCE, so calendars replace an older copy.</summary>
    public int Revision { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<LiveSessionListing> Featured { get; set; } = [];
}

/// <summary>A listing the session features, with what discovery filters on (its seller and commodity path).</summary>
public sealed class LiveSessionListing
{
    public Guid SessionId { get; set; }
    public Guid ListingId { get; set; }
    public Guid SellerOrganizationId { get; set; }

    /// <summary>The commodity's taxonomy path (slash-terminated keys), so <c>?category=grains</c> is a prefix match.</summary>
    public required string CategoryPath { get; set; }

    public int Position { get; set; }
}

/// <summary>A signed-in person who registered for a session: reminded before the start, told when it is cancelled.</summary>
public sealed class LiveRegistration
{
    public Guid SessionId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
}

/// <summary>One entry of a session's log (chat, question, pin, interest, moderation, start/end), numbered per session.</summary>
public sealed class LiveEvent
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public long Sequence { get; set; }
    public required string Type { get; set; }
    public Guid? ActorUserId { get; set; }

    /// <summary>What the actor was in the session when it acted (<see cref="LiveRoles"/>).</summary>
    public string? ActorRole { get; set; }

    /// <summary>The actor's display name and organization when it acted (shown beside chat and questions; null when none).</summary>
    public string? ActorName { get; set; }
    public string? ActorOrganization { get; set; }

    public string? ClientMessageId { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>Hidden by the host or a moderator: kept and flagged; viewers see that it was hidden, not its text.</summary>
    public DateTimeOffset? HiddenAt { get; set; }
    public Guid? HiddenBy { get; set; }
}

/// <summary>A question on the session's board, ordered by votes.</summary>
public sealed class LiveQuestion
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public long Sequence { get; set; }
    public Guid AskedBy { get; set; }
    public required string Text { get; set; }
    public int Votes { get; set; }
    public DateTimeOffset AskedAt { get; set; }
    public string? Answer { get; set; }
    public Guid? AnsweredBy { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public DateTimeOffset? HiddenAt { get; set; }
}

/// <summary>One user's upvote of one question (the key makes it once per user).</summary>
public sealed class LiveQuestionVote
{
    public Guid QuestionId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>A user muted for one session: their calls there fail with <c>forbidden</c>.</summary>
public sealed class LiveMute
{
    public Guid SessionId { get; set; }
    public Guid UserId { get; set; }
    public Guid MutedBy { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>
/// Firm interest a buyer organization stated in a session: quantity, an optional price hint and how long it stands.
/// <see cref="ValueUsd"/> is the quantity at the hinted (else the listing's) price in US dollars, for the report.
/// </summary>
public sealed class LiveInterest
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public Guid ListingId { get; set; }
    public Guid SellerOrganizationId { get; set; }
    public Guid BuyerOrganizationId { get; set; }
    public Guid UserId { get; set; }
    public decimal Quantity { get; set; }
    public required string Unit { get; set; }
    public decimal? PriceAmount { get; set; }
    public string? PriceCurrency { get; set; }
    public string? PriceUnit { get; set; }
    public decimal? ValueUsd { get; set; }
    public DateTimeOffset ValidUntil { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public long Sequence { get; set; }

    /// <summary>Set when the seller turned the interest into a first offer.</summary>
    public Guid? RoomId { get; set; }
}

/// <summary>A negotiation room that came from the session (a quote request or an offer on an interest), for the report.</summary>
public sealed class LiveSessionRoom
{
    public Guid SessionId { get; set; }
    public Guid RoomId { get; set; }
    public Guid ListingId { get; set; }
    public Guid BuyerOrganizationId { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
}

/// <summary>
/// One hub connection watching a session, on one host. A row counts while its host's <see cref="LiveReplica"/> heartbeat
/// is fresh, so rows of a host that died expire with it; the count is read from here, which makes it the same on every
/// replica (see <see cref="LivePresence"/>).
/// </summary>
public sealed class LiveViewer
{
    public required string ConnectionId { get; set; }
    public Guid SessionId { get; set; }

    /// <summary>
    /// <c>u:{userId}</c> for a signed-in viewer (several tabs count once), <c>a:{key}</c> for an anonymous one that
    /// brought its browser's viewer key (reloads and reconnects count once), else <c>c:{connectionId}</c>.
    /// </summary>
    public required string ViewerKey { get; set; }

    public required string HostId { get; set; }
    public DateTimeOffset JoinedAt { get; set; }
}

/// <summary>
/// A host's heartbeat: one row per replica holding viewers, refreshed every tick. Its viewers count while it is fresh,
/// so a tick writes one row however many viewers the host holds.
/// </summary>
public sealed class LiveReplica
{
    public required string HostId { get; set; }
    public DateTimeOffset SeenAt { get; set; }
}

/// <summary>Everyone who ever watched the session (unique viewers of the report).</summary>
public sealed class LiveVisit
{
    public Guid SessionId { get; set; }
    public required string ViewerKey { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
}

/// <summary>The highest concurrent viewer count seen in one minute of the session (viewers over time).</summary>
public sealed class LiveViewerMinute
{
    public Guid SessionId { get; set; }
    public DateTimeOffset Minute { get; set; }
    public int Count { get; set; }
}

sealed class LiveSessionConfiguration : IEntityTypeConfiguration<LiveSession>
{
    public void Configure(EntityTypeBuilder<LiveSession> builder)
    {
        builder.Property(s => s.CountryCode).HasMaxLength(2);
        builder.Property(s => s.Title).HasJsonConversion();
        builder.Property(s => s.Description).HasJsonConversion();
        builder.Property(s => s.StreamUrl).HasMaxLength(2000);
        builder.Property(s => s.ReplayUrl).HasMaxLength(2000);
        builder.Property(s => s.StreamKind).HasConversion<string>().HasMaxLength(8);
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.CancelReason).HasMaxLength(500);
        builder.HasIndex(s => new { s.Status, s.StartsAt });
        builder.HasIndex(s => new { s.HostUserId, s.StartsAt });
        builder.HasMany(s => s.Featured).WithOne().HasForeignKey(f => f.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class LiveSessionListingConfiguration : IEntityTypeConfiguration<LiveSessionListing>
{
    public void Configure(EntityTypeBuilder<LiveSessionListing> builder)
    {
        builder.HasKey(f => new { f.SessionId, f.ListingId });
        builder.Property(f => f.CategoryPath).HasMaxLength(300);
        builder.HasIndex(f => f.ListingId);
        builder.HasIndex(f => f.SellerOrganizationId);
        builder.HasOne<Listing>().WithMany().HasForeignKey(f => f.ListingId).OnDelete(DeleteBehavior.Restrict);
    }
}

sealed class LiveRegistrationConfiguration : IEntityTypeConfiguration<LiveRegistration>
{
    public void Configure(EntityTypeBuilder<LiveRegistration> builder)
    {
        builder.HasKey(r => new { r.SessionId, r.UserId });
        builder.HasIndex(r => r.UserId);
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(r => r.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class LiveEventConfiguration : IEntityTypeConfiguration<LiveEvent>
{
    public void Configure(EntityTypeBuilder<LiveEvent> builder)
    {
        builder.Property(e => e.Type).HasMaxLength(32);
        builder.Property(e => e.ActorRole).HasMaxLength(16);
        builder.Property(e => e.ClientMessageId).HasMaxLength(64);
        builder.Property(e => e.ActorName).HasMaxLength(LiveFloor.MaxAuthorNameLength);
        builder.Property(e => e.ActorOrganization).HasMaxLength(LiveFloor.MaxAuthorOrganizationLength);
        builder.HasIndex(e => new { e.SessionId, e.ActorUserId, e.At });
        builder.HasIndex(e => new { e.SessionId, e.Sequence }).IsUnique();
        builder.HasIndex(e => new { e.SessionId, e.ClientMessageId }).IsUnique();
        builder.HasIndex(e => new { e.SessionId, e.Type, e.Sequence });
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(e => e.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class LiveQuestionConfiguration : IEntityTypeConfiguration<LiveQuestion>
{
    public void Configure(EntityTypeBuilder<LiveQuestion> builder)
    {
        builder.Property(q => q.Text).HasMaxLength(2000);
        builder.Property(q => q.Answer).HasMaxLength(4000);
        builder.HasIndex(q => new { q.SessionId, q.Votes });
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(q => q.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class LiveQuestionVoteConfiguration : IEntityTypeConfiguration<LiveQuestionVote>
{
    public void Configure(EntityTypeBuilder<LiveQuestionVote> builder)
    {
        builder.HasKey(v => new { v.QuestionId, v.UserId });
        builder.HasOne<LiveQuestion>().WithMany().HasForeignKey(v => v.QuestionId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class LiveMuteConfiguration : IEntityTypeConfiguration<LiveMute>
{
    public void Configure(EntityTypeBuilder<LiveMute> builder)
    {
        builder.HasKey(m => new { m.SessionId, m.UserId });
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(m => m.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class LiveInterestConfiguration : IEntityTypeConfiguration<LiveInterest>
{
    public void Configure(EntityTypeBuilder<LiveInterest> builder)
    {
        builder.Property(i => i.Unit).HasMaxLength(8);
        builder.Property(i => i.PriceCurrency).HasMaxLength(3);
        builder.Property(i => i.PriceUnit).HasMaxLength(8);
        builder.HasIndex(i => new { i.SessionId, i.ListingId });
        builder.HasIndex(i => i.SellerOrganizationId);
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(i => i.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class LiveSessionRoomConfiguration : IEntityTypeConfiguration<LiveSessionRoom>
{
    public void Configure(EntityTypeBuilder<LiveSessionRoom> builder)
    {
        builder.HasKey(r => new { r.SessionId, r.RoomId });
        builder.HasIndex(r => r.RoomId);
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(r => r.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class LiveViewerConfiguration : IEntityTypeConfiguration<LiveViewer>
{
    public void Configure(EntityTypeBuilder<LiveViewer> builder)
    {
        builder.HasKey(v => new { v.ConnectionId, v.SessionId });
        builder.Property(v => v.ConnectionId).HasMaxLength(64);
        builder.Property(v => v.ViewerKey).HasMaxLength(80);
        builder.Property(v => v.HostId).HasMaxLength(64);
        builder.HasIndex(v => new { v.SessionId, v.ViewerKey });
        builder.HasIndex(v => v.HostId);
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(v => v.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class LiveReplicaConfiguration : IEntityTypeConfiguration<LiveReplica>
{
    public void Configure(EntityTypeBuilder<LiveReplica> builder)
    {
        builder.HasKey(h => h.HostId);
        builder.Property(h => h.HostId).HasMaxLength(64);
    }
}

sealed class LiveVisitConfiguration : IEntityTypeConfiguration<LiveVisit>
{
    public void Configure(EntityTypeBuilder<LiveVisit> builder)
    {
        builder.HasKey(v => new { v.SessionId, v.ViewerKey });
        builder.Property(v => v.ViewerKey).HasMaxLength(80);
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(v => v.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class LiveViewerMinuteConfiguration : IEntityTypeConfiguration<LiveViewerMinute>
{
    public void Configure(EntityTypeBuilder<LiveViewerMinute> builder)
    {
        builder.HasKey(m => new { m.SessionId, m.Minute });
        builder.HasOne<LiveSession>().WithMany().HasForeignKey(m => m.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}
