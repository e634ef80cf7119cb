using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.IntegrationTests.Infrastructure;

namespace Scoda.Market.IntegrationTests.Operations;

/// <summary>The rows of issue 15 that used to answer 500 (or the wrong status), one by one, on both databases.</summary>
public abstract class MalformedInputTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<int> ListingCountAsync()
    {
        var count = 0;
        await App.WithDbAsync(async db => count = await db.Listings.CountAsync(Ct));
        return count;
    }

    [Theory]
    [InlineData("price.amount", "NaN")]
    [InlineData("price.amount", "1e308")]
    [InlineData("price.amount", "Infinity")]
    [InlineData("price.amount", "9999999999999999999999999999999999999999")]
    [InlineData("quantity.value", "abc")]
    [InlineData("minOrder.value", "-")]
    public async Task A_decimal_string_that_is_not_a_number_is_a_400_naming_the_field(string field, string value)
    {
        var seller = await Seller.CreateAsync(App);
        var before = await ListingCountAsync();

        var response = await seller.Owner.Client.PostAsJsonAsync("/api/listings", new ListingBuilder(seller.OrganizationId).With(field, value).Build(), Ct);

        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain(field);
        (await ListingCountAsync()).Should().Be(before);
    }

    [Fact]
    public async Task Numbers_too_large_for_a_decimal_are_a_400_naming_the_field()
    {
        var seller = await Seller.CreateAsync(App);
        var body = new ListingBuilder(seller.OrganizationId).Build().ToJsonString()
            .Replace("\"245.50\"", "1e308", StringComparison.Ordinal);

        var response = await seller.Owner.Client.PostAsync("/api/listings", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain("price.amount");
        var warehouse = await seller.Owner.Client.PostAsJsonAsync("/api/warehouses", new
        {
            organizationId = seller.OrganizationId, name = "Khorgos", kind = "port", countryCode = "KZ", city = "Khorgos",
            location = new { lat = "NaN", lon = "1e308" },
        }, Ct);
        (await warehouse.ShouldBeValidationProblemAsync()).Keys.Should().Contain("location.lat");
    }

    [Fact]
    public async Task A_null_inside_a_list_is_a_400_naming_the_element()
    {
        var seller = await Seller.CreateAsync(App);
        var before = await ListingCountAsync();

        var response = await seller.Owner.Client.PostAsJsonAsync("/api/listings",
            new ListingBuilder(seller.OrganizationId).With("certificates", new JsonArray("SGS", null)).Build(), Ct);

        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain("certificates[1]");
        (await ListingCountAsync()).Should().Be(before);
    }

    [Theory]
    [InlineData("/api/auth/register", """{"email":null,"password":"Correct-Horse-42"}""", "email")]
    [InlineData("/api/auth/register", """{"email":"x@example.test","password":null}""", "password")]
    [InlineData("/api/auth/login", """{"email":null,"password":"Correct-Horse-42"}""", "email")]
    [InlineData("/api/auth/login", """{"email":"x@example.test","password":null}""", "password")]
    [InlineData("/api/auth/forgotPassword", """{"email":null}""", "email")]
    [InlineData("/api/auth/resetPassword", """{"email":null,"resetCode":"x","newPassword":"Correct-Horse-42"}""", "email")]
    [InlineData("/api/auth/resetPassword", """{"email":"x@example.test","resetCode":"x","newPassword":null}""", "newPassword")]
    [InlineData("/api/auth/resendConfirmationEmail", """{"email":null}""", "email")]
    public async Task Null_credentials_on_the_identity_endpoints_are_a_400_naming_the_field(string path, string body, string field)
    {
        var response = await App.CreateClient().PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain(field);
    }

    [Theory]
    [InlineData("/api/auth/login", """{"email":"a\u0000@example.test","password":"Correct-Horse-42"}""")]
    [InlineData("/api/auth/forgotPassword", """{"email":"a\u0000@example.test"}""")]
    [InlineData("/api/auth/resendConfirmationEmail", """{"email":"a\u0000@example.test"}""")]
    public async Task A_nul_in_an_identity_email_is_a_400_before_it_reaches_the_database(string path, string body)
    {
        var response = await App.CreateClient().PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain("email");
    }

    [Fact]
    public async Task Null_fields_of_the_signed_in_identity_endpoints_are_a_400()
    {
        var user = await App.SignUpAsync();
        var response = await user.Client.PostAsync("/api/auth/manage/info",
            new StringContent("""{"newPassword":"Correct-Horse-43","oldPassword":null}""", Encoding.UTF8, "application/json"), Ct);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_multipart_file_name_with_a_line_break_is_a_400_and_stores_nothing()
    {
        var seller = await Seller.CreateAsync(App);
        var listing = (await new ListingBuilder(seller.OrganizationId).CreateAsync(seller.Owner)).GetProperty("id").GetGuid();
        const string Boundary = "scoda-boundary";
        var body = new MemoryStream();
        body.Write(Encoding.ASCII.GetBytes(
            $"--{Boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nphoto\r\n" +
            $"--{Boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"silo\r\n.png\"\r\nContent-Type: image/png\r\n\r\n"));
        body.Write(SampleFiles.Png());
        body.Write(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n"));
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");

        var response = await seller.Owner.Client.PostAsync($"/api/listings/{listing}/files", content, Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        var files = -1;
        await App.WithDbAsync(async db => files = await db.ListingFiles.CountAsync(f => f.ListingId == listing, Ct));
        files.Should().Be(0);
    }

    [Fact]
    public async Task A_json_body_sent_as_text_plain_is_a_415_problem()
    {
        var seller = await Seller.CreateAsync(App);
        var json = new ListingBuilder(seller.OrganizationId).Build().ToJsonString();

        var response = await seller.Owner.Client.PostAsync("/api/listings", new StringContent(json, Encoding.UTF8, "text/plain"), Ct);

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType);
        // Unknown routes and wrong methods still answer as problems.
        await (await seller.Owner.Client.PostAsync("/api/no-such-thing", new StringContent(json, Encoding.UTF8, "text/plain"), Ct))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await seller.Owner.Client.DeleteAsync("/api/listings", Ct)).ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Theory]
    [InlineData("Milling wheat\u0000")]
    [InlineData("Wheat \u202Etaehw")]
    [InlineData("Bell\u0007")]
    public async Task Text_with_nul_control_or_bidi_override_characters_is_refused_and_not_stored(string title)
    {
        var seller = await Seller.CreateAsync(App);
        var before = await ListingCountAsync();

        var response = await seller.Owner.Client.PostAsJsonAsync("/api/listings", new ListingBuilder(seller.OrganizationId).With("title.en", title).Build(), Ct);

        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain("title.en");
        (await ListingCountAsync()).Should().Be(before);
        // Persian needs the zero-width non-joiner: it stays allowed.
        var persian = await seller.Owner.Client.PostAsJsonAsync("/api/listings",
            new ListingBuilder(seller.OrganizationId).With("description.en", "گندم نان\u200Cپزی").Build(), Ct);
        persian.StatusCode.Should().Be(HttpStatusCode.Created, await persian.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_nul_in_a_query_value_is_a_400_naming_the_parameter()
    {
        var response = await App.CreateClient().GetAsync("/api/search/listings?q=wheat%00", Ct);

        (await response.ShouldBeValidationProblemAsync()).Keys.Should().Contain("q");
    }

    static MultipartFormDataContent Upload(string kind, string name, byte[] bytes, string contentType)
    {
        var form = new MultipartFormDataContent { { new StringContent(kind), "kind" } };
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "files", name);
        return form;
    }

    [Fact]
    public async Task Polyglot_uploads_are_refused()
    {
        var seller = await Seller.CreateAsync(App);
        var listing = (await new ListingBuilder(seller.OrganizationId).CreateAsync(seller.Owner)).GetProperty("id").GetGuid();
        byte[] pdfThenHtml = [.. "%PDF-1.7\n<html><body><script>fetch('/api/me')</script></body></html>\n%%EOF\n"u8];
        byte[] pngThenHtml = [.. SampleFiles.Png().AsSpan(0, 33), .. "<html><script>alert(1)</script></html>"u8];

        var pdf = await seller.Owner.Client.PostAsync($"/api/listings/{listing}/files", Upload("document", "spec.pdf", pdfThenHtml, "application/pdf"), Ct);
        var png = await seller.Owner.Client.PostAsync($"/api/listings/{listing}/files", Upload("photo", "silo.png", pngThenHtml, "image/png"), Ct);
        var wrapped = await seller.Owner.Client.PostAsync($"/api/listings/{listing}/files",
            Upload("document", "spec.pdf", SampleFiles.Pdf("<script>alert(1)</script>\n"), "application/pdf"), Ct);

        (await pdf.ShouldBeValidationProblemAsync()).Keys.Should().Contain("files");
        (await png.ShouldBeValidationProblemAsync()).Keys.Should().Contain("files");
        (await wrapped.ShouldBeValidationProblemAsync())["files"].Should().ContainSingle(m => m.Contains("markup", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("invoice\u202Efdp.exe", "invoicefdp.exe.pdf")]
    [InlineData("..\\..\\certificate.pdf", "certificate.pdf")]
    [InlineData("../../etc/passwd", "passwd.pdf")]
    public async Task Uploaded_file_names_are_normalized_and_downloads_are_sandboxed_attachments(string name, string stored)
    {
        var seller = await Seller.CreateAsync(App);
        var listing = (await new ListingBuilder(seller.OrganizationId).CreateAsync(seller.Owner)).GetProperty("id").GetGuid();

        var uploaded = await seller.Owner.Client.PostAsync($"/api/listings/{listing}/files", Upload("document", name, SampleFiles.Pdf(), "text/html"), Ct);

        uploaded.StatusCode.Should().Be(HttpStatusCode.OK, await uploaded.Content.ReadAsStringAsync(Ct));
        var file = (await uploaded.ReadJsonAsync()).GetProperty("files")[0];
        file.GetProperty("fileName").GetString().Should().Be(stored);
        var download = await seller.Owner.Client.GetAsync($"/api/listings/{listing}/files/{file.GetProperty("id").GetGuid()}", Ct);
        download.StatusCode.Should().Be(HttpStatusCode.OK);
        download.Content.Headers.ContentType!.MediaType.Should().Be("application/pdf", "the type comes from the bytes, not the client");
        download.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
        download.Content.Headers.ContentDisposition.FileNameStar.Should().Be(stored);
        download.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        download.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'none'").And.Contain("sandbox");
    }

    [Fact]
    public async Task Verification_documents_are_downloaded_as_sandboxed_attachments()
    {
        var owner = await App.SignUpAsync();
        var organization = await new OrganizationBuilder().CreateAsync(owner);
        var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(SampleFiles.Pdf());
        part.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(part, "documents", "registration\u200B.pdf");
        var requested = await owner.Client.PostAsync($"/api/organizations/{organization}/verification", form, Ct);
        requested.StatusCode.Should().Be(HttpStatusCode.OK, await requested.Content.ReadAsStringAsync(Ct));
        var document = (await requested.ReadJsonAsync()).GetProperty("documents")[0];
        document.GetProperty("fileName").GetString().Should().Be("registration.pdf");

        var download = await owner.Client.GetAsync($"/api/organizations/{organization}/verification/documents/{document.GetProperty("id").GetGuid()}", Ct);

        download.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
        download.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        download.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("sandbox");
    }

    [Fact]
    public async Task A_validation_problem_carries_each_field_error_as_a_code_with_params_beside_the_english()
    {
        var user = await App.SignUpAsync();
        static async Task<List<System.Text.Json.JsonElement>> FieldErrorsAsync(HttpResponseMessage response)
        {
            var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
            var coded = problem.GetProperty("fieldErrors").EnumerateArray().ToList();
            // Every English message has its coded twin, field by field.
            coded.Select(e => (e.GetProperty("field").GetString(), e.GetProperty("message").GetString())).Should().BeEquivalentTo(
                problem.GetProperty("errors").EnumerateObject().SelectMany(f => f.Value.EnumerateArray().Select(m => (f.Name, m.GetString()))));
            return coded;
        }

        var language = (await FieldErrorsAsync(await user.Client.PutAsJsonAsync("/api/me/preferences", new { language = "fr", mail = "digest" }, Ct)))
            .Single(e => e.GetProperty("field").GetString() == "language");
        language.GetProperty("code").GetString().Should().Be("not_allowed");
        language.GetProperty("params").GetProperty("allowed").GetString().Should().Be("en, ru, zh");

        (await FieldErrorsAsync(await user.Client.GetAsync("/api/dashboard", Ct))).Single().GetProperty("code").GetString().Should().Be("required");

        var organization = await new OrganizationBuilder().In("CN").OfKind("importer").CreateAsync(user);
        var tooLong = (await FieldErrorsAsync(await user.Client.PostAsJsonAsync("/api/saved-searches",
            new { organizationId = organization, name = new string('n', 101), query = new { q = "wheat" } }, Ct))).Single();
        tooLong.GetProperty("code").GetString().Should().Be("too_long");
        tooLong.GetProperty("params").GetProperty("max").GetString().Should().Be("100");

        var seller = await Seller.CreateAsync(App);
        var listing = await FieldErrorsAsync(await seller.Owner.Client.PostAsJsonAsync("/api/listings",
            new ListingBuilder(seller.OrganizationId).With("originCountry", "Kazakhstan").With("specs.protein", 99).Build(), Ct));
        listing.Single(e => e.GetProperty("field").GetString() == "originCountry").GetProperty("params").GetProperty("format").GetString().Should().Be("country");
        var protein = listing.Single(e => e.GetProperty("field").GetString() == "specs.protein");
        protein.GetProperty("code").GetString().Should().Be("out_of_range");
        protein.GetProperty("params").GetProperty("unit").GetString().Should().Be("%");

        // The framework's binding failures are coded too.
        (await FieldErrorsAsync(await user.Client.GetAsync($"/api/saved-searches?organizationId={organization}&limit=abc", Ct)))
            .Single().GetProperty("params").GetProperty("format").GetString().Should().Be("value");
    }
}

public sealed class MalformedInputTests_Sqlite(SqliteApp app) : MalformedInputTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class MalformedInputTests_Postgres(PostgresApp app) : MalformedInputTests<PostgresApp>(app), IClassFixture<PostgresApp>;
