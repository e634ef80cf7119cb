using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Scoda.Market.Search;
using Scoda.Market.Search.Embedded;

namespace Scoda.Market.Benchmarks;

/// <summary>
/// Search at 100,000 and 1,000,000 listings: indexing rate against raw FTS5, and a fixed query mix measured on the raw
/// FTS5 floor, directly on the embedded back end, and through the HTTP endpoint of the real host (Kestrel on loopback).
/// </summary>
public static class SearchBenchmark
{
    static readonly JsonSerializerOptions CursorJson = new(JsonSerializerDefaults.Web);

    sealed record Case(string Name, ListingQuery Query, string Http, string? RawMatch, string RawFilters, string RawOrder = "rank", int RawOffset = 0);

    /// <param name="indexingOnly">Measure the indexing rates and stop: the quick loop while working on the bulk load.</param>
    public static async Task RunAsync(IReadOnlyList<int> sizes, bool indexingOnly = false)
    {
        Console.WriteLine($"# Search benchmark — {Measure.Machine()}");
        var rows = new List<string>();
        var checks = new List<string>();
        foreach (var size in sizes)
        {
            await RunSizeAsync(size, rows, checks, indexingOnly);
        }
        Console.WriteLine();
        Console.WriteLine("| listings | query | raw FTS5 p50/p95/p99 ms | backend p50/p95/p99 ms | HTTP p50/p95/p99 ms | HTTP p95 ÷ raw p95 | HTTP req/s |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            Console.WriteLine(row);
        }
        Console.WriteLine();
        foreach (var check in checks)
        {
            Console.WriteLine(check);
        }
    }

