using System.Text.Json.Nodes;

namespace Scoda.Market.Search.Elasticsearch;

/// <summary>
/// Turns a <see cref="ListingQuery"/> into Elasticsearch query DSL. The user's text only ever travels as the value of a
/// <c>query</c> member of <c>match</c>/<c>multi_match</c>, which Elasticsearch analyzes as plain text: there is no
/// query_string anywhere, so Lucene syntax (<c>" OR *:* AND -(</c>) is searched as the characters it is.
/// </summary>
internal static class ListingQueryDsl
{
    public const int FacetSize = 50;
    public const int PercolatePageSize = 500;

    /// <summary>As the embedded back end: at most this many distinct words of a query take part.</summary>
    public const int MaxWords = 12;

    /// <summary>Longer "words" (a pasted Chinese sentence has no spaces) are cut, which bounds the clauses a query builds.</summary>
    public const int MaxWordLength = 32;

    const string Fuzziness = "AUTO";
    const int MaxExpansions = 10;

    // Latin and Cyrillic fields: ranked with typo tolerance. Chinese fields are ranked without it (see RankClauses).
    static readonly string[] FuzzyRankFields =
    [
        "title.en^3", "title.ru^3", "title.kk^3", "title.uz^3",
        "description.en", "description.ru", "description.kk", "description.uz",
    ];

    const int CategoryBoost = 2;

    static readonly string[] HanRankFields = ["title.zh^3", "description.zh"];

    static readonly string[] PhrasePrefixFields = ["title.en^2", "title.ru^2", "title.kk^2", "title.uz^2"];

