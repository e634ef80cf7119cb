using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Scoda.Market.Web.Features.Listings;
using Scoda.Market.Web.Features.Negotiations;
using Scoda.Market.Web.Infrastructure.Domain;
using Scoda.Market.Web.Infrastructure.Pdf;

namespace Scoda.Market.Web.Features.Deals;

/// <summary>A party as the contract names it: the English legal name, and under it the Russian and Chinese ones where given.</summary>
public sealed record ContractParty(string Role, string Name, string CountryCode, string RegistrationNumber, string? NameRu = null, string? NameZh = null);

/// <summary>Everything the contract states, gathered from the deal, its parties and its commodity.</summary>
public sealed record ContractData(
    Guid DealId, DateTimeOffset AgreedAt, ContractParty Seller, ContractParty Buyer, ListingCommodity? Commodity, TermSheet Terms, Money Total, Money Deposit,
    decimal DepositShare, IReadOnlyList<RequiredDocument> Documents);

/// <summary>
/// Draws the sales contract: parties with registration numbers, the commodity (EN with RU/ZH names where the taxonomy
/// and listing have them) with HS code and spec table, quantity and tolerance, price and total, Incoterms 2020 rule and
/// named place, delivery window, payment terms, inspection, the documents and the rules that govern them.
/// </summary>
public sealed class ContractDocument : IDisposable
{
    static readonly string[] Languages = ["en", "ru", "zh"];

    const double Margin = 50;
    const double Width = 595 - 2 * Margin; // A4 in points
    const double Bottom = 842 - Margin;

    readonly PdfDocument _pdf = new();
    readonly PdfFonts _fonts;
    XGraphics _gfx = null!;
    double _y;

    ContractDocument(PdfFonts fonts) => _fonts = fonts;

    public static byte[] Render(ContractData data, PdfFonts fonts)
    {
        using var document = new ContractDocument(fonts);
        document.Draw(data);
        using var stream = new MemoryStream();
        document._pdf.Save(stream, false);
        return stream.ToArray();
    }

    public void Dispose()
    {
        _gfx?.Dispose();
        _pdf.Dispose();
    }

    void Draw(ContractData d)
    {
        _pdf.Info.Title = $"Sales contract {Number(d.DealId)}";
        _pdf.Info.Creator = "Scoda.Market";
        _pdf.Info.CreationDate = d.AgreedAt.UtcDateTime;
        _pdf.Info.ModificationDate = d.AgreedAt.UtcDateTime;
        NewPage();
        Text($"SALES CONTRACT No. {Number(d.DealId)}", 15, bold: true);
        Text($"Agreed on Scoda.Market on {d.AgreedAt.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)} (UTC). Deal {d.DealId}.", 9);
        Space(8);

        Section("1. Parties");
        foreach (var party in new[] { d.Seller, d.Buyer })
        {
            Row(party.Role, $"{party.Name}, {party.CountryCode}, registration No. {party.RegistrationNumber}");
            foreach (var localized in new[] { party.NameRu, party.NameZh }.OfType<string>())
            {
                Row("", localized);
            }
        }

        Section("2. Commodity");
        var c = d.Commodity;
        Row("Goods", c is null ? "—" : Names(c.Title));
        if (c is not null)
        {
            Row("Commodity", Names(c.CategoryName));
            Row("HS code", c.HsCode ?? "—");
        }
        var specs = SpecRows(c?.Specs, d.Terms.Specs);
        if (specs.Count > 0)
        {
            Text("Specification", 10, bold: true);
            foreach (var (label, value) in specs)
            {
                Row(label, value, indent: 12);
            }
        }

        Section("3. Quantity, price and total");
        Row("Quantity", $"{Amount(d.Terms.Quantity.Value)} {d.Terms.Quantity.Unit}, ±{Amount(d.Terms.TolerancePercent)} % at the seller's option");
        Row("Price", $"{Amount(d.Terms.Price.Amount)} {d.Terms.Price.Currency} per {d.Terms.Price.Unit}");
        Row("Total", $"{Money(d.Total)} (before tolerance; invoiced on the quantity shipped)");
        Row("Deposit", $"{Money(d.Deposit)} ({Amount(d.DepositShare * 100)} % of the total)");

        Section("4. Delivery");
        Row("Incoterms® 2020", $"{d.Terms.Incoterm} {d.Terms.NamedPlace}");
        Row("Transport", DeliveryText(d.Terms.DeliveryMode));
        Row("Delivery window", $"{Date(d.Terms.DeliveryWindow.From)} – {Date(d.Terms.DeliveryWindow.To)}");

        Section("5. Payment");
        Row("Terms", PaymentText(d.Terms.PaymentTerms));

        Section("6. Inspection");
        Row("Inspection body", d.Terms.InspectionBody is { } body
            ? $"{body}: quality and quantity at loading; its certificate is final."
            : "None named: the seller's laboratory certificate of quality.");

        Section("7. Documents");
        foreach (var document in d.Documents)
        {
            Row(DocumentName(document.Kind), document.Issuer is null ? document.Reason : $"{document.Reason} Issuer: {document.Issuer}.", indent: 0);
        }

        Section("8. Governing rules");
        foreach (var rule in GoverningRules(d.Terms))
        {
            Text($"• {rule}", 10);
        }

        Space(18);
        Row("For the seller", $"{d.Seller.Name}  ____________________");
        Row("For the buyer", $"{d.Buyer.Name}  ____________________");
    }

