using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Scoda.Market.Web.Features.Accounts;

/// <summary>A person who signs in. Business objects belong to organizations, never to a user alone.</summary>
public sealed class User : IdentityUser<Guid>
{
    /// <summary>For ambassadors: the country whose exporters they present.</summary>
    public string? AmbassadorCountryCode { get; set; }

    /// <summary>How the person is named to others (live chat and questions); optional, set by themselves.</summary>
    public string? DisplayName { get; set; }
}

sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.Property(u => u.AmbassadorCountryCode).HasMaxLength(2);
        builder.Property(u => u.DisplayName).HasMaxLength(AccountFacts.MaxDisplayNameLength);
    }
}

/// <summary>Platform roles (not organization roles): seeded by migration V0002.</summary>
public static class PlatformRoles
{
    public const string Admin = "Admin";
    public const string Moderator = "Moderator";
    public const string Ambassador = "Ambassador";

    public static readonly IReadOnlyList<string> All = [Admin, Moderator, Ambassador];

    public static string? Parse(string? name) => All.FirstOrDefault(r => string.Equals(r, name, StringComparison.OrdinalIgnoreCase));
}
