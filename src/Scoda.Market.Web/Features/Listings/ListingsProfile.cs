using AutoMapper;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Listings;

sealed class ListingsProfile : Profile
{
    public ListingsProfile()
    {
        CreateMap<ListingFile, ListingFileResponse>();
        CreateMap<ListingPriceChange, PriceChangeResponse>();

        CreateMap<Listing, ListingResponse>()
            .ForCtorParam(nameof(ListingResponse.Seller), o => o.MapFrom(s =>
                new SellerResponse(s.Organization!.Id, s.Organization.Name, s.Organization.CountryCode, s.Organization.VerificationStatus == Organizations.VerificationStatus.Verified)))
            .ForCtorParam(nameof(ListingResponse.Category), o => o.MapFrom(s => new CategoryRef(s.Category!.Id, s.Category.Key, s.Category.Name, s.Category.Unit)))
            .ForCtorParam(nameof(ListingResponse.Headline), o => o.MapFrom(s => Headlines.Of(s.Category!, s.Specs, s.OriginCountry, s.OriginRegion)))
            .ForCtorParam(nameof(ListingResponse.Specs), o => o.MapFrom(s => SpecValidation.ToResponse(s.Category!.Specs, s.Specs)))
            .ForCtorParam(nameof(ListingResponse.Quantity), o => o.MapFrom(s => new Quantity(s.Quantity, s.QuantityUnit)))
            .ForCtorParam(nameof(ListingResponse.MinOrder), o => o.MapFrom(s => new Quantity(s.MinOrder, s.MinOrderUnit)))
            .ForCtorParam(nameof(ListingResponse.Price), o => o.MapFrom(s => new PriceResponse(s.PriceAmount, s.PriceCurrency, s.PriceUnit)))
            .ForCtorParam(nameof(ListingResponse.NormalizedPrice), o => o.MapFrom(s => NormalizedPriceResponse.Of(s.NormalizedPriceUsd, s.NormalizedPriceCny, s.NormalizedUnit)))
            .ForCtorParam(nameof(ListingResponse.Files), o => o.MapFrom(s => s.Files.OrderBy(f => f.UploadedAt).ThenBy(f => f.Id)));

        CreateMap<Listing, ListingSummary>()
            .ForCtorParam(nameof(ListingSummary.Quantity), o => o.MapFrom(s => new Quantity(s.Quantity, s.QuantityUnit)))
            .ForCtorParam(nameof(ListingSummary.Price), o => o.MapFrom(s => new PriceResponse(s.PriceAmount, s.PriceCurrency, s.PriceUnit)));
    }
}
