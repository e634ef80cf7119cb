using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Aggregations;
using Elastic.Clients.Elasticsearch.Core.Search;
using Elastic.Clients.Elasticsearch.QueryDsl;

namespace Scoda.Market.Search.Elasticsearch;

/// <summary>
/// Turns a <see cref="ListingQuery"/> into the official client's typed search requests and queries. The user's text only ever travels as the value of a
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
        "headline.en^2", "headline.ru^2",
    ];

    const int CategoryBoost = 2;

    static readonly string[] HanRankFields = ["title.zh^3", "headline.zh^2", "description.zh"];

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

    /// <summary>The words of a prepared text (see <see cref="PrepareText"/>).</summary>
    public static IReadOnlyList<string> WordsOf(string? prepared) =>
        prepared is null ? [] : prepared.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public const string SpellingSuggester = "spelling";

    /// <summary>"Did you mean": a term suggester over every searched text, for a search that found nothing.</summary>
    public static SearchRequest Spelling(string index, string text) => new(index)
    {
        Size = 0,
        Source = false,
        TrackTotalHits = false,
        Suggest = new Suggester
        {
            Text = text,
            Suggesters = new Dictionary<string, FieldSuggester>(StringComparer.Ordinal)
            {
                [SpellingSuggester] = new FieldSuggester
                {
                    Term = new TermSuggester { Field = "allText", SuggestMode = SuggestMode.Missing, Size = 1, MinWordLength = 3 },
                },
            },
        },
    };

    /// <summary>Relevance without text has nothing to rank by: such a search lists newest first (as the embedded back end).</summary>
    public static ListingSort EffectiveSort(ListingQuery query, string? text) =>
        query.Sort == ListingSort.Relevance && text is null ? ListingSort.Newest : query.Sort;

    /// <summary>The whole <c>_search</c> request for one page of results.</summary>
    public static SearchRequest Search(string index, ListingQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = PrepareText(query.Text);
        var sort = EffectiveSort(query, text);
        var limit = Math.Clamp(query.Limit, 1, SearchLimits.MaxLimit);
        // Facets belong to the first page; later pages (with a cursor) leave them out, as the embedded back end does.
        var withFacets = query.WithFacets && query.After is null;
        var facetFilters = FacetFilters(query);

        var request = new SearchRequest(index)
        {
            // One more than the page, so the page knows whether another follows.
            Size = limit + 1,
            TrackTotalHits = SearchLimits.TrackTotalHits,
            Query = Query(query, text, facetFiltersInQuery: !withFacets, requirePrice: sort is ListingSort.PriceAsc or ListingSort.PriceDesc),
            Sort = Sort(sort),
        };
        if (withFacets)
        {
            // Multi-select facets: the facet filters narrow the hits after aggregating (post_filter), and each facet's
            // aggregation applies every facet filter except its own.
            if (facetFilters.Count > 0)
            {
                request.PostFilter = AllOf(facetFilters.Select(f => f.Filter));
            }
            var aggregations = new Dictionary<string, Aggregation>(StringComparer.Ordinal);
            foreach (var (facet, field) in FacetFields)
            {
                aggregations[facet] = new Aggregation
                {
                    Filter = AllOf(facetFilters.Where(f => f.Facet != facet).Select(f => f.Filter)),
                    Aggregations = new Dictionary<string, Aggregation>(StringComparer.Ordinal)
                    {
                        ["values"] = new TermsAggregation { Field = field, Size = FacetSize },
                    },
                };
            }
            request.Aggregations = aggregations;
        }
        if (query.After is { } after && after.Sort == sort)
        {
            request.SearchAfter =
            [
                sort == ListingSort.Newest ? FieldValue.Long(decimal.ToInt64(after.Value)) : FieldValue.Double((double)after.Value),
                FieldValue.String(after.Id.ToString()),
            ];
        }
        if (text is not null)
        {
            request.Highlight = new Highlight
            {
                PreTags = ["<mark>"],
                PostTags = ["</mark>"],
                Encoder = HighlighterEncoder.Html,
                Fields =
                [
                    new KeyValuePair<Field, HighlightField>("title.*", new HighlightField { NumberOfFragments = 0 }),
                    new KeyValuePair<Field, HighlightField>("description.*", new HighlightField { FragmentSize = 160, NumberOfFragments = 1 }),
                ],
            };
        }
        return request;
    }

    /// <summary>
    /// A buy request's standing query as stored in the percolator field: the same query as a search's, with every
    /// filter applied (there are no facets to keep apart), and no sort, paging or aggregations.
    /// </summary>
    public static Query StoredQuery(ListingQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Query(query, PrepareText(query.Text), facetFiltersInQuery: true, requirePrice: false);
    }

    /// <summary>Completion suggestions from the <c>suggest</c> field; duplicates are skipped by Elasticsearch.</summary>
    public static SearchRequest Suggest(string index, string prefix, int size) => new(index)
    {
        Size = 0,
        Source = false,
        TrackTotalHits = false,
        Suggest = new Suggester
        {
            Suggesters = new Dictionary<string, FieldSuggester>(StringComparer.Ordinal)
            {
                ["names"] = new FieldSuggester
                {
                    Prefix = prefix,
                    Completion = new CompletionSuggester { Field = "suggest", Size = size, SkipDuplicates = true },
                },
            },
        },
    };

    /// <summary>One page of the stored queries that match a document, in id order (search_after the last id).</summary>
    public static SearchRequest Percolate(string index, ListingDocument document, string? afterId)
    {
        var request = new SearchRequest(index)
        {
            Size = PercolatePageSize,
            Source = false,
            TrackTotalHits = false,
            // The listing goes as the client's source serializer writes it: exactly as an indexed listing, minus the
            // completion inputs, which a percolator query never reads.
            Query = new PercolateQuery { Field = "query", Document = document },
            Sort = [Order("id", SortOrder.Asc)],
        };
        if (afterId is not null)
        {
            request.SearchAfter = [FieldValue.String(afterId)];
        }
        return request;
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

    static List<(string Facet, Query Filter)> FacetFilters(ListingQuery q)
    {
        var filters = new List<(string, Query)>();
        void Terms(string facet, IReadOnlyList<string> values)
        {
            if (values.Count > 0)
            {
                filters.Add((facet, new TermsQuery { Field = FieldOf(facet), Terms = values.Select(FieldValue.String).ToArray() }));
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

    static Query Query(ListingQuery q, string? text, bool facetFiltersInQuery, bool requirePrice)
    {
        var filters = new List<Query>();
        if (!string.IsNullOrWhiteSpace(q.HsCodePrefix))
        {
            filters.Add(new PrefixQuery { Field = "hsCode", Value = q.HsCodePrefix.Trim() });
        }
        if (q.MinPriceUsd is not null || q.MaxPriceUsd is not null)
        {
            filters.Add(new NumberRangeQuery { Field = "priceUsd", Gte = (double?)q.MinPriceUsd, Lte = (double?)q.MaxPriceUsd });
        }
        if (q.MinAvailable is { } available)
        {
            filters.Add(new NumberRangeQuery { Field = "available", Gte = (double)available });
        }
        if (q.VerifiedOnly)
        {
            filters.Add(new TermQuery { Field = "sellerVerified", Value = true });
        }
        if (requirePrice)
        {
            // A listing whose price cannot be normalized has no place in a price order (as in the embedded back end).
            filters.Add(new ExistsQuery { Field = "priceUsd" });
        }
        if (facetFiltersInQuery)
        {
            filters.AddRange(FacetFilters(q).Select(f => f.Filter));
        }

        if (text is null && filters.Count == 0)
        {
            return new MatchAllQuery();
        }
        var @bool = new BoolQuery();
        if (text is not null && q.Words == WordMatch.Some)
        {
            // The partial matches: at least one word, not all of them (those are the full matches, listed first).
            @bool.Must = [new BoolQuery { Should = WordsOf(text).Select(TextClause).ToList(), MinimumShouldMatch = 1 }];
            @bool.MustNot = [TextClause(text)];
            @bool.Should = RankClauses(text);
        }
        else if (text is not null)
        {
            @bool.Must = [TextClause(text)];
            @bool.Should = RankClauses(text);
        }
        if (filters.Count > 0)
        {
            @bool.Filter = filters;
        }
        return @bool;
    }

    /// <summary>
    /// What a listing must match: every word, in any field and any language (allText, with synonyms, stemming and
    /// typo tolerance; Chinese bigrams are two characters, which AUTO fuzziness leaves exact), or every word as the
    /// beginning of a word of a title, commodity name or place (autocomplete, edge n-grams) while the user types.
    /// </summary>
    static Query TextClause(string text) => new BoolQuery
    {
        Should =
        [
            FuzzyMatch("allText", text),
            new MatchQuery { Field = "autocomplete", Query = text, Operator = Operator.And },
        ],
        MinimumShouldMatch = 1,
    };

    static MatchQuery FuzzyMatch(string field, string text) => new()
    {
        Field = field,
        Query = text,
        Operator = Operator.And,
        Fuzziness = Fuzziness,
        PrefixLength = 1,
        MaxExpansions = MaxExpansions,
    };

    /// <summary>
    /// How matches rank (and what is highlighted): titles ×3 over commodity names ×2 over descriptions, per language
    /// with that language's analyzer; fuzzy for Latin and Cyrillic, exact for Chinese; a title starting with the
    /// typed phrase ranks higher still. Commodity names score a constant: categoryNames holds every language, so a
    /// synonym would otherwise match it once per language and outweigh the title.
    /// </summary>
    static List<Query> RankClauses(string text) =>
    [
        new MultiMatchQuery
        {
            Query = text,
            Type = TextQueryType.BestFields,
            Fields = FuzzyRankFields,
            Fuzziness = Fuzziness,
            PrefixLength = 1,
            MaxExpansions = MaxExpansions,
        },
        new MultiMatchQuery { Query = text, Type = TextQueryType.BestFields, Fields = HanRankFields },
        new ConstantScoreQuery { Filter = FuzzyMatch("categoryNames", text), Boost = CategoryBoost },
        new MultiMatchQuery { Query = text, Type = TextQueryType.PhrasePrefix, Fields = PhrasePrefixFields, MaxExpansions = MaxExpansions },
    ];

    static List<SortOptions> Sort(ListingSort sort) => sort switch
    {
        ListingSort.Relevance => [new SortOptions { Score = new ScoreSort { Order = SortOrder.Desc } }, Order("id", SortOrder.Asc)],
        ListingSort.PriceAsc => [Order("priceUsd", SortOrder.Asc, missingLast: true), Order("id", SortOrder.Asc)],
        ListingSort.PriceDesc => [Order("priceUsd", SortOrder.Desc, missingLast: true), Order("id", SortOrder.Desc)],
        _ => [Order("publishedAt", SortOrder.Desc), Order("id", SortOrder.Desc)],
    };

    static SortOptions Order(string field, SortOrder order, bool missingLast = false) =>
        new FieldSort { Field = field, Order = order, Missing = missingLast ? "_last" : null };

    static Query AllOf(IEnumerable<Query> filters)
    {
        var list = filters.ToList();
        return list.Count == 0 ? new MatchAllQuery() : new BoolQuery { Filter = list };
    }

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
