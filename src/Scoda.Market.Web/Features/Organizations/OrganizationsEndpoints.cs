using AutoMapper;
using AutoMapper.QueryableExtensions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Infrastructure.Auth;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Outbox;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Organizations;

public static class OrganizationsEndpoints
{
    public static IHostApplicationBuilder AddOrganizations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<OrganizationAccess>();
        builder.Services.AddScoped<OrganizationDirectory>();
        builder.Services.AddScoped<IAuthorizationHandler, OrganizationRoleHandler>();
        builder.Services.AddAuthorizationBuilder().AddOrganizationPolicies();
        // A seller's name and verification appear on every listing of theirs in search.
        builder.Services.AddOutboxRule<Organization>((organization, entry) =>
            entry.State == EntityState.Modified
            && (entry.Property(nameof(Organization.VerificationStatus)).IsModified || entry.Property(nameof(Organization.Name)).IsModified)
                ? new OutboxChange(OutboxTopics.Seller, organization.Id)
                : null);
        return builder;
    }

    public static IEndpointRouteBuilder MapOrganizationsEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/organizations").WithTags("Organizations").RequireAuthorization();
        api.MapPost("/", CreateOrganization).WithName("CreateOrganization");
        api.MapGet("/{id:guid}", GetOrganization).WithName("GetOrganization");
        api.MapPut("/{id:guid}", UpdateOrganization).WithName("UpdateOrganization");
        api.MapGet("/{id:guid}/members", ListMembers).WithName("ListMembers");
        api.MapPost("/{id:guid}/members", AddMember).WithName("AddMember");
        api.MapPut("/{id:guid}/members/{userId:guid}", ChangeMember).WithName("ChangeMember");
        api.MapDelete("/{id:guid}/members/{userId:guid}", RemoveMember).WithName("RemoveMember");
        app.MapVerificationEndpoints();
        app.MapOrganizationSettingsEndpoints();
        return app;
    }

    static async Task<Results<Created<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> CreateOrganization(
        OrganizationRequest request, MarketDbContext db, CurrentUser user, TimeProvider clock, IMapper mapper, CancellationToken ct)
    {
        if (!TryRead(request, out var fields, out var errors))
        {
            return errors.ToProblem();
        }
        if (await RegistrationTakenAsync(db, fields, except: null, ct))
        {
            return RegistrationConflict(fields);
        }

        var now = clock.GetUtcNow();
        var organization = new Organization
        {
            Id = Guid.CreateVersion7(now),
            Name = fields.Name,
            CountryCode = fields.Country.Value,
            Kind = fields.Kind,
            RegistrationNumber = fields.RegistrationNumber,
            LegalNameRu = fields.LegalNameRu,
            LegalNameZh = fields.LegalNameZh,
            CreatedAt = now,
            UpdatedAt = now,
            Version = Guid.NewGuid(),
            VerificationStatus = VerificationStatus.Unverified,
        };
        organization.Members.Add(new Membership { UserId = user.Id, Role = OrganizationRole.Owner, CreatedAt = now });
        db.Organizations.Add(organization);
        await db.SaveChangesAsync(ct);

        var response = await LoadAsync(db, mapper, organization.Id, ct);
        return TypedResults.Created($"/api/organizations/{organization.Id}", response);
    }

    static async Task<Results<Ok<OrganizationResponse>, Ok<OrganizationProfile>, ProblemHttpResult>> GetOrganization(
        Guid id, MarketDbContext db, CurrentUser user, OrganizationAccess organizations, IMapper mapper, CancellationToken ct)
    {
        var access = await organizations.CheckAsync(id, OrganizationAction.Read, hideFromOutsiders: false, ct);
        return access switch
        {
            Access.NotFound => Problems.NotFound("Organization"),
            Access.Allowed => TypedResults.Ok(await LoadAsync(db, mapper, id, ct)),
            _ => TypedResults.Ok(await db.Organizations.Where(o => o.Id == id).ProjectTo<OrganizationProfile>(mapper.ConfigurationProvider).SingleAsync(ct)),
        };
    }

    static async Task<Results<Ok<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> UpdateOrganization(
        Guid id, OrganizationRequest request, MarketDbContext db, CurrentUser user, OrganizationAccess organizations,
        TimeProvider clock, IMapper mapper, CancellationToken ct)
    {
        var access = await organizations.CheckAsync(id, OrganizationAction.Manage, hideFromOutsiders: false, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only an owner of the organization can change it.");
        }
        if (!TryRead(request, out var fields, out var errors))
        {
            return errors.ToProblem();
        }
        if (await RegistrationTakenAsync(db, fields, except: id, ct))
        {
            return RegistrationConflict(fields);
        }

        var organization = await db.Organizations.SingleAsync(o => o.Id == id, ct);
        var identityChanged = organization.Name != fields.Name
            || organization.CountryCode != fields.Country.Value
            || organization.RegistrationNumber != fields.RegistrationNumber;
        organization.Name = fields.Name;
        organization.CountryCode = fields.Country.Value;
        organization.Kind = fields.Kind;
        organization.RegistrationNumber = fields.RegistrationNumber;
        organization.LegalNameRu = fields.LegalNameRu;
        organization.LegalNameZh = fields.LegalNameZh;
        organization.UpdatedAt = clock.GetUtcNow();
        if (identityChanged && organization.VerificationStatus is VerificationStatus.Verified or VerificationStatus.Pending)
        {
            // Verification vouches for a legal identity; a new name or registration is a company we have not checked.
            organization.VerificationStatus = VerificationStatus.Unverified;
            organization.VerificationNote = "The legal details changed after verification was requested; request verification again.";
            organization.VerificationDecidedAt = null;
            organization.VerificationDecidedBy = null;
        }
        organization.Version = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The organization was changed by someone else meanwhile; reload and try again.");
        }
        return TypedResults.Ok(await LoadAsync(db, mapper, id, ct));
    }

    static async Task<Results<Ok<IReadOnlyList<MemberResponse>>, ProblemHttpResult>> ListMembers(
        Guid id, MarketDbContext db, CurrentUser user, OrganizationAccess organizations, IMapper mapper, CancellationToken ct)
    {
        var access = await organizations.CheckAsync(id, OrganizationAction.Read, hideFromOutsiders: true, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only members see the member list.");
        }
        return TypedResults.Ok(await MembersAsync(db, mapper, id, ct));
    }

    static async Task<Results<Created<MemberResponse>, ValidationProblem, ProblemHttpResult>> AddMember(
        Guid id, AddMemberRequest request, MarketDbContext db, CurrentUser user, OrganizationAccess organizations,
        UserManager<User> users, TimeProvider clock, IMapper mapper, CancellationToken ct)
    {
        var access = await organizations.CheckAsync(id, OrganizationAction.Manage, hideFromOutsiders: true, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only an owner can add members.");
        }
        var errors = new ValidationErrors().RequireText(request.Email, "email", 256);
        var role = ParseRole(request.Role, errors);
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        var member = await users.FindByEmailAsync(request.Email!.Trim());
        // Only a confirmed address proves whose it is: anyone can register someone else's email and wait to be added.
        // The answer is the same for no account and an unconfirmed one, so it does not tell who has signed up.
        if (member is null || !member.EmailConfirmed)
        {
            return ValidationErrors.For("email", "No confirmed account uses this email; ask them to sign up and confirm their address, then add them.");
        }
        if (await db.Memberships.AnyAsync(m => m.OrganizationId == id && m.UserId == member.Id, ct))
        {
            return Problems.Conflict("This person is already a member; change their role instead.");
        }
        var membership = new Membership { OrganizationId = id, UserId = member.Id, Role = role!.Value, CreatedAt = clock.GetUtcNow() };
        db.Memberships.Add(membership);
        await db.SaveChangesAsync(ct);
        membership.User = member;
        return TypedResults.Created($"/api/organizations/{id}/members/{member.Id}", mapper.Map<MemberResponse>(membership));
    }

    static async Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> ChangeMember(
        Guid id, Guid userId, ChangeMemberRequest request, MarketDbContext db, CurrentUser user, OrganizationAccess organizations,
        IMapper mapper, CancellationToken ct)
    {
        var access = await organizations.CheckAsync(id, OrganizationAction.Manage, hideFromOutsiders: true, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only an owner can change roles.");
        }
        var errors = new ValidationErrors();
        var role = ParseRole(request.Role, errors);
        if (!errors.IsValid)
        {
            return errors.ToProblem();
        }
        var membership = await db.Memberships.Include(m => m.User).SingleOrDefaultAsync(m => m.OrganizationId == id && m.UserId == userId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Member");
        }
        if (membership.Role == OrganizationRole.Owner && role != OrganizationRole.Owner && await IsLastOwnerAsync(db, id, ct))
        {
            return Problems.Conflict("An organization needs at least one owner; make someone else owner first.");
        }
        membership.Role = role!.Value;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(mapper.Map<MemberResponse>(membership));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> RemoveMember(
        Guid id, Guid userId, MarketDbContext db, CurrentUser user, OrganizationAccess organizations, UserManager<User> users,
        CancellationToken ct)
    {
        // Anyone may leave; removing someone else takes an owner.
        var action = userId == user.Id ? OrganizationAction.Read : OrganizationAction.Manage;
        var access = await organizations.CheckAsync(id, action, hideFromOutsiders: true, ct);
        if (access != Access.Allowed)
        {
            return OrganizationAccess.Denied(access, "Only an owner can remove other members.");
        }
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.OrganizationId == id && m.UserId == userId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Member");
        }
        if (membership.Role == OrganizationRole.Owner && await IsLastOwnerAsync(db, id, ct))
        {
            return Problems.Conflict("An organization needs at least one owner; make someone else owner first.");
        }
        db.Memberships.Remove(membership);
        await db.SaveChangesAsync(ct);
        if (userId != user.Id)
        {
            // Someone removed may still have the organization's rooms open: end their sessions, which closes those hubs.
            await users.EndSessionsAsync(userId);
        }
        return TypedResults.NoContent();
    }

    internal static async Task<OrganizationResponse> LoadAsync(MarketDbContext db, IMapper mapper, Guid id, CancellationToken ct)
    {
        var organization = await db.Organizations.AsNoTracking()
            .Include(o => o.Members).ThenInclude(m => m.User)
            .Include(o => o.Documents)
            .AsSplitQuery()
            .SingleAsync(o => o.Id == id, ct);
        organization.Members = organization.Members.OrderBy(m => m.CreatedAt).ThenBy(m => m.UserId).ToList();
        organization.Documents = organization.Documents.OrderBy(d => d.UploadedAt).ThenBy(d => d.Id).ToList();
        return mapper.Map<OrganizationResponse>(organization);
    }

    static async Task<IReadOnlyList<MemberResponse>> MembersAsync(MarketDbContext db, IMapper mapper, Guid id, CancellationToken ct) =>
        await db.Memberships.Where(m => m.OrganizationId == id)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.UserId)
            .ProjectTo<MemberResponse>(mapper.ConfigurationProvider)
            .ToListAsync(ct);

    static async Task<bool> IsLastOwnerAsync(MarketDbContext db, Guid id, CancellationToken ct) =>
        await db.Memberships.CountAsync(m => m.OrganizationId == id && m.Role == OrganizationRole.Owner, ct) <= 1;

    sealed record OrganizationFields(
        string Name, CountryCode Country, OrganizationKind Kind, string RegistrationNumber, string? LegalNameRu, string? LegalNameZh);

    static bool TryRead(OrganizationRequest request, out OrganizationFields fields, out ValidationErrors errors)
    {
        errors = new ValidationErrors()
            .RequireText(request.Name, "name", 200)
            .RequireText(request.RegistrationNumber, "registrationNumber", 64);
        errors.Check(request.Name is null || request.Name.Trim().Length >= 2, "name", "At least 2 characters.");
        if (!CountryCode.TryParse(request.CountryCode, out var country))
        {
            errors.Add("countryCode", "An ISO 3166-1 alpha-2 country code, such as KZ, RU, UZ or CN.");
        }
        if (!EnumText.TryParse<OrganizationKind>(request.Kind, out var kind))
        {
            errors.Add("kind", "One of exporter, importer, both.");
        }
        errors.Check(request.LegalNameRu is null || request.LegalNameRu.Length <= 200, "legalNameRu", "At most 200 characters.");
        errors.Check(request.LegalNameZh is null || request.LegalNameZh.Length <= 200, "legalNameZh", "At most 200 characters.");
        fields = new OrganizationFields(request.Name?.Trim() ?? "", country, kind, request.RegistrationNumber?.Trim() ?? "",
            Blank(request.LegalNameRu), Blank(request.LegalNameZh));
        return errors.IsValid;
    }

    static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    static OrganizationRole? ParseRole(string? text, ValidationErrors errors)
    {
        if (EnumText.TryParse<OrganizationRole>(text, out var role))
        {
            return role;
        }
        errors.Add("role", "One of owner, trader, viewer.");
        return null;
    }

    static Task<bool> RegistrationTakenAsync(MarketDbContext db, OrganizationFields fields, Guid? except, CancellationToken ct) =>
        db.Organizations.AnyAsync(o => o.CountryCode == fields.Country.Value && o.RegistrationNumber == fields.RegistrationNumber && o.Id != except, ct);

    static ProblemHttpResult RegistrationConflict(OrganizationFields fields) =>
        Problems.Conflict($"An organization with registration number {fields.RegistrationNumber} in {fields.Country} is already on Scoda.Market. Ask its owner to add you as a member.");
}
