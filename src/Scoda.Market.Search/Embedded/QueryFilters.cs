using Microsoft.Data.Sqlite;

namespace Scoda.Market.Search.Embedded;

/// <summary>A facet filter of a query as a SQL condition over <c>docs d</c>; a multi-valued one searches a joined column.</summary>
internal sealed record FacetFilter(string Facet, string Sql, bool Multi);

/// <summary>Owns query planning for filters: a query's filters as SQL over <c>docs d</c>, plain and per facet, with their parameters.</summary>
/// <remarks>
/// Plain and facet filters apart, so a walk can put them in its WHERE clause or evaluate them per row for multi-select
/// facet counts.
/// </remarks>
internal sealed record QueryFilters(List<string> Plain, List<FacetFilter> Facet, List<SqliteParameter> Parameters)
{
    public static QueryFilters Of(ListingQuery q)
    {
        var plain = new List<string>();
        var facet = new List<FacetFilter>();
        var parameters = new List<SqliteParameter>();
        string Add(object value)
        {
            var name = $"$f{parameters.Count}";
            parameters.Add(new SqliteParameter(name, value));
            return name;
        }

        if (q.VerifiedOnly)
        {
            plain.Add("d.seller_verified = 1");
        }
        if (!string.IsNullOrEmpty(q.HsCodePrefix))
        {
            plain.Add($"d.hs_code LIKE {Add(q.HsCodePrefix)} || '%'");
        }
        if (q.MinPriceUsd is { } min)
        {
            plain.Add($"d.price_usd >= {Add(IndexSchema.Scale(min, IndexSchema.PriceScale))}");
        }
        if (q.MaxPriceUsd is { } max)
        {
            plain.Add($"d.price_usd <= {Add(IndexSchema.Scale(max, IndexSchema.PriceScale))}");
        }
        if (q.MinAvailable is { } available)
        {
            plain.Add($"d.available >= {Add(IndexSchema.Scale(available, IndexSchema.QuantityScale))}");
        }
        void Single(string name, string column, IReadOnlyList<string> values)
        {
            if (values.Count > 0)
            {
                facet.Add(new FacetFilter(name, $"d.{column} IN ({string.Join(", ", values.Select(v => Add(v)))})", false));
            }
        }
        // Multi-valued columns hold "␟a␟b␟": a value matches as "␟value␟" anywhere in them.
        void Multi(string name, string column, IEnumerable<string> values)
        {
            var conditions = values.Select(v => $"instr(d.{column}, {Add($"{IndexSchema.Separator}{IndexSchema.Separable(v)}{IndexSchema.Separator}")}) > 0").ToList();
            if (conditions.Count > 0)
            {
                facet.Add(new FacetFilter(name, $"({string.Join(" OR ", conditions)})", true));
            }
        }
        Single(Facets.Origin, "origin", q.Origins);
        Single(Facets.Incoterm, "incoterm", q.Incoterms);
        Multi(Facets.Category, "category_path", q.Categories);
        Multi(Facets.WarehouseCountry, "warehouses", q.WarehouseCountries);
        Multi(Facets.Certificate, "certificates", q.Certificates.Select(c => c.Trim().ToLowerInvariant()));
        return new QueryFilters(plain, facet, parameters);
    }

    /// <summary>
    /// Every filter as one list of conditions, cheapest first: SQLite tests the conditions of a scan in this order and
    /// stops at the first that fails.
    /// </summary>
    public static List<string> All(List<string> plain, List<FacetFilter> facets) =>
        [.. facets.Where(f => !f.Multi).Select(f => f.Sql), .. plain, .. facets.Where(f => f.Multi).Select(f => f.Sql)];
}