    static async Task RunSizeAsync(int size, List<string> rows, List<string> checks, bool indexingOnly)
    {
        var folder = Path.Combine(Path.GetTempPath(), "scoda-bench", $"search-{size}-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(folder);
        try
        {
            Console.WriteLine($"## {size:N0} listings (working folder {folder})");
            var generate = Stopwatch.StartNew();
            var documents = new ListingGenerator().Generate(size).ToList();
            Console.WriteLine($"generated in {generate.Elapsed.TotalSeconds:0.0} s");

            using var index = new EmbeddedListingIndex(Path.Combine(folder, "search"));
            await index.EnsureCreatedAsync();
            // The production bulk path: what `reindex` does (batches into a fresh file, planner statistics, swap). A first
            // rebuild of a slice warms the code up, as the query figures are taken after a warm-up: `reindex` runs in a
            // host that has been analyzing and indexing listings all along. Its cold rate is printed too.
            var warmUp = documents.Take(WarmUpDocuments).ToList();
            var cold = await RebuildAsync(index, warmUp);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warm-up: rebuild of {warmUp.Count:N0} in a cold process {warmUp.Count / cold.TotalSeconds:N0} docs/s"));
            var indexing = await RebuildAsync(index, documents);
            var indexRate = size / indexing.TotalSeconds;

            using var raw = new RawFts(Path.Combine(folder, "raw.db"));
            var (rawInsert, rawRebuild, shapedRebuild) = await raw.BuildAsync(documents);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"indexing: embedded {indexRate:N0} docs/s ({indexing.TotalSeconds:0.0} s); raw FTS5 insert {rawInsert:N0} docs/s; raw FTS5 'rebuild' {rawRebuild:N0} docs/s; embedded ÷ raw rebuild = {indexRate / rawRebuild:0.00}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"indexing: FTS5 'rebuild' of a table shaped like the embedded one (its columns, tokenizer and prefix indexes; no analysis, payloads or filter table) {shapedRebuild:N0} docs/s"));
            checks.Add(Check($"{size:N0}: indexing ≥ 0.5 × raw FTS5 rebuild rate", indexRate >= 0.5 * rawRebuild, $"{indexRate:N0} vs {rawRebuild:N0} docs/s"));
            documents = null;
            GC.Collect();
            if (indexingOnly)
            {
                return;
            }

            var cases = await CasesAsync(index);
            await using var host = new BenchmarkHost(folder);
            var http = new HttpClient { BaseAddress = new Uri(host.Start()) };
            var iterations = size >= 1_000_000 ? 60 : 200;
            var results = new Dictionary<string, (Figures Raw, Figures Direct, Figures Http)>();
            foreach (var c in cases)
            {
                // The unbounded floor takes seconds per query at a million listings: fewer samples there.
                var rawFigures = await Measure.LatencyAsync(() => raw.SearchAsync(c.RawMatch, c.RawFilters, c.RawOrder, c.RawOffset), size >= 1_000_000 ? 20 : iterations, warmup: 2);
                var direct = await Measure.LatencyAsync(() => index.SearchAsync(c.Query), iterations);
                var overHttp = await Measure.LatencyAsync(async () =>
                {
                    using var response = await http.GetAsync(c.Http);
                    response.EnsureSuccessStatusCode();
                    await response.Content.ReadAsByteArrayAsync();
                }, iterations);
                results[c.Name] = (rawFigures, direct, overHttp);
                var row = string.Create(CultureInfo.InvariantCulture,
                    $"| {size:N0} | {c.Name} | {rawFigures} | {direct} | {overHttp} | {overHttp.P95 / rawFigures.P95:0.00} | {overHttp.PerSecond:0} |");
                rows.Add(row);
                Console.WriteLine(row);
            }

            rows.Add(await WhileIndexingAsync(size, host, http, cases.Single(c => c.Name == "text+filters+facets"), 3 * iterations));
            Console.WriteLine(rows[^1]);

            if (size == 100_000)
            {
                var tf = results["text+filters+facets"];
                checks.Add(Check("100,000: text+filters+facets HTTP p95 ≤ 20 ms", tf.Http.P95 <= 20, $"{tf.Http.P95:0.00} ms"));
                checks.Add(Check("100,000: text+filters+facets HTTP p95 ≤ 1.5 × raw p95", tf.Http.P95 <= 1.5 * tf.Raw.P95, $"{tf.Http.P95:0.00} vs {tf.Raw.P95:0.00} ms"));
            }
            if (size >= 1_000_000)
            {
                foreach (var (name, figures) in results)
                {
                    checks.Add(Check($"{size:N0}: {name} HTTP p95 ≤ 150 ms", figures.Http.P95 <= 150, $"{figures.Http.P95:0.00} ms"));
                }
            }
            var page1 = results["page 1 (price sort)"].Http.P95;
            var page500 = results["page 500 by cursor"].Http.P95;
            checks.Add(Check($"{size:N0}: page 500 ≤ 2 × page 1 (HTTP p95)", page500 <= 2 * page1, $"{page500:0.00} vs {page1:0.00} ms"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    const int WarmUpDocuments = 20_000;

    static async Task<TimeSpan> RebuildAsync(EmbeddedListingIndex index, IReadOnlyList<ListingDocument> documents)
    {
        var watch = Stopwatch.StartNew();
        await index.RebuildAsync(async (fresh, ct) =>
        {
            foreach (var batch in documents.Chunk(5000))
            {
                await fresh.UpsertAsync(batch, ct);
            }
        });
        return watch.Elapsed;
    }

    /// <summary>
    /// A query over HTTP while listings keep changing, as the host's outbox worker writes them: batches of 50 changed
    /// listings every 250 ms (200 a second) into the host's own index.
    /// </summary>
    static async Task<string> WhileIndexingAsync(int size, BenchmarkHost host, HttpClient http, Case query, int iterations)
    {
        // Same ids as the oldest listings (the generator numbers them), other contents: edits, as sellers make them.
        var changes = new ListingGenerator(seed: 7).Generate(2_000).Chunk(50).ToList();
        var index = host.Services.GetRequiredService<IListingIndex>();
        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await index.UpsertAsync(changes[written++ % changes.Count]);
                await Task.Delay(250);
            }
        });
        var figures = await Measure.LatencyAsync(async () =>
        {
            using var response = await http.GetAsync(query.Http);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        }, iterations);
        await stop.CancelAsync();
        await writer;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {size:N0} | {query.Name} while indexing 200 listings/s ({written} batches) | | | {figures} | | {figures.PerSecond:0} |");
    }

    static async Task<List<Case>> CasesAsync(EmbeddedListingIndex index)
    {
        var grainsByPrice = new ListingQuery { Categories = ["grains"], Sort = ListingSort.PriceAsc, Limit = 20 };
        // Walk to page 500 once (not timed); the timed runs fetch page 500 with its cursor, as a client would.
        var after = (SearchCursor?)null;
        for (var page = 1; page < 500; page++)
        {
            after = (await index.SearchAsync(grainsByPrice with { After = after, WithFacets = false })).Next;
        }
        var cursor = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(after, CursorJson))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return
        [
            new("rare term", new ListingQuery { Text = ListingGenerator.RareWord }, $"/api/search/listings?q={ListingGenerator.RareWord}", ListingGenerator.RareWord, "1"),
            new("common term (wheat)", new ListingQuery { Text = "wheat" }, "/api/search/listings?q=wheat", "wheat", "1"),
            new("text+filters+facets", new ListingQuery { Text = "wheat", Origins = ["KZ"], Incoterms = ["DAP"] },
                "/api/search/listings?q=wheat&origin=KZ&incoterm=DAP", "wheat", "d.origin = 'KZ' AND d.incoterm = 'DAP'"),
            new("filters only", new ListingQuery { Categories = ["grains"], Origins = ["RU"], VerifiedOnly = true },
                "/api/search/listings?category=grains&origin=RU&verifiedOnly=true", null,
                "d.origin = 'RU' AND d.verified = 1 AND d.rowid IN (SELECT doc FROM raw_terms WHERE facet = 'c' AND value = 'grains')"),
            new("page 1 (price sort)", grainsByPrice, "/api/search/listings?category=grains&sort=price_asc&limit=20", null,
                "d.rowid IN (SELECT doc FROM raw_terms WHERE facet = 'c' AND value = 'grains')", "d.price, d.rowid"),
            new("page 500 by cursor", grainsByPrice with { After = after }, $"/api/search/listings?category=grains&sort=price_asc&limit=20&cursor={cursor}", null,
                "d.rowid IN (SELECT doc FROM raw_terms WHERE facet = 'c' AND value = 'grains')", "d.price, d.rowid", 499 * 20),
        ];
    }

    static string Check(string what, bool passed, string figures) => $"- {(passed ? "PASS" : "FAIL")} {what}: {figures}";
}
