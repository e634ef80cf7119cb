using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using FluentAssertions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Features.Accounts;

namespace Scoda.Market.IntegrationTests.Organizations;

public abstract class VerificationTests<TApp>(TApp fixture) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static readonly byte[] Pdf = SampleFiles.Pdf();
    static readonly byte[] Png = SampleFiles.Png();
    static readonly byte[] Executable = [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00];

    static MultipartFormDataContent Documents(params (string Name, byte[] Bytes, string ContentType)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes, type) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue(type);
            form.Add(part, "documents", name);
        }
        form.Add(new StringContent("Registration certificate and bank letter"), "note");
        return form;
    }


    int StoredFiles(Guid organization)
    {
        var folder = Path.Combine(App.DataPath, "kyb", organization.ToString("N"));
        return Directory.Exists(folder) ? Directory.GetFiles(folder).Length : 0;
    }

    [Fact]
    public async Task An_owner_requests_verification_and_a_moderator_verifies_it()
    {
        var owner = await App.SignUpAsync();
        var id = await new OrganizationBuilder().CreateAsync(owner);

        var request = await owner.Client.PostAsync($"/api/organizations/{id}/verification",
            Documents(("certificate.pdf", Pdf, "application/pdf"), ("licence.png", Png, "image/png")), Ct);
        request.StatusCode.Should().Be(HttpStatusCode.OK, await request.Content.ReadAsStringAsync(Ct));
        var pending = await request.ReadJsonAsync();
        pending.GetProperty("verification").GetProperty("status").GetString().Should().Be("pending");
        pending.GetProperty("documents").GetArrayLength().Should().Be(2);
        StoredFiles(id).Should().Be(2);

        var moderator = await App.SignUpWithRoleAsync(PlatformRoles.Moderator);
        var queue = await (await moderator.Client.GetAsync("/api/admin/organizations?status=pending&limit=100", Ct)).ReadJsonAsync();
        queue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).Should().Contain(id);
        var document = pending.GetProperty("documents").EnumerateArray()
            .Single(d => d.GetProperty("fileName").GetString() == "certificate.pdf").GetProperty("id").GetGuid();
        var download = await moderator.Client.GetAsync($"/api/organizations/{id}/verification/documents/{document}", Ct);
        download.StatusCode.Should().Be(HttpStatusCode.OK);
        (await download.Content.ReadAsByteArrayAsync(Ct)).Should().Equal(Pdf);

        var decided = await moderator.Client.PostAsJsonAsync($"/api/admin/organizations/{id}/verification", new { decision = "verified", note = "BIN matches the state register" }, Ct);
        decided.StatusCode.Should().Be(HttpStatusCode.OK);

        var outsider = await App.SignUpAsync();
        var profile = await (await outsider.Client.GetAsync($"/api/organizations/{id}", Ct)).ReadJsonAsync();
        profile.GetProperty("verified").GetBoolean().Should().BeTrue();
        var me = await (await owner.Client.GetAsync("/api/me", Ct)).ReadJsonAsync();
        me.GetProperty("organizations")[0].GetProperty("verification").GetString().Should().Be("verified");

        await (await moderator.Client.PostAsJsonAsync($"/api/admin/organizations/{id}/verification", new { decision = "rejected", note = "late" }, Ct))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_document_of_the_wrong_type_is_refused_and_nothing_is_kept()
    {
        var owner = await App.SignUpAsync();
        var id = await new OrganizationBuilder().CreateAsync(owner);

        var response = await owner.Client.PostAsync($"/api/organizations/{id}/verification",
            Documents(("certificate.pdf", Pdf, "application/pdf"), ("invoice.pdf", Executable, "application/pdf")), Ct);

        (await response.ShouldBeValidationProblemAsync())["documents"].Should().ContainSingle(m => m.Contains("invoice.pdf", StringComparison.Ordinal));
        StoredFiles(id).Should().Be(0);
        var organization = await (await owner.Client.GetAsync($"/api/organizations/{id}", Ct)).ReadJsonAsync();
        organization.GetProperty("verification").GetProperty("status").GetString().Should().Be("unverified");
        organization.GetProperty("documents").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task An_oversized_document_is_refused_and_nothing_is_kept()
    {
        var owner = await App.SignUpAsync();
        var id = await new OrganizationBuilder().CreateAsync(owner);
        var big = new byte[10 * 1024 * 1024 + 1];
        Pdf.CopyTo(big, 0);

        var response = await owner.Client.PostAsync($"/api/organizations/{id}/verification", Documents(("scan.pdf", big, "application/pdf")), Ct);

        (await response.ShouldBeValidationProblemAsync())["documents"].Should().ContainSingle(m => m.Contains("10 MB", StringComparison.Ordinal));
        StoredFiles(id).Should().Be(0);
    }

    [Fact]
    public async Task Verification_needs_documents_and_a_multipart_body()
    {
        var owner = await App.SignUpAsync();
        var id = await new OrganizationBuilder().CreateAsync(owner);

        (await (await owner.Client.PostAsync($"/api/organizations/{id}/verification", Documents(), Ct)).ShouldBeValidationProblemAsync()).Keys.Should().Contain("documents");
        (await (await owner.Client.PostAsJsonAsync($"/api/organizations/{id}/verification", new { note = "x" }, Ct)).ShouldBeValidationProblemAsync()).Keys.Should().Contain("documents");
        var tooMany = Documents(Enumerable.Range(0, 6).Select(i => ($"d{i}.pdf", Pdf, "application/pdf")).ToArray());
        (await (await owner.Client.PostAsync($"/api/organizations/{id}/verification", tooMany, Ct)).ShouldBeValidationProblemAsync()).Keys.Should().Contain("documents");
        StoredFiles(id).Should().Be(0);
    }

    [Fact]
    public async Task A_pending_request_cannot_be_repeated()
    {
        var owner = await App.SignUpAsync();
        var id = await new OrganizationBuilder().CreateAsync(owner);
        (await owner.Client.PostAsync($"/api/organizations/{id}/verification", Documents(("a.pdf", Pdf, "application/pdf")), Ct)).StatusCode.Should().Be(HttpStatusCode.OK);

        await (await owner.Client.PostAsync($"/api/organizations/{id}/verification", Documents(("b.pdf", Pdf, "application/pdf")), Ct)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        StoredFiles(id).Should().Be(1);
    }

    [Fact]
    public async Task A_rejection_needs_a_reason_and_lets_the_owner_try_again()
    {
        var owner = await App.SignUpAsync();
        var id = await new OrganizationBuilder().CreateAsync(owner);
        await owner.Client.PostAsync($"/api/organizations/{id}/verification", Documents(("a.pdf", Pdf, "application/pdf")), Ct);
        var admin = await App.SignUpWithRoleAsync(PlatformRoles.Admin);

        (await (await admin.Client.PostAsJsonAsync($"/api/admin/organizations/{id}/verification", new { decision = "rejected" }, Ct)).ShouldBeValidationProblemAsync()).Keys.Should().Contain("note");
        (await (await admin.Client.PostAsJsonAsync($"/api/admin/organizations/{id}/verification", new { decision = "maybe" }, Ct)).ShouldBeValidationProblemAsync()).Keys.Should().Contain("decision");
        var rejected = await admin.Client.PostAsJsonAsync($"/api/admin/organizations/{id}/verification", new { decision = "rejected", note = "The certificate is unreadable." }, Ct);
        (await rejected.ReadJsonAsync()).GetProperty("verification").GetProperty("note").GetString().Should().Be("The certificate is unreadable.");

        var again = await owner.Client.PostAsync($"/api/organizations/{id}/verification", Documents(("b.pdf", Pdf, "application/pdf")), Ct);
        (await again.ReadJsonAsync()).GetProperty("verification").GetProperty("status").GetString().Should().Be("pending");
    }

    [Fact]
    public async Task Outsiders_cannot_request_decide_or_read_documents()
    {
        var owner = await App.SignUpAsync();
        var id = await new OrganizationBuilder().CreateAsync(owner);
        var uploaded = await (await owner.Client.PostAsync($"/api/organizations/{id}/verification", Documents(("a.pdf", Pdf, "application/pdf")), Ct)).ReadJsonAsync();
        var document = uploaded.GetProperty("documents")[0].GetProperty("id").GetGuid();
        var outsider = await App.SignUpAsync();
        await new OrganizationBuilder().In("CN").OfKind("importer").CreateAsync(outsider);

        await (await outsider.Client.PostAsync($"/api/organizations/{id}/verification", Documents(("x.pdf", Pdf, "application/pdf")), Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await outsider.Client.GetAsync($"/api/organizations/{id}/verification/documents/{document}", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await outsider.Client.PostAsJsonAsync($"/api/admin/organizations/{id}/verification", new { decision = "verified" }, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await outsider.Client.GetAsync("/api/admin/organizations", Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await owner.Client.PostAsJsonAsync($"/api/admin/organizations/{id}/verification", new { decision = "verified" }, Ct)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        StoredFiles(id).Should().Be(1);
        var status = "";
        await App.WithDbAsync(async db => status = (await db.Organizations.SingleAsync(o => o.Id == id, Ct)).VerificationStatus.ToString());
        status.Should().Be("Pending");
    }

    [Fact]
    public async Task The_queue_pages_by_cursor_and_refuses_a_forged_cursor()
    {
        var admin = await App.SignUpWithRoleAsync(PlatformRoles.Admin);
        for (var i = 0; i < 3; i++)
        {
            var owner = await App.SignUpAsync();
            var id = await new OrganizationBuilder().CreateAsync(owner);
            await owner.Client.PostAsync($"/api/organizations/{id}/verification", Documents(("a.pdf", Pdf, "application/pdf")), Ct);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await (await admin.Client.GetAsync($"/api/admin/organizations?status=pending&limit=2&cursor={cursor}", Ct)).ReadJsonAsync();
            page.GetProperty("items").GetArrayLength().Should().BeLessThanOrEqualTo(2);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        seen.Should().OnlyHaveUniqueItems().And.HaveCountGreaterThanOrEqualTo(3);
        (await (await admin.Client.GetAsync("/api/admin/organizations?cursor=not-a-cursor", Ct)).ShouldBeValidationProblemAsync()).Keys.Should().Contain("cursor");
        (await (await admin.Client.GetAsync("/api/admin/organizations?limit=0", Ct)).ShouldBeValidationProblemAsync()).Keys.Should().Contain("limit");
        (await (await admin.Client.GetAsync("/api/admin/organizations?status=happy", Ct)).ShouldBeValidationProblemAsync()).Keys.Should().Contain("status");
    }
}

public sealed class VerificationTests_Sqlite(SqliteApp app) : VerificationTests<SqliteApp>(app), IClassFixture<SqliteApp>;

public sealed class VerificationTests_Postgres(PostgresApp app) : VerificationTests<PostgresApp>(app), IClassFixture<PostgresApp>;
