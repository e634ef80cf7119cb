using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Scoda.Market.Web.Features.Notifications;

/// <summary>How a person wants to hear of their notifications: in the app only, by mail at once, or one mail a day.</summary>
public static class MailModes
{
    public const string InApp = "inapp";
    public const string Immediate = "immediate";
    public const string Digest = "digest";

    public static readonly IReadOnlyList<string> All = [InApp, Immediate, Digest];
}

/// <summary>The languages the server writes mail in (the web client's three).</summary>
public static class MailLanguages
{
    public static readonly IReadOnlyList<string> All = ["en", "ru", "zh"];
}

/// <summary>A user's language and notification mail choice; users without a row read English and get no mail.</summary>
public sealed class UserPreferences
{
    public Guid UserId { get; set; }
    public required string Language { get; set; }
    public required string Mail { get; set; }

    /// <summary>From when mail is owed: notifications made before the user chose mail are not sent after the fact.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the last daily digest went out; the next is due a day later.</summary>
    public DateTimeOffset? DigestSentAt { get; set; }
}

sealed class UserPreferencesConfiguration : IEntityTypeConfiguration<UserPreferences>
{
    public void Configure(EntityTypeBuilder<UserPreferences> builder)
    {
        builder.HasKey(p => p.UserId);
        builder.Property(p => p.Language).HasMaxLength(8);
        builder.Property(p => p.Mail).HasMaxLength(16);
        builder.HasIndex(p => p.Mail);
    }
}