    /// <summary>
    /// The text as it is sent: at most <see cref="SearchLimits.MaxQueryLength"/> characters and <see cref="MaxWords"/>
    /// distinct words of at most <see cref="MaxWordLength"/> characters; null when nothing is left.
    /// </summary>
    public static string? PrepareText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var cut = Cut(text, SearchLimits.MaxQueryLength);
        if (cut.Length < text.Length && !char.IsWhiteSpace(text[cut.Length]) && cut.LastIndexOfAny([' ', '\t', '\n', '\r']) is > 0 and var space)
        {
            // The cut fell inside a word: a half word would only narrow the search.
            cut = cut[..space];
        }
        var words = cut
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(word => Cut(word, MaxWordLength))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Take(MaxWords);
        var prepared = string.Join(' ', words);
        return prepared.Length == 0 ? null : prepared;
    }

    /// <summary>Relevance without text has nothing to rank by: such a search lists newest first (as the embedded back end).</summary>
    public static ListingSort EffectiveSort(ListingQuery query, string? text) =>
        query.Sort == ListingSort.Relevance && text is null ? ListingSort.Newest : query.Sort;

    /// <summary>The whole <c>_search</c> body for one page of results.</summary>
    public static JsonObject Search(ListingQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = PrepareText(query.Text);
        var sort = EffectiveSort(query, text);
        var limit = Math.Clamp(query.Limit, 1, SearchLimits.MaxLimit);
        // Facets belong to the first page; later pages (with a cursor) leave them out, as the embedded back end does.
        var withFacets = query.WithFacets && query.After is null;
        var facetFilters = FacetFilters(query);

        var body = new JsonObject
        {
            // One more than the page, so the page knows whether another follows.
            ["size"] = limit + 1,
            ["track_total_hits"] = SearchLimits.TrackTotalHits,
            ["query"] = Query(query, text, facetFiltersInQuery: !withFacets, requirePrice: sort is ListingSort.PriceAsc or ListingSort.PriceDesc),
        };
        if (withFacets)
        {
            // Multi-select facets: the facet filters narrow the hits after aggregating (post_filter), and each facet's
            // aggregation applies every facet filter except its own.
            if (facetFilters.Count > 0)
            {
                body["post_filter"] = AllOf(facetFilters.Select(f => f.Filter));
            }
            var aggregations = new JsonObject();
            foreach (var (facet, field) in FacetFields)
            {
                aggregations[facet] = new JsonObject
                {
                    ["filter"] = AllOf(facetFilters.Where(f => f.Facet != facet).Select(f => f.Filter)),
                    ["aggs"] = new JsonObject
                    {
                        ["values"] = new JsonObject { ["terms"] = new JsonObject { ["field"] = field, ["size"] = FacetSize } },
                    },
                };
            }
            body["aggs"] = aggregations;
        }
        body["sort"] = Sort(sort);
        if (query.After is { } after && after.Sort == sort)
        {
            body["search_after"] = new JsonArray(
                sort == ListingSort.Newest ? JsonValue.Create(decimal.ToInt64(after.Value)) : JsonValue.Create(after.Value),
                JsonValue.Create(after.Id.ToString()));
        }
        if (text is not null)
        {
            body["highlight"] = new JsonObject
            {
                ["pre_tags"] = new JsonArray("<mark>"),
                ["post_tags"] = new JsonArray("</mark>"),
                ["encoder"] = "html",
                ["fields"] = new JsonObject
                {
                    ["title.*"] = new JsonObject { ["number_of_fragments"] = 0 },
                    ["description.*"] = new JsonObject { ["fragment_size"] = 160, ["number_of_fragments"] = 1 },
                },
            };
        }
        return body;
    }

    /// <summary>
    /// A buy request's standing query as stored in the percolator field: the same query as a search's, with every
    /// filter applied (there are no facets to keep apart), and no sort, paging or aggregations.
    /// </summary>
    public static JsonObject StoredQuery(ListingQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Query(query, PrepareText(query.Text), facetFiltersInQuery: true, requirePrice: false);
    }

    /// <summary>Completion suggestions from the <c>suggest</c> field; duplicates are skipped by Elasticsearch.</summary>
    public static JsonObject Suggest(string prefix, int size) => new()
    {
        ["size"] = 0,
        ["_source"] = false,
        ["track_total_hits"] = false,
        ["suggest"] = new JsonObject
        {
            ["names"] = new JsonObject
            {
                ["prefix"] = prefix,
                ["completion"] = new JsonObject { ["field"] = "suggest", ["size"] = size, ["skip_duplicates"] = true },
            },
        },
    };

    /// <summary>One page of the stored queries that match a document, in id order (search_after the last id).</summary>
    public static JsonObject Percolate(JsonObject document, string? afterId)
    {
        var body = new JsonObject
        {
            ["size"] = PercolatePageSize,
            ["_source"] = false,
            ["track_total_hits"] = false,
            ["query"] = new JsonObject { ["percolate"] = new JsonObject { ["field"] = "query", ["document"] = document } },
            ["sort"] = new JsonArray(new JsonObject { ["id"] = new JsonObject { ["order"] = "asc" } }),
        };
        if (afterId is not null)
        {
            body["search_after"] = new JsonArray(afterId);
        }
        return body;
    }

    static readonly (string Facet, string Field)[] FacetFields =
    [
        (Facets.Category, "categoryPath"),
        (Facets.Origin, "originCountry"),
        (Facets.Incoterm, "incoterm"),
        (Facets.WarehouseCountry, "warehouseCountries"),
        (Facets.Certificate, "certificates"),
    ];

    public static string FieldOf(string facet) => FacetFields.Single(f => f.Facet == facet).Field;

    static List<(string Facet, JsonObject Filter)> FacetFilters(ListingQuery q)
    {
        var filters = new List<(string, JsonObject)>();
        void Terms(string facet, IReadOnlyList<string> values)
        {
            if (values.Count > 0)
            {
                filters.Add((facet, new JsonObject
                {
                    ["terms"] = new JsonObject { [FieldOf(facet)] = new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()) },
                }));
            }
        }
        // A category matches at any depth: categoryPath holds the listing's category and all its ancestors.
        Terms(Facets.Category, q.Categories);
        Terms(Facets.Origin, q.Origins);
        Terms(Facets.Incoterm, q.Incoterms);
        Terms(Facets.WarehouseCountry, q.WarehouseCountries);
        Terms(Facets.Certificate, q.Certificates);
        return filters;
    }

    static JsonObject Query(ListingQuery q, string? text, bool facetFiltersInQuery, bool requirePrice)
    {
        var filters = new JsonArray();
        if (!string.IsNullOrWhiteSpace(q.HsCodePrefix))
        {
            filters.Add(new JsonObject { ["prefix"] = new JsonObject { ["hsCode"] = q.HsCodePrefix.Trim() } });
        }
        if (q.MinPriceUsd is not null || q.MaxPriceUsd is not null)
        {
            var range = new JsonObject();
            if (q.MinPriceUsd is { } min)
            {
                range["gte"] = min;
            }
            if (q.MaxPriceUsd is { } max)
            {
                range["lte"] = max;
            }
            filters.Add(new JsonObject { ["range"] = new JsonObject { ["priceUsd"] = range } });
        }
        if (q.MinAvailable is { } available)
        {
            filters.Add(new JsonObject { ["range"] = new JsonObject { ["available"] = new JsonObject { ["gte"] = available } } });
        }
        if (q.VerifiedOnly)
        {
            filters.Add(new JsonObject { ["term"] = new JsonObject { ["sellerVerified"] = true } });
        }
        if (requirePrice)
        {
            // A listing whose price cannot be normalized has no place in a price order (as in the embedded back end).
            filters.Add(new JsonObject { ["exists"] = new JsonObject { ["field"] = "priceUsd" } });
        }
        if (facetFiltersInQuery)
        {
            foreach (var (_, filter) in FacetFilters(q))
            {
                filters.Add(filter);
            }
        }

        if (text is null && filters.Count == 0)
        {
            return new JsonObject { ["match_all"] = new JsonObject() };
        }
        var @bool = new JsonObject();
        if (text is not null)
        {
            @bool["must"] = new JsonArray(TextClause(text));
            @bool["should"] = RankClauses(text);
        }
        if (filters.Count > 0)
        {
            @bool["filter"] = filters;
        }
        return new JsonObject { ["bool"] = @bool };
    }

    /// <summary>
    /// What a listing must match: every word, in any field and any language (allText, with synonyms, stemming and
    /// typo tolerance; Chinese bigrams are two characters, which AUTO fuzziness leaves exact), or every word as the
    /// beginning of a word of a title, commodity name or place (autocomplete, edge n-grams) while the user types.
    /// </summary>
    static JsonObject TextClause(string text) => new()
    {
        ["bool"] = new JsonObject
        {
            ["should"] = new JsonArray(
                new JsonObject
                {
                    ["match"] = new JsonObject
                    {
                        ["allText"] = new JsonObject
                        {
                            ["query"] = text,
                            ["operator"] = "and",
                            ["fuzziness"] = Fuzziness,
                            ["prefix_length"] = 1,
                            ["max_expansions"] = MaxExpansions,
                        },
                    },
                },
                new JsonObject
                {
                    ["match"] = new JsonObject
                    {
                        ["autocomplete"] = new JsonObject { ["query"] = text, ["operator"] = "and" },
                    },
                }),
            ["minimum_should_match"] = 1,
        },
    };

    /// <summary>
    /// How matches rank (and what is highlighted): titles ×3 over commodity names ×2 over descriptions, per language
    /// with that language's analyzer; fuzzy for Latin and Cyrillic, exact for Chinese; a title starting with the
    /// typed phrase ranks higher still. Commodity names score a constant: categoryNames holds every language, so a
    /// synonym would otherwise match it once per language and outweigh the title.
    /// </summary>
    static JsonArray RankClauses(string text) => new(
        new JsonObject
        {
            ["multi_match"] = new JsonObject
            {
                ["query"] = text,
                ["type"] = "best_fields",
                ["fields"] = Strings(FuzzyRankFields),
                ["fuzziness"] = Fuzziness,
                ["prefix_length"] = 1,
                ["max_expansions"] = MaxExpansions,
            },
        },
        new JsonObject
        {
            ["multi_match"] = new JsonObject
            {
                ["query"] = text,
                ["type"] = "best_fields",
                ["fields"] = Strings(HanRankFields),
            },
        },
        new JsonObject
        {
            ["constant_score"] = new JsonObject
            {
                ["filter"] = new JsonObject
                {
                    ["match"] = new JsonObject
                    {
                        ["categoryNames"] = new JsonObject
                        {
                            ["query"] = text,
                            ["operator"] = "and",
                            ["fuzziness"] = Fuzziness,
                            ["prefix_length"] = 1,
                            ["max_expansions"] = MaxExpansions,
                        },
                    },
                },
                ["boost"] = CategoryBoost,
            },
        },
        new JsonObject
        {
            ["multi_match"] = new JsonObject
            {
                ["query"] = text,
                ["type"] = "phrase_prefix",
                ["fields"] = Strings(PhrasePrefixFields),
                ["max_expansions"] = MaxExpansions,
            },
        });

    static JsonArray Sort(ListingSort sort) => sort switch
    {
        ListingSort.Relevance => new JsonArray(Order("_score", "desc"), Order("id", "asc")),
        ListingSort.PriceAsc => new JsonArray(Order("priceUsd", "asc", missingLast: true), Order("id", "asc")),
        ListingSort.PriceDesc => new JsonArray(Order("priceUsd", "desc", missingLast: true), Order("id", "desc")),
        _ => new JsonArray(Order("publishedAt", "desc"), Order("id", "desc")),
    };

    static JsonObject Order(string field, string order, bool missingLast = false)
    {
        var spec = new JsonObject { ["order"] = order };
        if (missingLast)
        {
            spec["missing"] = "_last";
        }
        return new JsonObject { [field] = spec };
    }

    static JsonObject AllOf(IEnumerable<JsonObject> filters)
    {
        var list = filters.Select(f => (JsonNode?)f.DeepClone()).ToArray();
        return list.Length == 0
            ? new JsonObject { ["match_all"] = new JsonObject() }
            : new JsonObject { ["bool"] = new JsonObject { ["filter"] = new JsonArray(list) } };
    }

    static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>The first <paramref name="length"/> characters, never splitting a surrogate pair.</summary>
    static string Cut(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }
        return char.IsHighSurrogate(text[length - 1]) ? text[..(length - 1)] : text[..length];
    }
}
