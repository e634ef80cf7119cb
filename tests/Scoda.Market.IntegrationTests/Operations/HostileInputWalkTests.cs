using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.IntegrationTests.Infrastructure;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Features.BuyRequests;
using Scoda.Market.Web.Features.Notifications;
using Scoda.Market.Web.Features.LiveSessions;
using Scoda.Market.Web.Infrastructure.Outbox;

namespace Scoda.Market.IntegrationTests.Operations;

/// <summary>
/// Walks every operation of the app's own <c>/openapi/v1.json</c> and sends, for each body field, query parameter and
/// path parameter, a bounded set of hostile values, as the owner of an organization with real listings, warehouse,
/// stock, a negotiation room with an offer and a file (so path ids are real ones; <c>/api/admin/*</c> as an admin).
/// Every answer must be below 500, and a refused request (any non-2xx) must leave every table as it was. Requests the
/// server accepts (a zero-width character in a note is fine text) become the new baseline. Left out of the comparison
/// are the outbox and the matches: the search indexer works the outbox off in the background and matchmaking runs
/// from it, on their own schedule after an accepted change; and the live-presence heartbeat, which each host rewrites
/// every tick whatever the requests. GET requests are not followed by a snapshot (it halves
/// the run); the next state-changing request's comparison would still see a change a GET made.
/// </summary>
public abstract class HostileInputWalkTests<TApp>(TApp fixture, ITestOutputHelper output) where TApp : AppFixture
{
    MarketApp App => fixture.App;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Placeholder = "\u0001hostile\u0001";

    /// <summary>Raw JSON: wrong types, null, empty, huge, NaN/Infinity/1e308 as text and as numbers, 40 digits, control, bidi and zero-width characters, deep nesting.</summary>
    static readonly (string Label, string Json)[] BodyValues =
    [
        ("null", "null"), ("true", "true"), ("number", "12345"), ("empty", "\"\""), ("object", "{}"), ("array", "[]"),
        ("text", "\"abc\""), ("NaN text", "\"NaN\""), ("Infinity text", "\"Infinity\""), ("1e308 text", "\"1e308\""),
        ("1e308", "1e308"), ("bare NaN", "NaN"), ("40 digits text", $"\"{new string('9', 40)}\""),
        ("40 digits", new string('9', 40)), ("NUL", "\"a\\u0000b\""),
        ("controls", "\"\\u0001\\u001b[31m\\u007f\""), ("bidi override", "\"\\u202Eexe.fdp\\u202C\""),
        ("zero-width", "\"a\\u200Bb\\uFEFF\""), ("lone surrogate", "\"\\uD800\""), ("huge", $"\"{new string('x', 64_000)}\""),
        ("deep nesting", $"{new string('[', 200)}{new string(']', 200)}"),
    ];

    static readonly (string Label, string Value)[] QueryValues =
    [
        ("empty", ""), ("text", "abc"), ("NaN", "NaN"), ("1e308", "1e308"), ("40 digits", new string('9', 40)), ("negative", "-1"),
        ("NUL", "a\0b"), ("controls", "\u0001\u001b"), ("bidi override", "\u202Eexe"), ("zero-width", "a\u200Bb"),
        ("huge", new string('x', 20_000)),
    ];

    // No %00: the server's URL decoder refuses a NUL in the path before the app sees it (Kestrel answers 400; the
    // test host, which decodes on the client side, throws instead).
    static readonly string[] PathValues = ["not-a-guid", "%01", "..%2F..%2Fetc", "%E2%80%AE"];

