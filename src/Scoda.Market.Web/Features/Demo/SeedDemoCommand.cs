using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.LiveSessions;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Commands;

namespace Scoda.Market.Web.Features.Demo;

public static class DemoSetup
{
    public static IHostApplicationBuilder AddDemo(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostCommand<SeedDemoCommand>();
        return builder;
    }
}

/// <summary>
/// <c>seed-demo</c>: exporters from SCO countries and Qingdao importers with their people, their warehouses, listings and
/// stock, so a fresh install shows a living marketplace. Running it again changes nothing. Every demo account signs in
/// with <see cref="Password"/>.
/// </summary>
sealed class SeedDemoCommand(TimeProvider clock) : IHostCommand
{
    public const string Password = "Demo-Trade-2026";

    public string Name => "seed-demo";
    public string Usage => "seed-demo";
    public string Summary => "Load the demo organizations and accounts and exit.";

    sealed record DemoOrganization(string Name, string Country, OrganizationKind Kind, string Registration, bool Verified, string OwnerEmail, string? TraderEmail);

    // Fictional companies in real trading places: registration numbers follow each country's format (BIN, OGRN, STIR, USCC ...).
    static readonly DemoOrganization[] Organizations =
    [
        new("Kostanay Grain Terminal LLP", "KZ", OrganizationKind.Exporter, "180940012345", true, "aigerim@kostanay-grain.demo", "daniyar@kostanay-grain.demo"),
        new("Pavlodar Oilseeds JSC", "KZ", OrganizationKind.Exporter, "150540067890", true, "yerlan@pavlodar-oilseeds.demo", null),
        new("Sibirskaya Niva LLC", "RU", OrganizationKind.Exporter, "1175476012345", true, "olga@sibniva.demo", "sergey@sibniva.demo"),
        new("Angara Timber Export JSC", "RU", OrganizationKind.Exporter, "1033801012345", false, "ivan@angara-timber.demo", null),
        new("Fergana Agro Export LLC", "UZ", OrganizationKind.Exporter, "305123456", true, "dilnoza@fergana-agro.demo", null),
        new("Chui Valley Pulses LLC", "KG", OrganizationKind.Exporter, "01234567890123", false, "aibek@chui-pulses.demo", null),
        new("Sughd Minerals LLC", "TJ", OrganizationKind.Exporter, "0310012345", false, "firuz@sughd-minerals.demo", null),
        new("Punjab Rice & Sesame Pvt Ltd", "PK", OrganizationKind.Exporter, "0123456", true, "ayesha@punjab-sesame.demo", null),
        new("Minsk Potash Trading LLC", "BY", OrganizationKind.Exporter, "191234567", true, "alena@minsk-potash.demo", null),
        new("Qingdao Haiyun Grain Import Co., Ltd.", "CN", OrganizationKind.Importer, "91370200MA3C12345X", true, "li.wei@haiyun-grain.demo", "zhang.min@haiyun-grain.demo"),
        new("Qingdao SCO Bonded Trading Co., Ltd.", "CN", OrganizationKind.Both, "91370211MA3D67890Y", true, "wang.fang@sco-bonded.demo", null),
        new("Shandong Jiaodong Feed Mill Co., Ltd.", "CN", OrganizationKind.Importer, "91370281MA3E24680Z", false, "chen.jie@jiaodong-feed.demo", null),
    ];

