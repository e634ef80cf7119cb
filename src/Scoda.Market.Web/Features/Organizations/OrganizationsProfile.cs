using AutoMapper;

namespace Scoda.Market.Web.Features.Organizations;

sealed class OrganizationsProfile : Profile
{
    public OrganizationsProfile()
    {
        CreateMap<Organization, VerificationResponse>()
            .ForCtorParam(nameof(VerificationResponse.Status), o => o.MapFrom(s => s.VerificationStatus))
            .ForCtorParam(nameof(VerificationResponse.Note), o => o.MapFrom(s => s.VerificationNote))
            .ForCtorParam(nameof(VerificationResponse.RequestedAt), o => o.MapFrom(s => s.VerificationRequestedAt))
            .ForCtorParam(nameof(VerificationResponse.DecidedAt), o => o.MapFrom(s => s.VerificationDecidedAt));

        CreateMap<Membership, MemberResponse>()
            .ForCtorParam(nameof(MemberResponse.Email), o => o.MapFrom(s => s.User!.Email))
            .ForCtorParam(nameof(MemberResponse.JoinedAt), o => o.MapFrom(s => s.CreatedAt));

        CreateMap<VerificationDocument, DocumentResponse>();

        CreateMap<Organization, OrganizationResponse>()
            .ForCtorParam(nameof(OrganizationResponse.Verification), o => o.MapFrom(s => s));

        CreateMap<Organization, OrganizationProfile>()
            .ForCtorParam(nameof(OrganizationProfile.Verified), o => o.MapFrom(s => s.VerificationStatus == VerificationStatus.Verified));

        CreateMap<Organization, VerificationQueueItem>()
            .ForCtorParam(nameof(VerificationQueueItem.Verification), o => o.MapFrom(s => s))
            .ForCtorParam(nameof(VerificationQueueItem.DocumentCount), o => o.MapFrom(s => s.Documents.Count));
    }
}
