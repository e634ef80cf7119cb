using AutoMapper;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Inventory;

sealed class InventoryProfile : Profile
{
    public InventoryProfile()
    {
        CreateMap<Warehouse, WarehouseResponse>()
            .ForCtorParam(nameof(WarehouseResponse.Location), o => o.MapFrom(s => new Location(s.Latitude, s.Longitude)));
        CreateMap<Warehouse, WarehouseRef>();
        CreateMap<Reservation, ReservationResponse>()
            .ForCtorParam(nameof(ReservationResponse.Quantity), o => o.MapFrom(s => new Quantity(s.Quantity, s.Unit)));
    }
}
