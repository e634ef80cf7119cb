using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Features.Organizations;

using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Features.Demo;

/// <summary>
/// Two negotiations for the demo, played through <see cref="NegotiationService"/> as the traders would: Haiyun Grain
/// and Kostanay Grain Terminal agree a wheat deal from the Khorgos stock; Jiaodong Feed Mill and Sibirskaya Niva are
/// still talking, a counter-offer open. Nothing happens when the demo already has negotiations.
/// </summary>
sealed class DemoNegotiations(MarketDbContext db, NegotiationService negotiations, OrganizationAccess organizations, TimeProvider clock)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The room this run agreed a deal in, with the two traders who did: what <see cref="DemoDeal"/> carries on.</summary>
    public AgreedRoom? Agreed { get; private set; }

    public async Task<int> SeedAsync(CancellationToken ct)
    {
        if (await db.NegotiationRooms.AnyAsync(ct))
        {
            return 0;
        }
        var rooms = 0;
        if (await WheatFromStockAsync("180940012345", "KZ", ct) is { } kostanay
            && await CallerAsync("li.wei@haiyun-grain.demo", ct) is { } liWei
            && await CallerAsync("aigerim@kostanay-grain.demo", ct) is { } aigerim)
        {
            var haiyun = await OrganizationOfAsync(liWei, ct);
            var (room, _) = await negotiations.OpenRoomAsync(liWei, new OpenRoomRequest(kostanay.Listing.Id, haiyun, null,
                "您好！We need 3,000 t of class 3 milling wheat for our Jiaozhou mill, delivery in January. Can you ship from Khorgos?"), ct);
            await negotiations.SendMessageAsync(aigerim, room.Id, "demo-kgt-1",
                "Добрый день! Yes — 3,000 t are in our Khorgos dry port now, SGS-certified, protein 12.5–13 %.", ct);
            var offer = await negotiations.MakeOfferAsync(liWei, room.Id, "demo-hy-1", Terms(kostanay.Listing, 231m, 3000m, null, null), ct);
            var counter = await negotiations.MakeOfferAsync(aigerim, room.Id, "demo-kgt-2",
                Terms(kostanay.Listing, 235.5m, 3000m, kostanay.WarehouseId, OfferIdOf(offer)), ct);
            await negotiations.SendMessageAsync(liWei, room.Id, "demo-hy-2", "好的, 235.5 from your Khorgos stock works for us.", ct);
            await negotiations.AcceptOfferAsync(liWei, room.Id, OfferIdOf(counter), AcceptConfirmation.Of(new Money(235.5m * 3000m, Currencies.Usd)), ct);
            Agreed = new AgreedRoom(room.Id, liWei.UserId, aigerim.UserId);
            rooms++;
        }
        if (await WheatFromStockAsync("1175476012345", "RU", ct) is { } niva
            && await CallerAsync("chen.jie@jiaodong-feed.demo", ct) is { } chenJie
            && await CallerAsync("olga@sibniva.demo", ct) is { } olga)
        {
            var jiaodong = await OrganizationOfAsync(chenJie, ct);
            var (room, _) = await negotiations.OpenRoomAsync(chenJie, new OpenRoomRequest(niva.Listing.Id, jiaodong, null,
                "Feed wheat for Jiaodong: 1,000 t via Zabaikalsk. What is your best CPT price?"), ct);
            var offer = await negotiations.MakeOfferAsync(olga, room.Id, "demo-sn-1", Terms(niva.Listing, 229m, 1000m, null, null), ct);
            await negotiations.MakeOfferAsync(chenJie, room.Id, "demo-jd-1", Terms(niva.Listing, 221m, 1000m, null, OfferIdOf(offer)), ct);
            rooms++;
        }
        return rooms;
    }

    sealed record Stocked(Listing Listing, Guid WarehouseId);

    public sealed record AgreedRoom(Guid RoomId, Guid BuyerUserId, Guid SellerUserId);

    /// <summary>A published wheat listing of the demo exporter with at least 3,000 t available in one of its warehouses.</summary>
    async Task<Stocked?> WheatFromStockAsync(string registration, string country, CancellationToken ct)
    {
        var seller = await db.Organizations.Where(o => o.RegistrationNumber == registration && o.CountryCode == country).Select(o => o.Id).SingleOrDefaultAsync(ct);
        var wheat = await db.Listings.AsNoTracking()
            .Where(l => l.OrganizationId == seller && l.Status == ListingStatus.Published && l.Category!.Key == "wheat" && l.QuantityUnit == "t")
            .OrderBy(l => l.CreatedAt).ToListAsync(ct);
        foreach (var listing in wheat)
        {
            var lot = await db.StockLots.AsNoTracking().Where(s => s.ListingId == listing.Id && s.OnHand - s.Reserved >= 3000m)
                .Select(s => (Guid?)s.WarehouseId).FirstOrDefaultAsync(ct);
            if (lot is { } warehouseId)
            {
                return new Stocked(listing, warehouseId);
            }
        }
        return wheat.Count > 0 && wheat[0].Quantity >= 3000m ? new Stocked(wheat[0], Guid.Empty) : null;
    }

    async Task<Caller?> CallerAsync(string email, CancellationToken ct)
    {
        var normalized = email.ToUpperInvariant(); // as Identity's default normalizer stores it
        return await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => (Guid?)u.Id).SingleOrDefaultAsync(ct) is { } id
            ? new Caller(id, IsModerator: false)
            : null;
    }

    async Task<Guid> OrganizationOfAsync(Caller caller, CancellationToken ct) =>
        await organizations.OrganizationsOf(caller.UserId).FirstAsync(ct);

    JsonElement Terms(Listing listing, decimal price, decimal tonnes, Guid? warehouse, Guid? counterTo)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        return JsonSerializer.SerializeToElement(new
        {
            price = new { amount = price, currency = "USD", unit = "t" },
            quantity = new { value = tonnes, unit = "t" },
            tolerancePercent = 5,
            incoterm = listing.Incoterm,
            namedPlace = listing.NamedPlace,
            deliveryWindow = new { from = today.AddDays(30), to = today.AddDays(60) },
            paymentTerms = "lc_sight",
            inspectionBody = "SGS",
            sourceWarehouseId = warehouse is { } w && w != Guid.Empty ? w : (Guid?)null,
            validUntil = clock.GetUtcNow().AddDays(3),
            counterToOfferId = counterTo,
        }, Json);
    }

    static Guid OfferIdOf(RoomEventResponse offer) => offer.Payload.GetProperty("offer").GetProperty("id").GetGuid();
}
