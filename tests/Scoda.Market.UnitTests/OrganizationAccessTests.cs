using System.Security.Claims;
using FluentAssertions;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Organizations;
using Scoda.Market.Web.Infrastructure.Auth;

namespace Scoda.Market.UnitTests;

/// <summary>The 401/403/404 rules of DESIGN.md, pinned in one place: every feature asks <see cref="OrganizationAccess"/>.</summary>
public sealed class OrganizationAccessTests : IAsyncLifetime
{
    public enum Caller
    {
        SignedOut,
        Outsider,
        Viewer,
        Trader,
        Owner,
    }

    /// <summary>caller, action, private to members?, HTTP status the caller gets (200: allowed).</summary>
    public static TheoryData<Caller, OrganizationAction, bool, int> Rules => new()
    {
        { Caller.SignedOut, OrganizationAction.Read, true, 401 },
        { Caller.SignedOut, OrganizationAction.Trade, false, 401 },
        // An outsider learns nothing of private data, but may be told no about the public profile.
        { Caller.Outsider, OrganizationAction.Read, true, 404 },
        { Caller.Outsider, OrganizationAction.Read, false, 403 },
        { Caller.Outsider, OrganizationAction.Trade, true, 404 },
        { Caller.Outsider, OrganizationAction.Trade, false, 403 },
        { Caller.Outsider, OrganizationAction.Manage, true, 404 },
        // A member knows the organization exists: a missing role is 403, private or not.
        { Caller.Viewer, OrganizationAction.Read, true, 200 },
        { Caller.Viewer, OrganizationAction.Trade, true, 403 },
        { Caller.Viewer, OrganizationAction.Trade, false, 403 },
        { Caller.Viewer, OrganizationAction.Manage, true, 403 },
        { Caller.Trader, OrganizationAction.Read, true, 200 },
        { Caller.Trader, OrganizationAction.Trade, true, 200 },
        { Caller.Trader, OrganizationAction.Manage, true, 403 },
        { Caller.Owner, OrganizationAction.Read, true, 200 },
        { Caller.Owner, OrganizationAction.Trade, false, 200 },
        { Caller.Owner, OrganizationAction.Manage, true, 200 },
    };

    readonly SqliteConnection _connection = new("Data Source=:memory:");
    readonly Guid _organizationId = Guid.NewGuid();
    readonly Dictionary<Caller, Guid> _users = Enum.GetValues<Caller>().ToDictionary(c => c, _ => Guid.NewGuid());

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task A_caller_gets_what_their_role_allows(Caller caller, OrganizationAction action, bool hideFromOutsiders, int status)
    {
        await using var db = Context();
        var access = new OrganizationAccess(db, SignedIn(caller));

        var outcome = await access.CheckAsync(_organizationId, action, hideFromOutsiders, TestContext.Current.CancellationToken);

        StatusOf(outcome).Should().Be(status);
    }

    [Theory]
    [InlineData(Caller.Outsider, true)]
    [InlineData(Caller.Viewer, false)]
    [InlineData(Caller.Owner, false)]
    public async Task An_unknown_organization_is_not_found_for_everyone(Caller caller, bool hideFromOutsiders)
    {
        await using var db = Context();
        var access = new OrganizationAccess(db, SignedIn(caller));

        var outcome = await access.CheckAsync(Guid.NewGuid(), OrganizationAction.Read, hideFromOutsiders, TestContext.Current.CancellationToken);

        StatusOf(outcome).Should().Be(404);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void The_policies_and_the_checks_share_one_rule(Caller caller, OrganizationAction action, bool hideFromOutsiders, int status)
    {
        // The Organization.* policies succeed exactly where a check is allowed.
        var role = RoleOf(caller);

        OrganizationAccess.Permits(role, action).Should().Be(status == 200);
        StatusOf(OrganizationAccess.Decide(caller != Caller.SignedOut, true, role, action, hideFromOutsiders)).Should().Be(status);
    }

    [Fact]
    public async Task Membership_answers_for_the_signed_in_caller_only()
    {
        await using var db = Context();
        var ct = TestContext.Current.CancellationToken;

        (await new OrganizationAccess(db, SignedIn(Caller.Viewer)).IsMemberAsync(_organizationId, ct)).Should().BeTrue();
        (await new OrganizationAccess(db, SignedIn(Caller.Outsider)).IsMemberAsync(_organizationId, ct)).Should().BeFalse();
        (await new OrganizationAccess(db, SignedIn(Caller.SignedOut)).IsMemberAsync(_organizationId, ct)).Should().BeFalse();
    }

    static int StatusOf(Access access) => access == Access.Allowed
        ? 200
        : OrganizationAccess.Denied(access, "not allowed").StatusCode;

    static OrganizationRole? RoleOf(Caller caller) => caller switch
    {
        Caller.Viewer => OrganizationRole.Viewer,
        Caller.Trader => OrganizationRole.Trader,
        Caller.Owner => OrganizationRole.Owner,
        _ => null,
    };

    CurrentUser SignedIn(Caller caller)
    {
        var identity = caller == Caller.SignedOut
            ? new ClaimsIdentity()
            : new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, _users[caller].ToString())], "test");
        return new CurrentUser(new HttpContextAccessor { HttpContext = new DefaultHttpContext { User = new ClaimsPrincipal(identity) } });
    }

    MarketDbContext Context() => new(new DbContextOptionsBuilder<MarketDbContext>().UseSqlite(_connection).Options);

    public async ValueTask InitializeAsync()
    {
        await _connection.OpenAsync();
        await using var db = Context();
        await db.Database.EnsureCreatedAsync();
        var now = DateTimeOffset.UtcNow;
        db.Users.AddRange(_users.Values.Select(id => new User { Id = id, UserName = $"{id:N}@example.com", Email = $"{id:N}@example.com" }));
        var organization = new Organization { Id = _organizationId, Name = "Steppe Grain", CountryCode = "KZ", RegistrationNumber = "123", CreatedAt = now, UpdatedAt = now };
        foreach (var caller in new[] { Caller.Viewer, Caller.Trader, Caller.Owner })
        {
            organization.Members.Add(new Membership { UserId = _users[caller], Role = RoleOf(caller)!.Value, CreatedAt = now });
        }
        db.Organizations.Add(organization);
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