    [Fact]
    public async Task No_hostile_value_in_any_documented_field_yields_a_5xx_or_changes_the_database()
    {
        var clock = Stopwatch.StartNew();
        var world = await World.CreateAsync(App);
        var document = await App.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var tally = new Tally();
        var baseline = await SnapshotAsync();

        foreach (var pathItem in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in pathItem.Value.EnumerateObject().Where(o => o.Name != "parameters"))
            {
                tally.Operations++;
                var method = new HttpMethod(operation.Name.ToUpperInvariant());
                var template = pathItem.Name;
                // Account routes get a user of their own: an accepted logout or password change ends that user's
                // sessions, and the owner's must last the whole walk.
                var client = world.Owner.Client;
                if (template.StartsWith("/api/admin", StringComparison.Ordinal))
                {
                    client = world.Admin.Client;
                }
                else if (template.StartsWith("/api/auth", StringComparison.Ordinal))
                {
                    client = (await App.SignUpAsync()).Client;
                    baseline = await SnapshotAsync();
                }
                var parameters = operation.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : [];
                var body = BaseBody(method, template, operation.Value, schemas, world);

                async Task SendAsync(string field, string label, string path, string? json, HttpContent? content = null)
                {
                    tally.Values++;
                    using var request = new HttpRequestMessage(method, path)
                    {
                        Content = content ?? (json is null ? null : new StringContent(json, Encoding.UTF8, "application/json")),
                    };
                    using var response = await client.SendAsync(request, Ct);
                    var status = (int)response.StatusCode;
                    tally.Statuses[status] = tally.Statuses.GetValueOrDefault(status) + 1;
                    if (status == 401 && tally.FirstUnauthorized is null && !template.StartsWith("/api/auth", StringComparison.Ordinal))
                    {
                        tally.FirstUnauthorized = $"{method} {template} {field} = {label}";
                    }
                    var what = $"{method} {template} {field} = {label} → {status}";
                    if (status >= 500)
                    {
                        tally.ServerErrors.Add($"{what}: {Shorten(await response.Content.ReadAsStringAsync(Ct))}");
                    }
                    if (status is >= 200 and < 300)
                    {
                        tally.Accepted++;
                    }
                    if (method == HttpMethod.Get)
                    {
                        return;
                    }
                    var after = await SnapshotAsync();
                    if (status is < 200 or >= 300 && after.Changed(baseline) is { } table)
                    {
                        tally.ChangedOnRefusal.Add($"{what} changed {table}");
                    }
                    baseline = after;
                }

                var realPath = Fill(template, world);
                foreach (var parameter in parameters)
                {
                    var name = parameter.GetProperty("name").GetString()!;
                    tally.Fields++;
                    if (parameter.GetProperty("in").GetString() == "path")
                    {
                        foreach (var value in PathValues)
                        {
                            await SendAsync($"path {name}", value, Fill(template, world, (name, value)), body?.ToJsonString());
                        }
                        continue;
                    }
                    foreach (var (label, value) in QueryValues)
                    {
                        await SendAsync($"query {name}", label, $"{realPath}?{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}", body?.ToJsonString());
                    }
                }

                if (body is not null)
                {
                    foreach (var field in FieldsOf(body))
                    {
                        tally.Fields++;
                        foreach (var (label, json) in BodyValues)
                        {
                            await SendAsync(field, label, realPath, With(body, field, json));
                        }
                    }
                    await SendAsync("body", "text/plain", realPath, null, new StringContent(body.ToJsonString(), Encoding.UTF8, "text/plain"));
                }
                else if (method == HttpMethod.Post && operation.Value.TryGetProperty("summary", out var summary)
                    && summary.GetString()!.Contains("multipart/form-data", StringComparison.Ordinal))
                {
                    tally.Fields++;
                    foreach (var (label, content) in HostileForms())
                    {
                        await SendAsync("multipart", label, realPath, null, content);
                    }
                }
            }
        }

