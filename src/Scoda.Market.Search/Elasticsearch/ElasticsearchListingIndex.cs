using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Core.Bulk;
using Elastic.Clients.Elasticsearch.Core.Reindex;
using Elastic.Clients.Elasticsearch.Core.Search;
using RegexOptions = System.Text.RegularExpressions.RegexOptions;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Elastic.Transport;
using Elastic.Transport.Extensions;
using Elastic.Transport.Products.Elasticsearch;
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
    readonly ElasticsearchClient _client;
    readonly ElasticsearchOptions _options;
    readonly Synonyms _synonyms;
    readonly TimeProvider _time;
    readonly Func<Guid> _newGuid;
    readonly ILogger _logger;

    /// <summary>Where searches and listing writes go: the alias, or (for a rebuild's builder) the new concrete index.</summary>
    readonly string _target;

    readonly bool _isBuilder;

    /// <summary>A back end on the official client built by <see cref="ElasticsearchConnection.CreateClient"/>.</summary>
    public ElasticsearchListingIndex(
        ElasticsearchOptions options, ILoggerFactory? loggers = null, TimeProvider? time = null, Synonyms? synonyms = null,
        Func<HttpMessageHandler>? primaryHandler = null)
        : this(
            ElasticsearchConnection.CreateClient(Validated(options), loggers, primaryHandler, time),
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
        if (await AliasExistsAsync(alias, ct))
        {
            return;
        }
        var index = newIndexName();
        // Index and alias are created in one call: the alias never points at a half-made index.
        await CreateIndexAsync(index, alias, ct);
        LogCreated(_logger, index, alias);

        // Two processes starting together may each have made a first generation behind the alias. Every one of them
        // keeps the generation with the smallest name and drops the others, so they agree without talking.
        var behind = await AliasIndicesAsync(alias, ct);
        foreach (var extra in behind.Where(i => GenerationPattern(alias).IsMatch(i)).Order(StringComparer.Ordinal).Skip(1))
        {
            LogDroppedDuplicate(_logger, extra, alias);
            await DeleteIndicesAsync([extra], ct);
        }
    }

    public async Task<IReadOnlyList<Guid>> UpsertAsync(IReadOnlyList<ListingDocument> documents, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var operations = documents
            .Select(d => (IBulkOperation)new BulkIndexOperation<IndexedListing>(ToIndexDocument(d)) { Id = d.Id.ToString() })
            .ToList();
        var failures = await WriteAsync(operations, ct);
        return failures.Select(f => Guid.Parse(f.Id)).Distinct().ToList();
    }

    public async Task DeleteAsync(IReadOnlyList<Guid> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        // A delete of a listing that is not indexed answers 404 not_found without an error: nothing to do.
        var failures = await WriteAsync(ids.Select(id => (IBulkOperation)new BulkDeleteOperation(id.ToString())).ToList(), ct);
        if (failures.Count > 0)
        {
            var first = failures[0];
            throw new ElasticsearchException(first.Status, first.ErrorType, first.Reason, $"bulk delete of {failures.Count} of {ids.Count} listings");
        }
    }

    /// <summary>One bulk item that did not make it: its id, the item's (or the whole request's) status and error.</summary>
    internal sealed record ItemFailure(string Id, int Status, string? ErrorType, string? Reason);

    /// <summary>
    /// Sends the operations with <c>_bulk</c>. A 200 answer may still hold failed items (<c>errors: true</c>): the items
    /// Elasticsearch rejected for load (429, 503, es_rejected_execution_exception) are sent again, alone, with a
    /// doubling delay, up to <see cref="ElasticsearchOptions.MaxBulkAttempts"/> tries in all; mapping and parsing errors
    /// fail at once. Every item that still failed is returned (never dropped) for the caller to retry. Retrying the HTTP
    /// request itself (refused connection, 429 for the whole request, 5xx) is the resilience handler's job; when even
    /// that gave up on a whole-request 429/503, every item is reported failed.
    /// </summary>
    async Task<List<ItemFailure>> WriteAsync(IReadOnlyList<IBulkOperation> operations, CancellationToken ct)
    {
        var failures = new List<ItemFailure>();
        var pending = operations;
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var last = attempt >= _options.MaxBulkAttempts;
            var request = new BulkRequest(_target) { Operations = [.. pending] };
            var response = await _client.BulkAsync(request, ct);
            if (!response.IsValidResponse && !response.Errors)
            {
                var error = Failure(response, "bulk write");
                if (!IsRetryable(error.Status, error.ErrorType))
                {
                    throw error;
                }
                // The whole request was turned away for load even after the HTTP retries: every item is reported failed.
                failures.AddRange(pending.Select(p => new ItemFailure(IdOf(p), error.Status, error.ErrorType, error.Reason)));
                break;
            }

            var items = response.Items.ToList();
            var retry = new List<IBulkOperation>();
            for (var i = 0; i < pending.Count; i++)
            {
                if (i >= items.Count)
                {
                    // Elasticsearch answers one item per operation; one it did not answer for is not known to be written.
                    failures.Add(new ItemFailure(IdOf(pending[i]), 0, "missing_item", "the bulk answer had no item for this operation"));
                    continue;
                }
                var item = items[i];
                if (item.Error is null)
                {
                    continue;
                }
                if (!last && IsRetryable(item.Status, item.Error.Type))
                {
                    retry.Add(pending[i]);
                }
                else
                {
                    failures.Add(new ItemFailure(item.Id ?? IdOf(pending[i]), item.Status, item.Error.Type ?? "unknown", item.Error.Reason));
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

    static string IdOf(IBulkOperation operation) => operation switch
    {
        BulkOperation o when o.Id is not null => o.Id.ToString(),
        _ => "",
    };

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
        if (query.Words == WordMatch.Some && ListingQueryDsl.WordsOf(text).Count < 2)
        {
            // One word has no partial matches: nothing to ask the cluster.
            return new SearchPage(0, false, [], new Dictionary<string, IReadOnlyList<FacetCount>>(StringComparer.Ordinal), null);
        }
        var response = Ensure(await _client.SearchAsync<ListingDocument>(ListingQueryDsl.Search(_target, query), ct), "search");
        return ReadPage(response, sort, limit, query.WithFacets && query.After is null);
    }

    static SearchPage ReadPage(SearchResponse<ListingDocument> response, ListingSort sort, int limit, bool withFacets)
    {
        var rows = response.HitsMetadata.Hits.ToList();
        var page = rows.Take(limit).Select(ToHit).ToList();
        var next = rows.Count > limit ? CursorOf(sort, rows[limit - 1], page[^1].Document.Id) : null;

        var facets = new Dictionary<string, IReadOnlyList<FacetCount>>(StringComparer.Ordinal);
        if (withFacets)
        {
            foreach (var facet in Facets.All)
            {
                var buckets = response.Aggregations?.GetFilter(facet)?.Aggregations?.GetStringTerms("values")?.Buckets ?? [];
                facets[facet] = buckets.Select(b => new FacetCount(KeyOf(b.Key), b.DocCount)).ToList();
            }
        }
        var total = response.HitsMetadata.Total;
        var (count, lowerBound) = total?.Value1 is { } hits
            ? (hits.Value, hits.Relation == TotalHitsRelation.Gte)
            : (total?.Value2 ?? rows.Count, false);
        return new SearchPage(count, lowerBound, page, facets, next);
    }

    static string KeyOf(FieldValue key) =>
        key.TryGetString(out var text) ? text! : Convert.ToString(key.Value, CultureInfo.InvariantCulture) ?? "";

    static SearchHit ToHit(Hit<ListingDocument> hit)
    {
        var document = hit.Source ?? throw new JsonException("A hit had an empty _source.");
        var highlights = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, fragments) in hit.Highlight ?? new Dictionary<string, IReadOnlyCollection<string>>())
        {
            highlights[field] = string.Join(" … ", fragments);
        }
        return new SearchHit(document, hit.Score ?? 0d, highlights);
    }

    /// <summary>The last hit's sort values as a cursor: [score | price | publishedAt millis, id].</summary>
    static SearchCursor CursorOf(ListingSort sort, Hit<ListingDocument> hit, Guid id)
    {
        var value = hit.Sort?.FirstOrDefault() ?? default;
        var number = value.TryGetLong(out var whole) ? whole!.Value
            : value.TryGetDouble(out var fraction) ? (decimal)fraction!.Value
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
        var response = Ensure(await _client.SearchAsync<ListingDocument>(ListingQueryDsl.Suggest(_target, text, wanted * 2), ct), "suggest");
        var entries = response.Suggest?.GetCompletion("names") ?? [];
        return entries.SelectMany(entry => entry.Options).Select(o => o.Text)
            .Distinct(StringComparer.OrdinalIgnoreCase).Take(wanted).ToList();
    }

    public async Task<string?> SuggestSpellingAsync(string text, CancellationToken ct = default)
    {
        var prepared = ListingQueryDsl.PrepareText(text);
        if (prepared is null)
        {
            return null;
        }
        var response = Ensure(await _client.SearchAsync<ListingDocument>(ListingQueryDsl.Spelling(_target, prepared), ct), "spelling");
        var entries = response.Suggest?.GetTerm(ListingQueryDsl.SpellingSuggester) ?? [];
        var changed = false;
        var words = ListingQueryDsl.WordsOf(prepared).Select(word =>
        {
            var better = entries.FirstOrDefault(e => string.Equals(e.Text, word, StringComparison.OrdinalIgnoreCase))?.Options.FirstOrDefault()?.Text;
            changed |= better is not null;
            return better ?? word;
        }).ToList();
        return changed ? string.Join(' ', words) : null;
    }

    public async Task StoreQueryAsync(StoredQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        // The percolator query as the client's request serializer writes the typed query (the source serializer
        // knows our documents, not the query DSL).
        using var dsl = JsonDocument.Parse(_client.RequestResponseSerializer.SerializeToString(ListingQueryDsl.StoredQuery(query.Query)));
        var document = new StoredQueryDocument(query.Id.ToString(), dsl.RootElement.Clone(), query.Query with { After = null });
        // wait_for: a listing indexed right after a buy request is posted must already meet it.
        var request = new IndexRequest<StoredQueryDocument>(document, _options.QueriesAlias, query.Id.ToString()) { Refresh = Refresh.WaitFor };
        Ensure(await _client.IndexAsync(request, ct), "store query");
    }

    public async Task DeleteQueryAsync(Guid id, CancellationToken ct = default)
    {
        var response = await _client.DeleteAsync(new DeleteRequest(_options.QueriesAlias, id.ToString()) { Refresh = Refresh.WaitFor }, ct);
        // {"result":"not_found",...} with 404 and no error: the index exists, the query does not; nothing to do.
        if (response.ApiCallDetails.HttpStatusCode == 404 && response.ElasticsearchServerError?.Error is null)
        {
            return;
        }
        Ensure(response, "delete query");
    }

    public async Task<IReadOnlyList<Guid>> PercolateAsync(ListingDocument document, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var matches = new List<Guid>();
        string? after = null;
        while (true)
        {
            var response = Ensure(await _client.SearchAsync<JsonElement>(ListingQueryDsl.Percolate(_options.QueriesAlias, document, after), ct), "percolate");
            var hits = response.HitsMetadata.Hits.ToList();
            matches.AddRange(hits.Select(h => Guid.Parse(h.Id!)));
            if (hits.Count < ListingQueryDsl.PercolatePageSize)
            {
                return matches;
            }
            after = hits[^1].Sort?.FirstOrDefault() is { } last && last.TryGetString(out var id) ? id : hits[^1].Id;
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
        var oldListings = await AliasIndicesAsync(_options.Alias, ct);
        var oldQueries = await AliasIndicesAsync(_options.QueriesAlias, ct);

        var listings = NewListingsIndexName();
        await CreateIndexAsync(listings, alias: null, ct);
        string? queries = null;
        var blocked = false;
        try
        {
            // The builder writes listings into the new index; stored queries still go to the live queries index.
            var builder = new ElasticsearchListingIndex(_client, _options, _logger, _time, _synonyms, _newGuid, listings, isBuilder: true);
            await fill(builder, ct);
            Ensure(await _client.Indices.RefreshAsync(new RefreshRequest(listings), ct), "refresh");

            // Stored queries move to a queries index made from the same definition. Writes to the old one are blocked
            // while they are copied: a buy request stored meanwhile fails and is retried by its caller, never lost.
            foreach (var index in oldQueries)
            {
                await WriteBlockAsync(index, true, ct);
            }
            blocked = true;
            queries = NewQueriesIndexName();
            await CreateIndexAsync(queries, alias: null, ct);
            foreach (var index in oldQueries)
            {
                await ReindexAsync(index, queries, ct);
            }

            // One atomic switch: readers see the complete old generation, then the complete new one.
            var actions = new List<IndexUpdateAliasesAction>();
            actions.AddRange(oldListings.Select(i => Remove(i, _options.Alias)));
            actions.Add(Add(listings, _options.Alias));
            actions.AddRange(oldQueries.Select(i => Remove(i, _options.QueriesAlias)));
            actions.Add(Add(queries, _options.QueriesAlias));
            Ensure(await _client.Indices.UpdateAliasesAsync(new UpdateAliasesRequest { Actions = actions }, ct), "alias swap");
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
            await DeleteIndicesAsync(leftovers, ct);
        }
    }

    static IndexUpdateAliasesAction Add(string index, string alias) => new() { Add = new AddAction { Index = index, Alias = alias } };

    static IndexUpdateAliasesAction Remove(string index, string alias) => new() { Remove = new RemoveAction { Index = index, Alias = alias } };

    /// <summary>Undoes a failed rebuild: the new indices go, the old queries index takes writes again.</summary>
    async Task AbandonAsync(string listings, string? queries, IReadOnlyList<string> blockedQueries)
    {
        // Not cancellable: the caller's token may be what failed the rebuild, and the clean-up still has to run.
        foreach (var index in blockedQueries)
        {
            await WriteBlockAsync(index, false, CancellationToken.None);
        }
        await DeleteIndicesAsync(queries is null ? [listings] : [listings, queries], CancellationToken.None);
    }

    async Task WriteBlockAsync(string index, bool on, CancellationToken ct)
    {
        var settings = new IndexSettings { Blocks = new IndexSettingBlocks { Write = on } };
        Ensure(await _client.Indices.PutSettingsAsync(new PutIndicesSettingsRequest(index, settings), ct), "write block");
    }

    /// <summary><c>_reindex</c> of the stored queries, waiting for completion: every query is re-parsed against the new mapping.</summary>
    async Task ReindexAsync(string source, string destination, CancellationToken ct)
    {
        var request = new ReindexRequest
        {
            Source = new Source { Indices = source },
            Dest = new Destination { Index = destination },
            WaitForCompletion = true,
            Refresh = true,
        };
        var response = Ensure(await _client.ReindexAsync(request, ct), "reindex");
        if (response.Failures?.FirstOrDefault() is { } first)
        {
            throw new ElasticsearchException(first.Status, first.Cause?.Type, first.Cause?.Reason, $"reindex of {source} into {destination}");
        }
    }

    public async Task<IndexStats> StatsAsync(CancellationToken ct = default)
    {
        var behind = _isBuilder ? [_target] : await AliasIndicesAsync(_options.Alias, ct);
        var name = behind.Count > 0 ? behind[0] : _target;
        var documents = Ensure(await _client.CountAsync(new CountRequest(_target), ct), "count").Count;
        var queries = Ensure(await _client.CountAsync(new CountRequest(_options.QueriesAlias), ct), "count").Count;
        return new IndexStats(Backend, name, documents, queries);
    }

    /// <summary>Makes every write so far visible to search and percolation (tests and bulk loads; searches are near real-time).</summary>
    public async Task RefreshAsync(CancellationToken ct = default) =>
        Ensure(await _client.Indices.RefreshAsync(new RefreshRequest(new[] { _target, _options.QueriesAlias }), ct), "refresh");

    /// <summary>Deletes every index generation of this prefix, listings and stored queries (tests, decommissioning).</summary>
    public async Task DropAsync(CancellationToken ct = default)
    {
        var response = Ensure(await _client.Indices.GetAliasAsync(new GetAliasRequest((Indices)$"{_options.IndexPrefix}-*"), ct), "list indices");
        var mine = (response.Aliases?.Keys ?? [])
            .Where(i => GenerationPattern(_options.Alias).IsMatch(i) || GenerationPattern(_options.QueriesAlias).IsMatch(i))
            .ToList();
        if (mine.Count > 0)
        {
            await DeleteIndicesAsync(mine, ct);
        }
    }

    // ---- index management ----

    async Task<bool> AliasExistsAsync(string alias, CancellationToken ct)
    {
        var response = await _client.Indices.ExistsAliasAsync(new ExistsAliasRequest(alias), ct);
        return response.ApiCallDetails.HttpStatusCode switch
        {
            200 => true,
            404 => false,
            _ => throw Failure(response, "alias check"),
        };
    }

    /// <summary>The concrete indices behind an alias, in name order (none when the alias is missing).</summary>
    async Task<IReadOnlyList<string>> AliasIndicesAsync(string alias, CancellationToken ct)
    {
        var response = await _client.Indices.GetAliasAsync(new GetAliasRequest((Names)alias), ct);
        if (response.ApiCallDetails.HttpStatusCode == 404)
        {
            // {"error":"alias [x] missing","status":404}
            return [];
        }
        return (Ensure(response, "alias lookup").Aliases?.Keys ?? []).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Deletes indices; false when there was no such index.</summary>
    internal async Task<bool> DeleteIndicesAsync(IReadOnlyList<string> indices, CancellationToken ct)
    {
        var response = await _client.Indices.DeleteAsync(new DeleteIndexRequest(indices.ToArray()), ct);
        if (response.ApiCallDetails.HttpStatusCode == 404 && response.ElasticsearchServerError?.Error?.Type == "index_not_found_exception")
        {
            return false;
        }
        Ensure(response, "index deletion");
        return true;
    }

    /// <summary>
    /// Creates an index from search-index/listings/index.json (with the shared synonyms), optionally with its alias.
    /// </summary>
    /// <remarks>
    /// Sent through the client's transport as raw JSON, not as a typed CreateIndexRequest: the definition file is the
    /// one source of the analyzers, mappings and percolator field for both back ends, and round-tripping it through
    /// the typed IndexSettings/TypeMapping model would drop or reshape what the model does not know (the boolean
    /// similarity, scaled_float options, dynamic templates) and make the file no longer what is sent. Auth, REST
    /// compatibility headers, compression, timeouts and retries are the transport's as for every typed call.
    /// </remarks>
    async Task CreateIndexAsync(string index, string? alias, CancellationToken ct)
    {
        var body = ElasticsearchIndexDefinition.Create(_synonyms);
        if (alias is not null)
        {
            body["aliases"] = new System.Text.Json.Nodes.JsonObject { [alias] = new System.Text.Json.Nodes.JsonObject() };
        }
        var path = $"/{Uri.EscapeDataString(index)}";
        var response = await _client.Transport.RequestAsync<StringResponse>(Elastic.Transport.HttpMethod.PUT, path, PostData.String(body.ToJsonString()), ct);
        var details = response.ApiCallDetails;
        if (details.HasSuccessfulStatusCode)
        {
            return;
        }
        var error = details.HttpStatusCode is null ? null : ServerErrorOf(response.Body);
        throw Log(new ElasticsearchException(details.HttpStatusCode ?? 0, error?.Type, error?.Reason ?? details.OriginalException?.Message, $"PUT {path}", details.OriginalException)
        {
            RootCauseTypes = error?.RootCause?.Select(c => c.Type).OfType<string>().ToList() ?? [],
        });
    }

    static Error? ServerErrorOf(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return null;
        }
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body));
        return ElasticsearchServerError.TryCreate(stream, out var error) ? error?.Error : null;
    }

    // ---- answers and errors ----

    T Ensure<T>(T response, string what)
        where T : ElasticsearchResponse =>
        response.IsValidResponse ? response : throw Failure(response, what);

    /// <summary>
    /// What a refused or failed call becomes: the status with the error type, reason and root causes of
    /// Elasticsearch's error body, or (nothing answered) the transport's exception inside.
    /// </summary>
    ElasticsearchException Failure(ElasticsearchResponse response, string what)
    {
        var details = response.ApiCallDetails;
        var error = response.ElasticsearchServerError?.Error;
        var request = details.Uri is null ? what : $"{details.HttpMethod} {details.Uri.AbsolutePath}";
        var reason = error?.Reason ?? details.OriginalException?.Message;
        return Log(new ElasticsearchException(details.HttpStatusCode ?? 0, error?.Type, reason, request, details.OriginalException)
        {
            RootCauseTypes = error?.RootCause?.Select(c => c.Type).OfType<string>().ToList() ?? [],
        });
    }

    ElasticsearchException Log(ElasticsearchException error)
    {
        LogFailure(_logger, error.Request, error.Status, error.ErrorType ?? "(none)", error.Reason ?? "(none)");
        return error;
    }

    // ---- documents and names ----

    /// <summary>
    /// The document as indexed: the listing as the client's source serializer writes it (camelCase, the whole record,
    /// so a hit's _source rebuilds it), plus the completion inputs (commodity names weigh most, then the named place).
    /// </summary>
    internal static IndexedListing ToIndexDocument(ListingDocument listing)
    {
        var suggestions = new List<CompletionInput>();
        void Add(IEnumerable<string?> inputs, int weight)
        {
            var clean = inputs.Select(CleanInput).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
            if (clean.Length > 0)
            {
                suggestions.Add(new CompletionInput(clean, weight));
            }
        }
        Add(listing.CategoryNames, 3);
        Add([listing.NamedPlace], 2);
        Add(listing.Title.Values.Append(listing.OriginRegion), 1);
        return new IndexedListing(listing, suggestions);
    }

    /// <summary>Completion inputs may not hold control characters (\u0000, \u001E, \u001F are reserved).</summary>
    static string CleanInput(string? text) =>
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Elasticsearch {Request} failed with {Status} {ErrorType}: {Reason}")]
    static partial void LogFailure(ILogger logger, string request, int status, string errorType, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alias {Alias} switched from {Old} to {New}")]
    static partial void LogSwapped(ILogger logger, string alias, string old, string @new);
}
