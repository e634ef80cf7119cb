using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Scoda.Market.Search.Elasticsearch;

/// <summary>
/// The Elasticsearch back end of the search port.
/// <list type="bullet">
/// <item>Listings live in a concrete index <c>{prefix}-{yyyyMMddHHmmss}-{guid8}</c> that readers and writers reach
/// only through the alias <c>{prefix}</c>; a rebuild fills a new concrete index and swaps the alias in one atomic call.</item>
/// <item>Buy requests' standing queries live in a second index behind the alias <c>{prefix}-queries</c>, in its
/// <c>query</c> percolator field. Both indices are created from the same definition (index.json), so a percolated
/// listing is analyzed exactly as an indexed one. Stored queries outlive listing generations: a rebuild copies them
/// into a fresh queries index (so new analyzers and synonyms reach them too) and swaps both aliases together.</item>
/// <item>Text fields use the boolean similarity: a score depends on which fields and words matched, never on
/// corpus statistics, so a search_after cursor over the score stays valid while listings are added between pages
/// (the port's cursor has no room for a point-in-time id).</item>
/// </list>
/// </summary>
public sealed partial class ElasticsearchListingIndex : IListingIndex
{
    const string RefreshWaitFor = "wait_for";

    readonly ElasticsearchClient _client;
    readonly ElasticsearchOptions _options;
    readonly Synonyms _synonyms;
    readonly TimeProvider _time;
    readonly Func<Guid> _newGuid;
    readonly ILogger _logger;

    /// <summary>Where searches and listing writes go: the alias, or (for a rebuild's builder) the new concrete index.</summary>
    readonly string _target;

    readonly bool _isBuilder;

    public ElasticsearchListingIndex(
        HttpClient http, ElasticsearchOptions options, ILoggerFactory? loggers = null, TimeProvider? time = null, Synonyms? synonyms = null)
        : this(
            new ElasticsearchClient(http, Validated(options), loggers?.CreateLogger<ElasticsearchClient>()),
            options,
            loggers?.CreateLogger<ElasticsearchListingIndex>(),
            time,
            synonyms,
            Guid.NewGuid)
    {
    }

    internal ElasticsearchListingIndex(
        ElasticsearchClient client, ElasticsearchOptions options, ILogger? logger, TimeProvider? time, Synonyms? synonyms, Func<Guid> newGuid)
        : this(client, Validated(options), logger ?? NullLogger<ElasticsearchListingIndex>.Instance, time ?? TimeProvider.System,
            synonyms ?? Synonyms.Shipped, newGuid, options.Alias, isBuilder: false)
    {
    }

    ElasticsearchListingIndex(
        ElasticsearchClient client, ElasticsearchOptions options, ILogger logger, TimeProvider time, Synonyms synonyms, Func<Guid> newGuid,
        string target, bool isBuilder)
    {
        _client = client;
        _options = options;
        _logger = logger;
        _time = time;
        _synonyms = synonyms;
        _newGuid = newGuid;
        _target = target;
        _isBuilder = isBuilder;
    }

    public string Backend => "elasticsearch";

    public async Task EnsureCreatedAsync(CancellationToken ct = default)
    {
        if (_isBuilder)
        {
            return;
        }
        await EnsureAliasAsync(_options.Alias, NewListingsIndexName, ct);
        await EnsureAliasAsync(_options.QueriesAlias, NewQueriesIndexName, ct);
    }

    async Task EnsureAliasAsync(string alias, Func<string> newIndexName, CancellationToken ct)
    {
        if (await _client.AliasExistsAsync(alias, ct))
        {
            return;
        }
        var index = newIndexName();
        var body = ElasticsearchIndexDefinition.Create(_synonyms);
        // Index and alias are created in one call: the alias never points at a half-made index.
        body["aliases"] = new JsonObject { [alias] = new JsonObject() };
        await _client.CreateIndexAsync(index, body, ct);
        LogCreated(_logger, index, alias);

        // Two processes starting together may each have made a first generation behind the alias. Every one of them
        // keeps the generation with the smallest name and drops the others, so they agree without talking.
        var behind = await _client.GetAliasIndicesAsync(alias, ct);
        foreach (var extra in behind.Where(i => GenerationPattern(alias).IsMatch(i)).Order(StringComparer.Ordinal).Skip(1))
        {
            LogDroppedDuplicate(_logger, extra, alias);
            await _client.DeleteIndexAsync(extra, ct);
        }
    }