    /// <summary>The ICC rules the contract incorporates: Incoterms 2020 always; UCP 600 under a letter of credit; URC 522 for a collection.</summary>
    public static IReadOnlyList<string> GoverningRules(TermSheet terms)
    {
        var rules = new List<string> { $"Incoterms® 2020 (ICC Publication No. 723), rule {terms.Incoterm}." };
        if (terms.PaymentTerms is "lc_sight" or "lc_deferred")
        {
            rules.Add("Uniform Customs and Practice for Documentary Credits, UCP 600 (ICC Publication No. 600), for the letter of credit.");
        }
        if (terms.PaymentTerms is "cad" or "dp")
        {
            rules.Add("Uniform Rules for Collections, URC 522 (ICC Publication No. 522), for the documentary collection.");
        }
        rules.Add("Disputes not settled between the parties are resolved through Scoda.Market's dispute procedure.");
        return rules;
    }

    static List<(string Label, string Value)> SpecRows(IReadOnlyList<Taxonomy.SpecField>? schema, SpecValues values)
    {
        var rows = new List<(string, string)>();
        foreach (var (key, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var field = schema?.FirstOrDefault(f => f.Key == key);
            var label = field is null ? key : Names(field.Label);
            rows.Add((label, field?.Unit is { } unit ? $"{value} {unit}" : value));
        }
        return rows;
    }

    /// <summary>"Wheat / Пшеница / 小麦": English first, then Russian and Chinese where given (each once).</summary>
    static string Names(IReadOnlyDictionary<string, string> text) =>
        string.Join(" / ", Languages.Select(text.GetValueOrDefault).Concat(text.Values)
            .Where(v => !string.IsNullOrWhiteSpace(v)).Distinct(StringComparer.Ordinal).Take(3));

    static string Number(Guid id) => id.ToString("N")[..12].ToUpperInvariant();

    static string Amount(decimal value) => Decimals.Normalize(value).ToString("#,0.######", CultureInfo.InvariantCulture);

    static string Money(Money money) => $"{money.Amount.ToString("#,0.00", CultureInfo.InvariantCulture)} {money.Currency}";

    static string Date(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    static string DeliveryText(string mode) => mode switch
    {
        "rail" => "Rail (SMGS / CIM consignment note)",
        "road" => "Road (CMR consignment note)",
        "sea" => "Sea (bill of lading)",
        "inland_waterway" => "Inland waterway (bill of lading)",
        _ => "Multimodal (multimodal bill of lading)",
    };

    static string PaymentText(string terms) => terms switch
    {
        "tt_advance" => "Telegraphic transfer (T/T) in advance: the balance before shipment, after the deposit.",
        "tt_against_documents" => "Telegraphic transfer (T/T) against copies of the shipping documents.",
        "lc_sight" => "Irrevocable documentary letter of credit payable at sight (UCP 600).",
        "lc_deferred" => "Irrevocable documentary letter of credit, deferred payment (UCP 600).",
        "cad" => "Cash against documents (documentary collection, URC 522).",
        "dp" => "Documents against payment, D/P at sight (documentary collection, URC 522).",
        _ => terms,
    };

    static string DocumentName(string kind) => kind switch
    {
        DealChecklist.CommercialInvoice => "Commercial invoice",
        DealChecklist.PackingList => "Packing list",
        DealChecklist.CertificateOfOrigin => "Certificate of origin",
        DealChecklist.QualityCertificate => "Quality certificate",
        DealChecklist.PhytosanitaryCertificate => "Phytosanitary certificate",
        DealChecklist.RailWaybill => "Rail waybill (SMGS/CIM)",
        DealChecklist.BillOfLading => "Bill of lading",
        DealChecklist.RoadConsignmentNote => "CMR consignment note",
        DealChecklist.InsuranceCertificate => "Insurance certificate",
        DealChecklist.BillOfExchange => "Bill of exchange (draft)",
        DealChecklist.BeneficiaryCertificate => "Beneficiary's certificate",
        _ => kind,
    };

    // ---- Layout: a cursor down the page, lines wrapped to the width, CJK runs in the CJK font ----

    void NewPage()
    {
        _gfx?.Dispose();
        var page = _pdf.AddPage();
        page.Width = XUnit.FromPoint(595);
        page.Height = XUnit.FromPoint(842);
        _gfx = XGraphics.FromPdfPage(page);
        _y = Margin;
    }

    void Space(double points) => _y += points;

    void Section(string title)
    {
        Space(6);
        Text(title, 11.5, bold: true);
    }

    void Row(string label, string value, double indent = 0)
    {
        const double LabelWidth = 130;
        var top = _y;
        var labelBottom = Wrap(label, 10, true, Margin + indent, LabelWidth - indent - 6);
        _y = top;
        var valueBottom = Wrap(value, 10, false, Margin + LabelWidth, Width - LabelWidth);
        _y = Math.Max(labelBottom, valueBottom) + 2;
    }

    void Text(string text, double size, bool bold = false) => _y = Wrap(text, size, bold, Margin, Width) + 2;

    /// <summary>Draws <paramref name="text"/> wrapped at spaces (CJK at any character) inside the column; returns the bottom.</summary>
    double Wrap(string text, double size, bool bold, double left, double width)
    {
        var lineHeight = size * 1.35;
        var line = "";
        foreach (var token in Tokens(text))
        {
            var candidate = line + token;
            if (line.Length > 0 && Measure(candidate.TrimEnd(), size, bold) > width)
            {
                DrawLine(line.TrimEnd(), left, size, bold, lineHeight);
                line = token.TrimStart();
            }
            else
            {
                line = candidate;
            }
        }
        if (line.Length > 0)
        {
            DrawLine(line.TrimEnd(), left, size, bold, lineHeight);
        }
        return _y;
    }

    static IEnumerable<string> Tokens(string text)
    {
        var current = new System.Text.StringBuilder();
        foreach (var ch in text)
        {
            if (IsCjk(ch))
            {
                if (current.Length > 0)
                {
                    yield return current.ToString();
                    current.Clear();
                }
                yield return ch.ToString();
            }
            else
            {
                current.Append(ch);
                if (ch == ' ')
                {
                    yield return current.ToString();
                    current.Clear();
                }
            }
        }
        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    void DrawLine(string line, double left, double size, bool bold, double lineHeight)
    {
        if (_y + lineHeight > Bottom)
        {
            NewPage();
        }
        var x = left;
        foreach (var (run, cjk) in Runs(line))
        {
            var font = Font(size, bold, cjk);
            _gfx.DrawString(run, font, XBrushes.Black, new XPoint(x, _y + size));
            x += _gfx.MeasureString(run, font).Width;
        }
        _y += lineHeight;
    }

    double Measure(string text, double size, bool bold) => Runs(text).Sum(r => _gfx.MeasureString(r.Text, Font(size, bold, r.Cjk)).Width);

    /// <summary>The text split into runs of CJK and other characters; without a CJK font the CJK runs are left out.</summary>
    IEnumerable<(string Text, bool Cjk)> Runs(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || IsCjk(text[i]) != IsCjk(text[start]))
            {
                var cjk = IsCjk(text[start]);
                if (!cjk || _fonts.HasCjk)
                {
                    yield return (text[start..i], cjk);
                }
                start = i;
            }
        }
    }

    static XFont Font(double size, bool bold, bool cjk) =>
        new(cjk ? PdfFonts.Cjk : PdfFonts.Text, size, bold && !cjk ? XFontStyleEx.Bold : XFontStyleEx.Regular);

    static bool IsCjk(char ch) => ch is >= '\u2E80' and <= '\u9FFF' or >= '\uF900' and <= '\uFAFF' or >= '\uFF00' and <= '\uFFEF' or >= '\u3000' and <= '\u303F';
}