        output.WriteLine($"{App.Kind}: {tally.Operations} operations, {tally.Fields} fields, {tally.Values} values sent, {tally.ServerErrors.Count} 5xx seen, "
            + $"{tally.Accepted} accepted, {tally.ChangedOnRefusal.Count} refusals that changed data, {clock.Elapsed.TotalSeconds:F0} s; "
            + $"statuses {string.Join(", ", tally.Statuses.OrderBy(x => x.Key).Select(x => $"{x.Key}: {x.Value}"))}; first 401: {tally.FirstUnauthorized ?? "none"}");
        foreach (var line in tally.ServerErrors.Concat(tally.ChangedOnRefusal).Take(40))
        {
            output.WriteLine(line);
        }
        tally.Operations.Should().BeGreaterThan(60, "the walk covers the whole OpenAPI document");
        tally.FirstUnauthorized.Should().BeNull("the owner stays signed in for the whole walk, else its values only meet the 401 check");
        tally.ServerErrors.Should().BeEmpty();
        tally.ChangedOnRefusal.Should().BeEmpty();
    }

    sealed class Tally
    {
        public int Operations;
        public int Fields;
        public int Values;
        public int Accepted;
        public List<string> ServerErrors { get; } = [];
        public List<string> ChangedOnRefusal { get; } = [];
        public Dictionary<int, int> Statuses { get; } = [];
        public string? FirstUnauthorized;
    }

    /// <summary>The resources the walk points at: the owner's organization, listing, warehouse, room, offer and file.</summary>
    sealed record World(TestUser Owner, TestUser Admin, Guid OrganizationId, Guid ListingId, Guid WarehouseId, Guid RoomId, Guid OfferId,
        Guid FileId, Guid BuyRequestId, Guid BuyerOrganizationId)
    {
        public static async Task<World> CreateAsync(MarketApp app)
        {
            var trade = await Trade.CreateAsync(app, stock: 800m);
            var room = await trade.OpenRoomAsync();
            var offer = await trade.Seller.Owner.Client.PostAsJsonAsync($"/api/negotiations/{room}/offers",
                new { clientMessageId = "walk-offer", terms = new TermsBuilder().Build() }, Ct);
            offer.StatusCode.Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.Created);
            var offerId = (await offer.ReadJsonAsync()).GetProperty("payload").GetProperty("offer").GetProperty("id").GetGuid();
            var form = new MultipartFormDataContent { { new StringContent("photo"), "kind" } };
            var png = new ByteArrayContent(SampleFiles.Png());
            png.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(png, "files", "silo.png");
            var uploaded = await trade.Seller.Owner.Client.PostAsync($"/api/listings/{trade.ListingId}/files", form, Ct);
            var fileId = (await uploaded.ReadJsonAsync()).GetProperty("files")[0].GetProperty("id").GetGuid();
            var buyRequest = await trade.Buyer.Client.PostAsJsonAsync("/api/buy-requests", BuyRequestBody.For(trade.BuyerOrganizationId), Ct);
            buyRequest.StatusCode.Should().Be(HttpStatusCode.Created, await buyRequest.Content.ReadAsStringAsync(Ct));
            var admin = await app.SignUpWithRoleAsync("Admin");
            return new World(trade.Seller.Owner, admin, trade.Seller.OrganizationId, trade.ListingId, trade.WarehouseId, room, offerId, fileId,
                (await buyRequest.ReadJsonAsync()).GetProperty("id").GetGuid(), trade.BuyerOrganizationId);
        }

        /// <summary>The real id for a path parameter, by the resource the path is about.</summary>
        public Guid IdFor(string template, string parameter) => parameter switch
        {
            "offerId" => OfferId,
            "fileId" => FileId,
            "userId" => Owner.Id,
            "documentId" => Guid.CreateVersion7(),
            _ when template.StartsWith("/api/listings", StringComparison.Ordinal) => ListingId,
            _ when template.StartsWith("/api/warehouses", StringComparison.Ordinal) => WarehouseId,
            _ when template.StartsWith("/api/negotiations", StringComparison.Ordinal) => RoomId,
            _ when template.StartsWith("/api/buy-requests", StringComparison.Ordinal) => BuyRequestId,
            _ when template.StartsWith("/api/admin/users", StringComparison.Ordinal) => Owner.Id,
            _ when template.Contains("organizations", StringComparison.Ordinal) => OrganizationId,
            _ => Guid.CreateVersion7(),
        };
    }

    static string Fill(string template, World world, (string Name, string Value)? hostile = null)
    {
        var path = template;
        foreach (var segment in template.Split('/').Where(s => s.StartsWith('{')))
        {
            var name = segment.Trim('{', '}').Split(':')[0];
            var value = hostile is { } h && h.Name == name ? h.Value
                : name == "role" ? "moderator" : world.IdFor(template, name).ToString();
            path = path.Replace(segment, value, StringComparison.Ordinal);
        }
        return path;
    }

    /// <summary>A valid body where the test builders know one, else one made from the schema; null when the operation takes no JSON body.</summary>
    static JsonObject? BaseBody(HttpMethod method, string template, JsonElement operation, JsonElement schemas, World world)
    {
        if (!operation.TryGetProperty("requestBody", out var requestBody)
            || !requestBody.GetProperty("content").TryGetProperty("application/json", out var json))
        {
            return null;
        }
        var key = $"{method} {template}";
        return key switch
        {
            "POST /api/listings" or "PUT /api/listings/{id}" => new ListingBuilder(world.OrganizationId).Build(),
            "POST /api/buy-requests" => BuyRequestBody.For(world.OrganizationId),
            "POST /api/organizations" or "PUT /api/organizations/{id}" => JsonSerializer.SerializeToNode(new OrganizationBuilder().Build())!.AsObject(),
            "POST /api/warehouses" => new JsonObject
            {
                ["organizationId"] = world.OrganizationId, ["name"] = "Dostyk rail terminal", ["kind"] = "port", ["countryCode"] = "KZ",
                ["city"] = "Dostyk", ["location"] = new JsonObject { ["lat"] = 45.25m, ["lon"] = 82.48m },
            },
            "POST /api/warehouses/{id}/movements" => new JsonObject
            {
                ["kind"] = "adjustment", ["listingId"] = world.ListingId, ["lot"] = "LOT-WALK", ["quantity"] = new JsonObject { ["value"] = 1, ["unit"] = "t" },
                ["note"] = "walk",
            },
            "POST /api/negotiations" => new JsonObject { ["listingId"] = world.ListingId, ["buyerOrganizationId"] = world.BuyerOrganizationId },
            "POST /api/negotiations/{id}/messages" => new JsonObject { ["clientMessageId"] = "walk-message", ["text"] = "Can you ship in March?" },
            "POST /api/negotiations/{id}/offers" => new JsonObject { ["clientMessageId"] = "walk-counter", ["terms"] = new TermsBuilder().Build() },
            // Credentials of nobody: a refused login must not even count a failed attempt against a real account.
            "POST /api/auth/register" or "POST /api/auth/login" => new JsonObject { ["email"] = TestUsers.NewEmail("walk"), ["password"] = TestUsers.Password },
            _ => FromSchema(json.GetProperty("schema"), schemas, world, depth: 0) as JsonObject ?? [],
        };
    }

    static JsonNode? FromSchema(JsonElement schema, JsonElement schemas, World world, int depth)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            schema = schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
        }
        if (depth > 4)
        {
            return null;
        }
        var type = schema.TryGetProperty("type", out var t)
            ? t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()).FirstOrDefault(x => x != "null") : t.GetString()
            : schema.TryGetProperty("format", out _) ? "number" : null;
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        switch (type)
        {
            case "object" when schema.TryGetProperty("properties", out var properties):
                var result = new JsonObject();
                foreach (var property in properties.EnumerateObject())
                {
                    result[property.Name] = FromSchema(property.Value, schemas, world, depth + 1);
                }
                return result;
            case "object":
                return new JsonObject { ["en"] = "walk" };
            case "array":
                return schema.TryGetProperty("items", out var items) ? new JsonArray(FromSchema(items, schemas, world, depth + 1)) : [];
            case "string" when format == "uuid":
                return world.OrganizationId;
            case "string" when format == "date-time":
                return DateTimeOffset.UtcNow.AddDays(10).ToString("O", CultureInfo.InvariantCulture);
            case "string" when format == "date":
                return DateOnly.FromDateTime(DateTime.UtcNow.AddDays(10)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            case "string":
                return schema.TryGetProperty("enum", out var values) ? values[0].GetString() : "walk";
            case "integer" or "number":
                return 1;
            case "boolean":
                return false;
            default:
                return null;
        }
    }

    /// <summary>Every path in the body: object members (nested), the first element of arrays.</summary>
    static IEnumerable<string> FieldsOf(JsonNode node, string prefix = "")
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
                    yield return path;
                    if (value is not null)
                    {
                        foreach (var inner in FieldsOf(value, path))
                        {
                            yield return inner;
                        }
                    }
                }
                break;
            case JsonArray { Count: > 0 } array when array[0] is { } first:
                yield return $"{prefix}[0]";
                foreach (var inner in FieldsOf(first, $"{prefix}[0]"))
                {
                    yield return inner;
                }
                break;
        }
    }

    /// <summary>The body with one field's value replaced by raw JSON (which may be invalid JSON, like a bare NaN).</summary>
    static string With(JsonObject body, string field, string rawJson)
    {
        var copy = body.DeepClone();
        JsonNode parent = copy;
        var parts = field.Replace("[0]", ".[0]", StringComparison.Ordinal).Split('.');
        foreach (var part in parts[..^1])
        {
            parent = part == "[0]" ? parent.AsArray()[0]! : parent.AsObject()[part]!;
        }
        var last = parts[^1];
        if (last == "[0]")
        {
            parent.AsArray()[0] = Placeholder;
        }
        else
        {
            parent.AsObject()[last] = Placeholder;
        }
        return copy.ToJsonString().Replace(JsonSerializer.Serialize(Placeholder), rawJson, StringComparison.Ordinal);
    }

    static IEnumerable<(string Label, HttpContent Content)> HostileForms()
    {
        const string Boundary = "walk-boundary";
        static HttpContent Raw(string text, byte[]? file = null)
        {
            var bytes = Encoding.UTF8.GetBytes(text).Concat(file ?? []).Concat(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n")).ToArray();
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
            return content;
        }
        string Part(string name, string value) => $"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n";
        string FileHeader(string field, string fileName) => $"--{Boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{fileName}\"\r\nContent-Type: application/pdf\r\n\r\n";
        foreach (var field in new[] { "files", "documents" })
        {
            yield return ($"{field}: CR/LF in file name", Raw(Part("kind", "document") + FileHeader(field, "a\r\n.pdf"), SampleFiles.Pdf()));
            yield return ($"{field}: NUL in text field", Raw(Part("kind", "doc\0ument") + Part("note", "a\0b") + FileHeader(field, "a.pdf"), SampleFiles.Pdf()));
            yield return ($"{field}: polyglot", Raw(Part("kind", "document") + FileHeader(field, "a.pdf"), [.. "%PDF-1.7\n<html><script>x</script>\n%%EOF"u8]));
        }
        yield return ("broken boundary", Raw($"--other\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nphoto"));
    }

    static string Shorten(string text) => text.Length > 300 ? text[..300] : text;

    /// <summary>
    /// Row counts and a SHA-256 over every row of every table, read in one round trip; but the tables background work
    /// writes while the walk goes on: the outbox, the matches and match notifications the matchmaker makes when the
    /// indexer has applied an earlier accepted change, and the live-presence heartbeat of this host.
    /// </summary>
    async Task<Snapshot> SnapshotAsync() =>
        await App.WithScopeAsync(async services =>
        {
            var db = services.GetRequiredService<MarketDbContext>();
            string?[] background = [db.Model.FindEntityType(typeof(OutboxMessage))?.GetTableName(), db.Model.FindEntityType(typeof(Match))?.GetTableName(),
                db.Model.FindEntityType(typeof(Notification))?.GetTableName(), db.Model.FindEntityType(typeof(LiveReplica))?.GetTableName()];
            var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct()
                .Where(t => !background.Contains(t)).Order(StringComparer.Ordinal).ToList();
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = string.Join(";\n", tables.Select(t => $"SELECT * FROM \"{t}\""));
            await using var reader = await command.ExecuteReaderAsync(Ct);
            var result = new Dictionary<string, (int Rows, string Hash)>(StringComparer.Ordinal);
            foreach (var table in tables)
            {
                var rows = new List<string>();
                while (await reader.ReadAsync(Ct))
                {
                    var values = new object[reader.FieldCount];
                    reader.GetValues(values);
                    rows.Add(string.Join("\u001f", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
                }
                rows.Sort(StringComparer.Ordinal);
                result[table] = (rows.Count, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u001e", rows)))));
                await reader.NextResultAsync(Ct);
            }
            return new Snapshot(result);
        });

    sealed record Snapshot(Dictionary<string, (int Rows, string Hash)> Tables)
    {
        /// <summary>The first table that differs from <paramref name="before"/>, or null.</summary>
        public string? Changed(Snapshot before) =>
            Tables.FirstOrDefault(t => !before.Tables.TryGetValue(t.Key, out var b) || b != t.Value) is { Key: { } table } changed
                ? $"{table} ({before.Tables.GetValueOrDefault(table).Rows} → {changed.Value.Rows} rows)"
                : null;
    }
}

public sealed class HostileInputWalkTests_Sqlite(SqliteApp app, ITestOutputHelper output)
    : HostileInputWalkTests<SqliteApp>(app, output), IClassFixture<SqliteApp>;

public sealed class HostileInputWalkTests_Postgres(PostgresApp app, ITestOutputHelper output)
    : HostileInputWalkTests<PostgresApp>(app, output), IClassFixture<PostgresApp>;
