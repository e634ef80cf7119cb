using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.FxRates;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure;

namespace Scoda.Market.Web.Features.Listings;

/// <summary>Turns validated fields into a stored listing: one place for the price history and normalized prices.</summary>
[FeatureContract]
public static class ListingWriter
{
    public static async Task<Listing> CreateDraftAsync(
        MarketDbContext db, Guid organizationId, Category category, ListingFields fields, Guid userId, DateTimeOffset now, CancellationToken ct)
    {
        var listing = NewDraft(organizationId, category, fields, await FxTable.LoadAsync(db, ct), userId, now, db);
        await db.SaveChangesAsync(ct);
        return listing;
    }

    /// <summary>Adds a new draft to the context without saving (the CSV import saves a batch at once).</summary>
    public static Listing NewDraft(Guid organizationId, Category category, ListingFields fields, FxTable rates, Guid userId, DateTimeOffset now, MarketDbContext db)
    {
        var listing = new Listing
        {
            Id = Guid.CreateVersion7(now),
            OrganizationId = organizationId,
            CategoryId = category.Id,
            Status = ListingStatus.Draft,
            HsCode = fields.HsCode,
            OriginCountry = fields.OriginCountry,
            QuantityUnit = fields.Quantity.Unit,
            MinOrderUnit = fields.MinOrder.Unit,
            PriceCurrency = fields.Price.Currency,
            PriceUnit = fields.Price.Unit,
            NormalizedUnit = category.Unit!,
            Incoterm = fields.Incoterm,
            NamedPlace = fields.NamedPlace,
            CreatedAt = now,
        };
        db.Listings.Add(listing);
        Apply(db, listing, category, fields, rates, userId, now);
        return listing;
    }

    public static void Apply(MarketDbContext db, Listing listing, Category category, ListingFields fields, FxTable rates, Guid userId, DateTimeOffset now)
    {
        var priceChanged = listing.PriceAmount != fields.Price.Amount || listing.PriceCurrency != fields.Price.Currency || listing.PriceUnit != fields.Price.Unit;
        listing.CategoryId = category.Id;
        listing.Category = category;
        listing.NormalizedUnit = category.Unit!;
        listing.Title = fields.Title;
        listing.Description = fields.Description;
        listing.HsCode = fields.HsCode;
        listing.Specs = fields.Specs;
        listing.OriginCountry = fields.OriginCountry;
        listing.OriginRegion = fields.OriginRegion;
        listing.Quantity = fields.Quantity.Value;
        listing.QuantityUnit = fields.Quantity.Unit;
        listing.MinOrder = fields.MinOrder.Value;
        listing.MinOrderUnit = fields.MinOrder.Unit;
        listing.PriceAmount = fields.Price.Amount;
        listing.PriceCurrency = fields.Price.Currency;
        listing.PriceUnit = fields.Price.Unit;
        listing.Incoterm = fields.Incoterm;
        listing.NamedPlace = fields.NamedPlace;
        listing.DeliveryMode = fields.DeliveryMode;
        listing.PaymentTerms = fields.PaymentTerms;
        listing.Packaging = fields.Packaging;
        listing.LeadTimeDays = fields.LeadTimeDays;
        listing.Certificates = fields.Certificates;
        listing.ValidUntil = fields.ValidUntil;
        listing.UpdatedAt = now;
        listing.Version = Guid.NewGuid();
        ListingPricing.Apply(listing, rates);
        if (priceChanged)
        {
            db.ListingPriceChanges.Add(new ListingPriceChange
            {
                Id = Guid.CreateVersion7(now),
                ListingId = listing.Id,
                Amount = fields.Price.Amount,
                Currency = fields.Price.Currency,
                Unit = fields.Price.Unit,
                ChangedAt = now,
                ChangedBy = userId,
            });
        }
    }
}