    public async Task<int> RunAsync(IReadOnlyList<string> args, IServiceProvider services, CancellationToken ct)
    {
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MarketDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var now = clock.GetUtcNow();
        var created = 0;

        foreach (var demo in Organizations)
        {
            if (await db.Organizations.AnyAsync(o => o.CountryCode == demo.Country && o.RegistrationNumber == demo.Registration, ct))
            {
                continue;
            }
            var organization = new Organization
            {
                Id = Guid.CreateVersion7(now),
                Name = demo.Name,
                CountryCode = demo.Country,
                Kind = demo.Kind,
                RegistrationNumber = demo.Registration,
                CreatedAt = now,
                UpdatedAt = now,
                Version = Guid.NewGuid(),
                VerificationStatus = demo.Verified ? VerificationStatus.Verified : VerificationStatus.Unverified,
                VerificationDecidedAt = demo.Verified ? now : null,
            };
            organization.Members.Add(new Membership { UserId = (await EnsureUserAsync(users, demo.OwnerEmail)).Id, Role = OrganizationRole.Owner, CreatedAt = now });
            if (demo.TraderEmail is not null)
            {
                organization.Members.Add(new Membership { UserId = (await EnsureUserAsync(users, demo.TraderEmail)).Id, Role = OrganizationRole.Trader, CreatedAt = now });
            }
            db.Organizations.Add(organization);
            created++;
        }
        await db.SaveChangesAsync(ct);

        var ambassador = await EnsureUserAsync(users, "ambassador.kz@scoda.demo");
        if (!await users.IsInRoleAsync(ambassador, PlatformRoles.Ambassador))
        {
            ambassador.AmbassadorCountryCode = "KZ";
            await users.UpdateAsync(ambassador);
            await users.AddToRoleAsync(ambassador, PlatformRoles.Ambassador);
        }
        var moderator = await EnsureUserAsync(users, "moderator@scoda.demo");
        if (!await users.IsInRoleAsync(moderator, PlatformRoles.Moderator))
        {
            await users.AddToRoleAsync(moderator, PlatformRoles.Moderator);
        }

        var (listings, warehouses, lots) = await ActivatorUtilities.CreateInstance<DemoCatalog>(scope.ServiceProvider)
            .SeedAsync(moderator.Id, ct);
        var admin = await EnsureUserAsync(users, "admin@scoda.demo");
        if (!await users.IsInRoleAsync(admin, PlatformRoles.Admin))
        {
            await users.AddToRoleAsync(admin, PlatformRoles.Admin);
        }
        var negotiations = ActivatorUtilities.CreateInstance<DemoNegotiations>(scope.ServiceProvider);
        var rooms = await negotiations.SeedAsync(ct);
        if (negotiations.Agreed is { } agreed)
        {
            await ActivatorUtilities.CreateInstance<DemoDeal>(scope.ServiceProvider).SeedAsync(agreed, admin.Id, ct);
        }
        var sessions = await SeedLiveSessionsAsync(scope.ServiceProvider, users, ambassador, ct);

        Console.WriteLine(created + listings + rooms + sessions == 0
            ? "Demo data is already loaded."
            : $"Loaded {created} demo organizations, {listings} listings, {warehouses} warehouses, {lots} stock lots, {rooms} negotiations and {sessions} live sessions. " +
              $"Sign in as any *.demo account (e.g. li.wei@haiyun-grain.demo, olga@sibniva.demo, admin@scoda.demo) with password {Password}.");
        return 0;
    }

    /// <summary>The demo ambassador's upcoming, live and past sessions, watched by the Qingdao buyers.</summary>
    static async Task<int> SeedLiveSessionsAsync(IServiceProvider services, UserManager<User> users, User ambassador, CancellationToken ct)
    {
        var organizations = services.GetRequiredService<OrganizationAccess>();
        var audience = new List<DemoViewer>();
        foreach (var email in new[] { "li.wei@haiyun-grain.demo", "wang.fang@sco-bonded.demo", "zhang.min@haiyun-grain.demo" })
        {
            if (await users.FindByEmailAsync(email) is { } user)
            {
                var buyer = (await organizations.MembershipsAsync(user.Id, ct)).FirstOrDefault(m => m.Verification == VerificationStatus.Verified);
                audience.Add(new DemoViewer(user.Id, buyer?.OrganizationId));
            }
        }
        return await services.GetRequiredService<LiveSessionDemo>().SeedAsync(ambassador.Id, ambassador.AmbassadorCountryCode ?? "KZ", audience, ct);
    }

    static async Task<User> EnsureUserAsync(UserManager<User> users, string email)
    {
        var user = await users.FindByEmailAsync(email);
        if (user is not null)
        {
            return user;
        }
        user = new User { UserName = email, Email = email, EmailConfirmed = true };
        var result = await users.CreateAsync(user, Password);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Demo user {email}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
        return user;
    }
}
