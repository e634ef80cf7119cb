namespace Scoda.Market.Web.Features.Organizations;

/// <summary>Body of <c>POST /api/organizations</c> and <c>PUT /api/organizations/{id}</c>. Enum-like fields are strings
/// so a wrong value is a field error, not a malformed body. The legal names in Russian and Chinese are optional (a PUT
/// without them clears them); the contract prints them under the English name.</summary>
public sealed record OrganizationRequest(
    string? Name, string? CountryCode, string? Kind, string? RegistrationNumber, string? LegalNameRu = null, string? LegalNameZh = null);

public sealed record VerificationResponse(
    VerificationStatus Status, string? Note, DateTimeOffset? RequestedAt, DateTimeOffset? DecidedAt);

public sealed record MemberResponse(Guid UserId, string Email, OrganizationRole Role, DateTimeOffset JoinedAt);

public sealed record DocumentResponse(Guid Id, string FileName, string ContentType, long Size, DateTimeOffset UploadedAt);

/// <summary>An organization as members (and verifiers) see it; outsiders get <see cref="OrganizationProfile"/>.</summary>
public sealed record OrganizationResponse(
    Guid Id,
    string Name,
    string CountryCode,
    OrganizationKind Kind,
    string RegistrationNumber,
    VerificationResponse Verification,
    IReadOnlyList<MemberResponse> Members,
    IReadOnlyList<DocumentResponse> Documents,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? LegalNameRu,
    string? LegalNameZh);

/// <summary>The public face of an organization: what a counterparty may know before trading with it.</summary>
public sealed record OrganizationProfile(
    Guid Id, string Name, string CountryCode, OrganizationKind Kind, bool Verified, DateTimeOffset CreatedAt);

public sealed record AddMemberRequest(string? Email, string? Role);

public sealed record ChangeMemberRequest(string? Role);

public sealed record VerificationDecisionRequest(string? Decision, string? Note);

/// <summary>A row of the verifiers' queue.</summary>
public sealed record VerificationQueueItem(
    Guid Id, string Name, string CountryCode, OrganizationKind Kind, string RegistrationNumber,
    VerificationResponse Verification, int DocumentCount, DateTimeOffset CreatedAt);
