using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Taxonomy;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Problems;

namespace Scoda.Market.Web.Features.Negotiations;

/// <summary>The rules a term sheet must meet, checked against the listing it is about.</summary>
public static class OfferRules
{
    public static readonly TimeSpan MinValidity = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(30);
    public const int MaxDeliveryDaysAhead = 730;
    public const decimal MaxTolerancePercent = 10m;
    public const int MaxInspectionBodyLength = 100;

    /// <summary>Checks <paramref name="input"/>; <paramref name="side"/> matters for the minimum order, which binds buyers.</summary>
    public static TermSheet? Read(OfferTermsInput input, ListingTerms listing, Side side, DateTimeOffset now, ValidationErrors errors)
    {
        var basis = listing.CommodityUnit;
        var price = ListingRules.ReadPrice(input.Price, basis, errors);
        var quantity = ListingRules.ReadQuantity(input.Quantity, "quantity", basis, errors);
        if (quantity is { } q && Units.TryConvert(q.Value, q.Unit, listing.QuantityUnit, out var inListingUnit))
        {
            errors.Check(inListingUnit <= listing.Quantity, "quantity.value",
                $"More than the listing offers ({Decimals.Normalize(listing.Quantity)} {listing.QuantityUnit}).");
            if (side == Side.Buyer && Units.TryConvert(listing.MinOrder, listing.MinOrderUnit, listing.QuantityUnit, out var minimum))
            {
                errors.Check(inListingUnit >= minimum, "quantity.value",
                    $"Below the seller's minimum order ({Decimals.Normalize(listing.MinOrder)} {listing.MinOrderUnit}).");
            }
        }

        var tolerance = input.TolerancePercent ?? 0m;
        errors.Check(tolerance is >= 0 and <= MaxTolerancePercent && Decimals.Fits(tolerance, 2), "tolerancePercent",
            $"Between 0 and {MaxTolerancePercent} (±%), at most 2 decimals.");

        var incotermOk = Incoterms.TryParse(input.Incoterm, out var incoterm);
        errors.Check(incotermOk, "incoterm", "An Incoterms 2020 rule: EXW, FCA, CPT, CIP, DAP, DPU, DDP, FAS, FOB, CFR or CIF.");
        var mode = listing.DeliveryMode;
        var modeOk = input.DeliveryMode is null || EnumText.TryParse(input.DeliveryMode.Replace("_", "", StringComparison.Ordinal), out mode);
        errors.Check(modeOk, "deliveryMode", "One of sea, inland_waterway, rail, road, multimodal.");
        if (incotermOk && modeOk && !Incoterms.FitsMode(incoterm, mode))
        {
            errors.Add("incoterm", $"{incoterm} is for sea and inland waterway transport only; for {ModeText(mode)} use FCA, CPT, CIP, DAP, DPU or DDP.");
        }
        errors.RequireText(input.NamedPlace, "namedPlace", 120);

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (input.DeliveryWindow is not { From: { } from, To: { } to })
        {
            errors.Add("deliveryWindow", "A window with from and to dates (yyyy-MM-dd).");
        }
        else
        {
            errors.Check(from >= today, "deliveryWindow.from", "Today or later.");
            errors.Check(to >= from, "deliveryWindow.to", "On or after the start of the window.");
            errors.Check(to <= today.AddDays(MaxDeliveryDaysAhead), "deliveryWindow.to", $"At most {MaxDeliveryDaysAhead} days ahead.");
        }

        errors.Check(input.PaymentTerms is not null && PaymentTerms.All.Contains(input.PaymentTerms), "paymentTerms",
            $"One of {string.Join(", ", PaymentTerms.All.Order(StringComparer.Ordinal))}.");
        errors.Check(input.InspectionBody is null || input.InspectionBody.Trim().Length <= MaxInspectionBodyLength, "inspectionBody",
            $"At most {MaxInspectionBodyLength} characters (e.g. SGS, Bureau Veritas, CCIC).");

        // Overrides: only the specs the offer changes; each must still fit the commodity's schema.
        var specs = SpecValidation.Validate(listing.Specs, input.Specs, errors, "specs", requireAll: false);

        errors.Check(input.ValidUntil is { } until && until >= now + MinValidity && until <= now + MaxValidity, "validUntil",
            $"Between {MinValidity.TotalMinutes:0} minutes and {MaxValidity.TotalDays:0} days from now.");

        if (!errors.IsValid)
        {
            return null;
        }
        return new TermSheet(
            price!.Value, quantity!.Value, tolerance, incoterm, input.NamedPlace!.Trim(), ModeText(mode),
            new DeliveryWindow(input.DeliveryWindow!.From!.Value, input.DeliveryWindow.To!.Value), input.PaymentTerms!,
            string.IsNullOrWhiteSpace(input.InspectionBody) ? null : input.InspectionBody.Trim(), new SpecValues(specs), input.SourceWarehouseId);
    }

    /// <summary>The mode as clients write it: <c>inland_waterway</c>, <c>rail</c> …</summary>
    public static string ModeText(DeliveryMode mode) => mode == DeliveryMode.InlandWaterway ? "inland_waterway" : mode.ToString().ToLowerInvariant();
}
