using System.Net;
using System.Security.Cryptography;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Data;
using UglyToad.PdfPig;

namespace Scoda.Market.IntegrationTests.Deals;

/// <summary>The contract PDF: its content, its hash stored at first generation, the same bytes after, for both sides only.</summary>
public abstract class ContractTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_contract_states_the_terms_and_its_hash_is_stored_at_first_generation()
    {
        var deal = await AgreedTrade.CreateAsync(App, t => t.With("incoterm", "CIP").With("paymentTerms", "lc_sight"));

        var first = await deal.Buyer.Client.GetAsync($"/api/deals/{deal.DealId}/contract", Ct);
        first.StatusCode.Should().Be(HttpStatusCode.OK, await first.Content.ReadAsStringAsync(Ct));
        first.Content.Headers.ContentType!.MediaType.Should().Be("application/pdf");
        var bytes = await first.Content.ReadAsByteArrayAsync(Ct);
        bytes.AsSpan(0, 5).ToArray().Should().Equal("%PDF-"u8.ToArray());

        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var stored = await App.WithScopeAsync(s => s.GetRequiredService<MarketDbContext>().Deals.AsNoTracking().SingleAsync(d => d.Id == deal.DealId, Ct));
        stored.ContractSha256.Should().Be(hash);
        (await deal.DealAsync()).GetProperty("contractSha256").GetString().Should().Be(hash);

        var again = await (await deal.Seller.Client.GetAsync($"/api/deals/{deal.DealId}/contract", Ct)).Content.ReadAsByteArrayAsync(Ct);
        again.Should().Equal(bytes);
        (await deal.DealAsync()).GetProperty("events").EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "contract_generated").Should().Be(1);

        using var pdf = PdfDocument.Open(bytes);
        var text = string.Join("\n", pdf.GetPages().Select(p => p.Text));
        text.Should().Contain("SALES CONTRACT");
        text.Should().Contain("Пшеница мягкая", "Cyrillic names embed through DejaVu Sans");
        if (Scoda.Market.Web.Infrastructure.Pdf.PdfFonts.Install().HasCjk)
        {
            text.Should().Contain("小麦", "Chinese names embed through Noto Sans CJK SC");
        }
        foreach (var expected in new[] { "CIP Khorgos", "120,000.00 USD", "240 USD per t", "±5 %", "UCP 600", "Incoterms", "SGS", "Insurance certificate",
                     "Rail waybill", "Phytosanitary certificate", "HS code", "registration No." })
        {
            text.Replace(" ", "", StringComparison.Ordinal).Should().Contain(expected.Replace(" ", "", StringComparison.Ordinal), $"the contract names {expected}");
        }
    }

    [Fact]
    public async Task Outsiders_get_no_contract()
    {
        var deal = await AgreedTrade.CreateAsync(App);
        var other = await AgreedTrade.CreateAsync(App);
        (await other.Buyer.Client.GetAsync($"/api/deals/{deal.DealId}/contract", Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await (await App.SignUpAsync()).Client.GetAsync($"/api/deals/{deal.DealId}/contract", Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await App.WithScopeAsync(s => s.GetRequiredService<MarketDbContext>().Deals.AsNoTracking().SingleAsync(d => d.Id == deal.DealId, Ct)))
            .ContractSha256.Should().BeNull();
    }
}

public sealed class ContractTests_Sqlite(SqliteApp fixture) : ContractTests<SqliteApp>(fixture), IClassFixture<SqliteApp>;

public sealed class ContractTests_Postgres(PostgresApp fixture) : ContractTests<PostgresApp>(fixture), IClassFixture<PostgresApp>;