    public async Task<IReadOnlyList<Guid>> UpsertAsync(IReadOnlyList<ListingDocument> documents, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var operations = documents.Select(d => BulkOperation.Index(d.Id.ToString(), ToIndexDocument(d, withSuggestions: true))).ToList();
        var failures = await WriteAsync(operations, ct);
        return failures.Select(f => Guid.Parse(f.Id)).Distinct().ToList();
    }

    public async Task DeleteAsync(IReadOnlyList<Guid> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        // A delete of a listing that is not indexed answers 404 not_found without an error: nothing to do.
        var failures = await WriteAsync(ids.Select(id => BulkOperation.Delete(id.ToString())).ToList(), ct);
        if (failures.Count > 0)
        {
            var first = failures[0];
            throw new ElasticsearchException(first.Status, first.ErrorType, first.ErrorReason, $"bulk delete of {failures.Count} of {ids.Count} listings");
        }
    }

    /// <summary>
    /// Sends the operations with <c>_bulk</c>, retrying only the items Elasticsearch rejected for load (429, 503,
    /// es_rejected_execution_exception) with a doubling delay, up to <see cref="ElasticsearchOptions.MaxBulkAttempts"/>
    /// tries in all. Returns the items that still failed; mapping and parsing errors fail at once.
    /// </summary>
    async Task<List<BulkItemResult>> WriteAsync(IReadOnlyList<BulkOperation> operations, CancellationToken ct)
    {
        var failures = new List<BulkItemResult>();
        var pending = operations;
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var last = attempt >= _options.MaxBulkAttempts;
            BulkResponse response;
            try
            {
                response = await _client.BulkAsync(_target, pending, refresh: null, ct);
            }
            catch (ElasticsearchException e) when (IsRetryable(e.Status, e.ErrorType))
            {
                if (last)
                {
                    // The whole request was turned away for load: every item is reported failed, for the caller to retry.
                    failures.AddRange(pending.Select(p => new BulkItemResult(p.Action == BulkAction.Index ? "index" : "delete", p.Id, e.Status, null, e.ErrorType, e.Reason)));
                    break;
                }
                await BackOffAsync(pending.Count, attempt, ct);
                continue;
            }
            catch (HttpRequestException) when (!last)
            {
                await BackOffAsync(pending.Count, attempt, ct);
                continue;
            }

            var retry = new List<BulkOperation>();
            for (var i = 0; i < pending.Count && i < response.Items.Count; i++)
            {
                var item = response.Items[i];
                if (!item.Failed)
                {
                    continue;
                }
                if (!last && IsRetryable(item.Status, item.ErrorType))
                {
                    retry.Add(pending[i]);
                }
                else
                {
                    failures.Add(item);
                }
            }
            if (retry.Count > 0)
            {
                await BackOffAsync(retry.Count, attempt, ct);
            }
            pending = retry;
        }
        if (failures.Count > 0)
        {
            var summary = string.Join(", ", failures.Take(10).Select(f => $"{f.Id} {f.Status} {f.ErrorType}"));
            LogItemsFailed(_logger, failures.Count, summary);
        }
        return failures;
    }

    static bool IsRetryable(int status, string? errorType) =>
        status is 429 or 503 || errorType is "es_rejected_execution_exception";

    Task BackOffAsync(int items, int attempt, CancellationToken ct)
    {
        var delay = _options.RetryDelay * Math.Pow(2, attempt - 1);
        LogRetrying(_logger, items, attempt, delay.TotalMilliseconds);
        return delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, _time, ct);
    }

    public async Task<SearchPage> SearchAsync(ListingQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = ListingQueryDsl.PrepareText(query.Text);
        var sort = ListingQueryDsl.EffectiveSort(query, text);
        var limit = Math.Clamp(query.Limit, 1, SearchLimits.MaxLimit);
        using var response = await _client.SearchAsync(_target, ListingQueryDsl.Search(query), ct);
        return ReadPage(response.RootElement, sort, limit, query.WithFacets && query.After is null);
    }

    internal static SearchPage ReadPage(JsonElement root, ListingSort sort, int limit, bool withFacets)
    {
        var hits = root.GetProperty("hits");
        var total = hits.GetProperty("total");
        var rows = hits.GetProperty("hits").EnumerateArray().ToList();
        var page = rows.Take(limit).Select(ToHit).ToList();
        var next = rows.Count > limit ? CursorOf(sort, rows[limit - 1], page[^1].Document.Id) : null;

        var facets = new Dictionary<string, IReadOnlyList<FacetCount>>(StringComparer.Ordinal);
        if (withFacets)
        {
            root.TryGetProperty("aggregations", out var aggregations);
            foreach (var facet in Facets.All)
            {
                var counts = new List<FacetCount>();
                if (aggregations.ValueKind == JsonValueKind.Object
                    && aggregations.TryGetProperty(facet, out var aggregation)
                    && aggregation.TryGetProperty("values", out var values))
                {
                    foreach (var bucket in values.GetProperty("buckets").EnumerateArray())
                    {
                        var key = bucket.GetProperty("key");
                        counts.Add(new FacetCount(key.ValueKind == JsonValueKind.String ? key.GetString()! : key.GetRawText(), bucket.GetProperty("doc_count").GetInt64()));
                    }
                }
                facets[facet] = counts;
            }
        }
        return new SearchPage(
            total.GetProperty("value").GetInt64(),
            total.TryGetProperty("relation", out var relation) && relation.GetString() == "gte",
            page,
            facets,
            next);
    }

    static SearchHit ToHit(JsonElement hit)
    {
        var document = hit.GetProperty("_source").Deserialize<ListingDocument>(ElasticsearchJson.Options)
            ?? throw new JsonException("A hit had an empty _source.");
        var score = hit.TryGetProperty("_score", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : 0d;
        var highlights = new Dictionary<string, string>(StringComparer.Ordinal);
        if (hit.TryGetProperty("highlight", out var highlight))
        {
            foreach (var field in highlight.EnumerateObject())
            {
                highlights[field.Name] = string.Join(" … ", field.Value.EnumerateArray().Select(f => f.GetString()));
            }
        }
        return new SearchHit(document, score, highlights);
    }

    /// <summary>The last hit's sort values as a cursor: [score | price | publishedAt millis, id].</summary>
    static SearchCursor CursorOf(ListingSort sort, JsonElement hit, Guid id)
    {
        var value = hit.GetProperty("sort")[0];
        // Read from the JSON text, so the value goes back to Elasticsearch exactly as it came.
        var number = value.ValueKind == JsonValueKind.Number
            ? value.TryGetDecimal(out var exact) ? exact : (decimal)value.GetDouble()
            : 0m;
        return new SearchCursor(sort, number, id);
    }

    public async Task<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, CancellationToken ct = default)
    {
        var text = (prefix ?? "").Trim();
        if (text.Length == 0)
        {
            return [];
        }
        if (text.Length > 50)
        {
            text = text[..50];
        }
        var wanted = Math.Clamp(limit, 1, 20);
        using var response = await _client.SearchAsync(_target, ListingQueryDsl.Suggest(text, wanted * 2), ct);
        var options = response.RootElement.TryGetProperty("suggest", out var suggest) && suggest.TryGetProperty("names", out var names)
            ? names.EnumerateArray().SelectMany(entry => entry.GetProperty("options").EnumerateArray()).Select(o => o.GetProperty("text").GetString()!)
            : [];
        return options.Distinct(StringComparer.OrdinalIgnoreCase).Take(wanted).ToList();
    }

    public async Task StoreQueryAsync(StoredQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var body = new JsonObject
        {
            ["id"] = query.Id.ToString(),
            ["query"] = ListingQueryDsl.StoredQuery(query.Query),
            // Kept in _source only (the mapping does not index it): the request the query was made from.
            ["listingQuery"] = JsonSerializer.SerializeToNode(query.Query with { After = null }, ElasticsearchJson.Options),
        };
        // wait_for: a listing indexed right after a buy request is posted must already meet it.
        await _client.IndexDocumentAsync(_options.QueriesAlias, query.Id.ToString(), body, RefreshWaitFor, ct);
    }

    public async Task DeleteQueryAsync(Guid id, CancellationToken ct = default) =>
        await _client.DeleteDocumentAsync(_options.QueriesAlias, id.ToString(), RefreshWaitFor, ct);

    public async Task<IReadOnlyList<Guid>> PercolateAsync(ListingDocument document, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var source = ToIndexDocument(document, withSuggestions: false);
        var matches = new List<Guid>();
        string? after = null;
        while (true)
        {
            using var response = await _client.SearchAsync(_options.QueriesAlias, ListingQueryDsl.Percolate((JsonObject)source.DeepClone(), after), ct);
            var hits = response.RootElement.GetProperty("hits").GetProperty("hits").EnumerateArray().ToList();
            matches.AddRange(hits.Select(h => Guid.Parse(h.GetProperty("_id").GetString()!)));
            if (hits.Count < ListingQueryDsl.PercolatePageSize)
            {
                return matches;
            }
            after = hits[^1].GetProperty("sort")[0].GetString();
        }
    }

    public async Task RebuildAsync(Func<IListingIndex, CancellationToken, Task> fill, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fill);
        if (_isBuilder)
        {
            throw new InvalidOperationException("An index being rebuilt cannot itself be rebuilt.");
        }
        await EnsureCreatedAsync(ct);
        var oldListings = await _client.GetAliasIndicesAsync(_options.Alias, ct);
        var oldQueries = await _client.GetAliasIndicesAsync(_options.QueriesAlias, ct);

        var listings = NewListingsIndexName();
        await _client.CreateIndexAsync(listings, ElasticsearchIndexDefinition.Create(_synonyms), ct);
        string? queries = null;
        var blocked = false;
        try
        {
            // The builder writes listings into the new index; stored queries still go to the live queries index.
            var builder = new ElasticsearchListingIndex(_client, _options, _logger, _time, _synonyms, _newGuid, listings, isBuilder: true);
            await fill(builder, ct);
            await _client.RefreshAsync(listings, ct);

            // Stored queries move to a queries index made from the same definition. Writes to the old one are blocked
            // while they are copied: a buy request stored meanwhile fails and is retried by its caller, never lost.
            foreach (var index in oldQueries)
            {
                await _client.PutSettingsAsync(index, WriteBlock(true), ct);
            }
            blocked = true;
            queries = NewQueriesIndexName();
            await _client.CreateIndexAsync(queries, ElasticsearchIndexDefinition.Create(_synonyms), ct);
            foreach (var index in oldQueries)
            {
                await _client.ReindexAsync(index, queries, ct);
            }

            // One atomic switch: readers see the complete old generation, then the complete new one.
            var actions = new List<AliasAction>();
            actions.AddRange(oldListings.Select(i => AliasAction.Remove(i, _options.Alias)));
            actions.Add(AliasAction.Add(listings, _options.Alias));
            actions.AddRange(oldQueries.Select(i => AliasAction.Remove(i, _options.QueriesAlias)));
            actions.Add(AliasAction.Add(queries, _options.QueriesAlias));
            await _client.UpdateAliasesAsync(actions, ct);
        }
        catch
        {
            await AbandonAsync(listings, queries, blocked ? oldQueries : []);
            throw;
        }
        var previous = string.Join(",", oldListings);
        LogSwapped(_logger, _options.Alias, previous, listings);

        var leftovers = oldListings.Concat(oldQueries).ToList();
        if (leftovers.Count > 0)
        {
            await _client.DeleteIndexAsync(string.Join(",", leftovers), ct);
        }
    }

    /// <summary>Undoes a failed rebuild: the new indices go, the old queries index takes writes again.</summary>
    async Task AbandonAsync(string listings, string? queries, IReadOnlyList<string> blockedQueries)
    {
        // Not cancellable: the caller's token may be what failed the rebuild, and the clean-up still has to run.
        foreach (var index in blockedQueries)
        {
            await _client.PutSettingsAsync(index, WriteBlock(false), CancellationToken.None);
        }
        await _client.DeleteIndexAsync(queries is null ? listings : $"{listings},{queries}", CancellationToken.None);
    }

    static JsonObject WriteBlock(bool on) => new()
    {
        ["index"] = new JsonObject { ["blocks"] = new JsonObject { ["write"] = on } },
    };

    public async Task<IndexStats> StatsAsync(CancellationToken ct = default)
    {
        var behind = _isBuilder ? [_target] : await _client.GetAliasIndicesAsync(_options.Alias, ct);
        var name = behind.Count > 0 ? behind[0] : _target;
        var documents = await _client.CountAsync(_target, ct);
        var queries = await _client.CountAsync(_options.QueriesAlias, ct);
        return new IndexStats(Backend, name, documents, queries);
    }

    /// <summary>Makes every write so far visible to search and percolation (tests and bulk loads; searches are near real-time).</summary>
    public Task RefreshAsync(CancellationToken ct = default) => _client.RefreshAsync($"{_target},{_options.QueriesAlias}", ct);

    /// <summary>Deletes every index generation of this prefix, listings and stored queries (tests, decommissioning).</summary>
    public async Task DropAsync(CancellationToken ct = default)
    {
        var mine = (await _client.GetIndicesAsync($"{_options.IndexPrefix}-*", ct))
            .Where(i => GenerationPattern(_options.Alias).IsMatch(i) || GenerationPattern(_options.QueriesAlias).IsMatch(i))
            .ToList();
        if (mine.Count > 0)
        {
            await _client.DeleteIndexAsync(string.Join(",", mine), ct);
        }
    }

    // ---- documents and names ----

    /// <summary>
    /// The document as indexed: the listing as System.Text.Json writes it (camelCase, the whole record, so a hit's
    /// _source rebuilds it), plus the completion inputs (commodity names weigh most, then the named place).
    /// </summary>
    internal static JsonObject ToIndexDocument(ListingDocument listing, bool withSuggestions)
    {
        var json = JsonSerializer.SerializeToNode(listing, ElasticsearchJson.Options)!.AsObject();
        if (withSuggestions)
        {
            var suggestions = new JsonArray();
            void Add(IEnumerable<string?> inputs, int weight)
            {
                var clean = inputs.Select(CompletionInput).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
                if (clean.Length > 0)
                {
                    suggestions.Add(new JsonObject
                    {
                        ["input"] = new JsonArray(clean.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                        ["weight"] = weight,
                    });
                }
            }
            Add(listing.CategoryNames, 3);
            Add([listing.NamedPlace], 2);
            Add(listing.Title.Values.Append(listing.OriginRegion), 1);
            json["suggest"] = suggestions;
        }
        return json;
    }

    /// <summary>Completion inputs may not hold control characters (\u0000, \u001E, \u001F are reserved).</summary>
    static string CompletionInput(string? text) =>
        string.Concat((text ?? "").Where(c => !char.IsControl(c))).Trim();

    string Stamp() => _time.GetUtcNow().UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    string NewListingsIndexName() => $"{_options.Alias}-{Stamp()}-{_newGuid():N}"[..(_options.Alias.Length + 24)];

    string NewQueriesIndexName() => $"{_options.QueriesAlias}-{Stamp()}-{_newGuid():N}"[..(_options.QueriesAlias.Length + 24)];

    static Regex GenerationPattern(string alias) => new($"^{Regex.Escape(alias)}-[0-9]{{14}}-[0-9a-f]{{8}}$", RegexOptions.CultureInvariant);

    static ElasticsearchOptions Validated(ElasticsearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IndexPrefixPattern().IsMatch(options.IndexPrefix))
        {
            throw new ArgumentException(
                $"The index prefix '{options.IndexPrefix}' must be lower case letters, digits, '-' or '_', starting with a letter or digit.", nameof(options));
        }
        if (options.MaxBulkAttempts < 1)
        {
            throw new ArgumentException("MaxBulkAttempts must be at least 1.", nameof(options));
        }
        return options;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,150}$", RegexOptions.CultureInvariant)]
    private static partial Regex IndexPrefixPattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "Created Elasticsearch index {Index} behind alias {Alias}")]
    static partial void LogCreated(ILogger logger, string index, string alias);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropping Elasticsearch index {Index}: another process created alias {Alias} at the same time")]
    static partial void LogDroppedDuplicate(ILogger logger, string index, string alias);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retrying {Count} bulk items rejected by Elasticsearch (attempt {Attempt}, waiting {DelayMs:0} ms)")]
    static partial void LogRetrying(ILogger logger, int count, int attempt, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} bulk items failed in Elasticsearch: {Failures}")]
    static partial void LogItemsFailed(ILogger logger, int count, string failures);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alias {Alias} switched from {Old} to {New}")]
    static partial void LogSwapped(ILogger logger, string alias, string old, string @new);
}
