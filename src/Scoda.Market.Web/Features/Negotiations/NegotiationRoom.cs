using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Organizations;

namespace Scoda.Market.Web.Features.Negotiations;

public enum RoomStatus
{
    Open,

    /// <summary>An offer was accepted: the room keeps its log and chat, but takes no more offers.</summary>
    Agreed,
}

/// <summary>Which side of the trade an organization is on in a room.</summary>
public enum Side
{
    Buyer,
    Seller,
}

/// <summary>
/// Where one buyer organization negotiates one listing with its seller. Its history is the ordered event log
/// (<see cref="RoomEvent"/>); <see cref="LastSequence"/> is the last number handed out, bumped in the transaction that
/// stores the event, so numbers are gap-free and the row lock orders concurrent writers.
/// </summary>
public sealed class NegotiationRoom
{
    public Guid Id { get; set; }
    public Guid ListingId { get; set; }
    public Guid SellerOrganizationId { get; set; }
    public Guid BuyerOrganizationId { get; set; }
    public Guid? BuyRequestId { get; set; }

    /// <summary>0 for the first room of a (listing, buyer) pair, 1 for the one opened after it agreed, and so on; unique
    /// with the pair, so two buyers' clicks racing to open a room make one.</summary>
    public int Round { get; set; }

    public RoomStatus Status { get; set; }
    public long LastSequence { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Guid CreatedBy { get; set; }

    public Listing? Listing { get; set; }
    public Organization? SellerOrganization { get; set; }
    public Organization? BuyerOrganization { get; set; }

    public Side? SideOf(Guid organizationId) =>
        organizationId == BuyerOrganizationId ? Side.Buyer : organizationId == SellerOrganizationId ? Side.Seller : null;

    public Guid OrganizationOf(Side side) => side == Side.Buyer ? BuyerOrganizationId : SellerOrganizationId;
}

/// <summary>
/// One entry of a room's log. <see cref="Payload"/> is the event's JSON as sent to clients. A client's message id makes
/// a retried call return the stored event instead of storing it twice.
/// </summary>
public sealed class RoomEvent
{
    public Guid Id { get; set; }
    public Guid RoomId { get; set; }
    public long Sequence { get; set; }
    public required string Type { get; set; }
    public Guid? ActorUserId { get; set; }
    public Side? ActorSide { get; set; }
    public string? ClientMessageId { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>Hidden by a moderator: kept in the log and flagged; participants see that it was hidden, not its text.</summary>
    public DateTimeOffset? HiddenAt { get; set; }
    public Guid? HiddenBy { get; set; }
}

/// <summary>A person who joined a room, and how far they have read (read receipts live here, not in the log).</summary>
public sealed class RoomParticipant
{
    public Guid RoomId { get; set; }
    public Guid UserId { get; set; }
    public long LastReadSequence { get; set; }
    public DateTimeOffset JoinedAt { get; set; }
}

sealed class NegotiationRoomConfiguration : IEntityTypeConfiguration<NegotiationRoom>
{
    public void Configure(EntityTypeBuilder<NegotiationRoom> builder)
    {
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(r => new { r.ListingId, r.BuyerOrganizationId, r.Round }).IsUnique();
        builder.HasIndex(r => new { r.BuyerOrganizationId, r.UpdatedAt });
        builder.HasIndex(r => new { r.SellerOrganizationId, r.UpdatedAt });
        builder.HasOne(r => r.Listing).WithMany().HasForeignKey(r => r.ListingId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(r => r.SellerOrganization).WithMany().HasForeignKey(r => r.SellerOrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(r => r.BuyerOrganization).WithMany().HasForeignKey(r => r.BuyerOrganizationId).OnDelete(DeleteBehavior.Restrict);
    }
}

sealed class RoomEventConfiguration : IEntityTypeConfiguration<RoomEvent>
{
    public void Configure(EntityTypeBuilder<RoomEvent> builder)
    {
        builder.Property(e => e.Type).HasMaxLength(32);
        builder.Property(e => e.ActorSide).HasConversion<string>().HasMaxLength(8);
        builder.Property(e => e.ClientMessageId).HasMaxLength(64);
        builder.HasIndex(e => new { e.RoomId, e.Sequence }).IsUnique();
        builder.HasIndex(e => new { e.RoomId, e.ClientMessageId }).IsUnique();
        builder.HasOne<NegotiationRoom>().WithMany().HasForeignKey(e => e.RoomId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class RoomParticipantConfiguration : IEntityTypeConfiguration<RoomParticipant>
{
    public void Configure(EntityTypeBuilder<RoomParticipant> builder)
    {
        builder.HasKey(p => new { p.RoomId, p.UserId });
        builder.HasIndex(p => p.UserId);
        builder.HasOne<NegotiationRoom>().WithMany().HasForeignKey(p => p.RoomId).OnDelete(DeleteBehavior.Cascade);
    }
}
