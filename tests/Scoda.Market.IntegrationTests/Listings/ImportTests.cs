using System.Net;
using System.Text;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.Listings;

public abstract class ImportTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Header = "category,title_en,title_ru,title_zh,hs_code,specs,origin_country,quantity,quantity_unit,min_order,min_order_unit,price,currency,price_unit,incoterm,named_place,delivery_mode,payment_terms,valid_until";

    static string Until => DateTimeOffset.UtcNow.AddDays(90).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    async Task<int> DraftsAsync(Guid organization)
    {
        var count = 0;
        await App.WithDbAsync(async db => count = await db.Listings.CountAsync(l => l.OrganizationId == organization, Ct));
        return count;
    }

    [Fact]
    public async Task Valid_rows_become_drafts_and_each_invalid_row_is_reported_with_its_line()
    {
        var seller = await Seller.CreateAsync(App);
        var csv = string.Join("\n",
            Header,
            $"wheat,\"Milling wheat, class 3\",Пшеница 3 класс,三级小麦,100199,protein=12.5;moisture=13;testWeight=76,KZ,5000,t,500,t,245.50,USD,t,DAP,Khorgos,rail,lc_sight;tt_advance,{Until}",
            $"wheat,Wheat class 4,,,100199,protein=11;moisture=13;testWeight=74,KZ,3000,t,,,229,USD,t,FOB,Aktau,rail,tt_advance,{Until}",
            $"barley,Feed barley,Ячмень фуражный,,100390,moisture=13;testWeight=62;purpose=feed,RU,12.345,t,1,t,15500,RUB,t,CPT,Zabaikalsk,rail,cad,{Until}",
            $"copper-concentrate,Copper concentrate 22% Cu,,铜精矿,260300,cu=22;moisture=8;as=0.2,KZ,abc,t,,,2500,USD,t,CIF,Qingdao,sea,lc_sight,{Until}",
            $"sawn-pine,Pine boards,Доска сосновая,松木锯材,440711,grade=2;thickness=50;width=150,RU,800,m3,40,m3,230,USD,m3,FCA,Tomsk,rail,tt_advance,{Until}");

        var response = await seller.Owner.Client.PostAsync($"/api/listings/import?organizationId={seller.OrganizationId}", Csv(csv), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var result = await response.ReadJsonAsync();
        result.GetProperty("imported").GetInt32().Should().Be(3);
        var rejected = result.GetProperty("rejected").EnumerateArray().ToList();
        rejected.Select(r => r.GetProperty("row").GetInt32()).Should().Equal(3, 5);
        rejected[0].GetProperty("errors").TryGetProperty("incoterm", out _).Should().BeTrue("FOB is sea-only and the row says rail");
        rejected[1].GetProperty("errors").TryGetProperty("quantity", out _).Should().BeTrue();
        // Each message also travels coded, so the import page words it in the seller's language.
        var quantity = rejected[1].GetProperty("fieldErrors").EnumerateArray().First(e => e.GetProperty("field").GetString() == "quantity");
        quantity.GetProperty("message").GetString().Should().Be(rejected[1].GetProperty("errors").GetProperty("quantity")[0].GetString());
        quantity.GetProperty("code").GetString().Should().NotBeNullOrEmpty();
        (await DraftsAsync(seller.OrganizationId)).Should().Be(3);

        var barley = result.GetProperty("listingIds")[1].GetGuid();
        var listing = await (await seller.Owner.Client.GetAsync($"/api/listings/{barley}", Ct)).ReadJsonAsync();
        listing.GetProperty("status").GetString().Should().Be("draft");
        listing.GetProperty("quantity").GetProperty("value").GetRawText().Should().Be("12.345");
        listing.GetProperty("specs").GetProperty("purpose").GetString().Should().Be("feed");
    }

    [Theory]
    [InlineData("category,colour\nwheat,red\n", "file")]
    [InlineData("category,title_en\nwheat,x\n", "file")]
    [InlineData("", "file")]
    [InlineData("category,title_en,quantity\n\"wheat,broken\n", "file")]
    public async Task A_bad_file_is_refused_whole(string csv, string field)
    {
        var seller = await Seller.CreateAsync(App);

        var response = await seller.Owner.Client.PostAsync($"/api/listings/import?organizationId={seller.OrganizationId}", Csv(csv), Ct);

        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain(field);
        (await DraftsAsync(seller.OrganizationId)).Should().Be(0);
    }

    [Fact]
    public async Task Nobody_imports_for_another_organization()
    {
        var seller = await Seller.CreateAsync(App);
        var rival = await Seller.CreateAsync(App);
        var csv = $"{Header}\nwheat,Wheat,,,100199,protein=12;moisture=13;testWeight=75,KZ,100,t,,,240,USD,t,DAP,Khorgos,rail,tt_advance,{Until}\n";

        await (await rival.Owner.Client.PostAsync($"/api/listings/import?organizationId={seller.OrganizationId}", Csv(csv), Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await (await rival.Owner.Client.PostAsync("/api/listings/import", Csv(csv), Ct)).ShouldBeValidationProblemAsync()).Keys.Should().Contain("organizationId");
        (await DraftsAsync(seller.OrganizationId)).Should().Be(0);
    }
}

public sealed class ImportTests_Sqlite(SqliteApp app) : ImportTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class ImportTests_Postgres(PostgresApp app) : ImportTests<PostgresApp>(app), IClassFixture<PostgresApp>;
