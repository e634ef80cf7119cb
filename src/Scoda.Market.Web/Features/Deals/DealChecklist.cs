using Scoda.Market.Web.Features.Negotiations;

namespace Scoda.Market.Web.Features.Deals;

/// <summary>One document the deal needs: its kind, why it is needed (for the page), who issues it.</summary>
public sealed record RequiredDocument(string Kind, string Reason, string? Issuer = null);

/// <summary>
/// The documents a deal needs, derived from its terms and commodity: always the commercial invoice, packing list and
/// certificate of origin and a quality certificate (from the named inspection body when there is one); a phytosanitary
/// certificate for plant products (HS chapters 06–14); the transport document of the delivery mode; an insurance
/// certificate when the seller insures (CIF, CIP); a draft and beneficiary's certificate under a letter of credit
/// (UCP 600), a draft under documents against payment (URC 522).
/// </summary>
public static class DealChecklist
{
    public const string CommercialInvoice = "commercial_invoice";
    public const string PackingList = "packing_list";
    public const string CertificateOfOrigin = "certificate_of_origin";
    public const string QualityCertificate = "quality_certificate";
    public const string PhytosanitaryCertificate = "phytosanitary_certificate";
    public const string RailWaybill = "rail_waybill";
    public const string BillOfLading = "bill_of_lading";
    public const string RoadConsignmentNote = "road_consignment_note";
    public const string InsuranceCertificate = "insurance_certificate";
    public const string BillOfExchange = "bill_of_exchange";
    public const string BeneficiaryCertificate = "beneficiary_certificate";

    /// <summary>The documents that prove the goods left: shipping needs one of them uploaded.</summary>
    public static readonly IReadOnlySet<string> TransportDocuments = new HashSet<string>(StringComparer.Ordinal) { RailWaybill, BillOfLading, RoadConsignmentNote };

    public static readonly IReadOnlySet<string> AllKinds = new HashSet<string>(StringComparer.Ordinal)
    {
        CommercialInvoice, PackingList, CertificateOfOrigin, QualityCertificate, PhytosanitaryCertificate, RailWaybill, BillOfLading,
        RoadConsignmentNote, InsuranceCertificate, BillOfExchange, BeneficiaryCertificate,
    };

    public static IReadOnlyList<RequiredDocument> For(TermSheet terms, string? hsCode)
    {
        var list = new List<RequiredDocument>
        {
            new(CommercialInvoice, "Always."),
            new(PackingList, "Always."),
            new(CertificateOfOrigin, "Always (customs and preferential duty)."),
            new(QualityCertificate, terms.InspectionBody is null ? "Always; no inspection body is named, so the seller's laboratory issues it." : "Inspection named in the terms.",
                terms.InspectionBody),
        };
        if (IsPlantProduct(hsCode))
        {
            list.Add(new(PhytosanitaryCertificate, $"Plant product (HS {hsCode})."));
        }
        list.Add(TransportDocumentFor(terms.DeliveryMode));
        if (terms.Incoterm is "CIF" or "CIP")
        {
            list.Add(new(InsuranceCertificate, $"{terms.Incoterm}: the seller insures the goods."));
        }
        if (terms.PaymentTerms is "lc_sight" or "lc_deferred")
        {
            list.Add(new(BillOfExchange, "Letter of credit (UCP 600): the draft drawn on the issuing bank."));
            list.Add(new(BeneficiaryCertificate, "Letter of credit (UCP 600): the beneficiary's certificate the credit asks for."));
        }
        else if (terms.PaymentTerms == "dp")
        {
            list.Add(new(BillOfExchange, "Documents against payment (URC 522): the sight draft the collecting bank presents."));
        }
        return list;
    }

    /// <summary>HS chapters 06–14: live plants, vegetables, fruit, cereals, milling products, oilseeds, plant materials.</summary>
    public static bool IsPlantProduct(string? hsCode) =>
        hsCode is { Length: >= 2 } && int.TryParse(hsCode.AsSpan(0, 2), out var chapter) && chapter is >= 6 and <= 14;

    static RequiredDocument TransportDocumentFor(string deliveryMode) => deliveryMode switch
    {
        "rail" => new(RailWaybill, "Delivery by rail: SMGS or CIM consignment note (CIM/SMGS across the gauge change)."),
        "road" => new(RoadConsignmentNote, "Delivery by road: CMR consignment note."),
        _ => new(BillOfLading, deliveryMode == "multimodal" ? "Multimodal delivery: a multimodal bill of lading." : "Delivery by sea or inland waterway."),
    };
}
