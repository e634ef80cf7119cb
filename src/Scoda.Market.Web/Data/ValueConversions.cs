using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Data;

/// <summary>
/// SQLite has no decimal type and EF Core cannot compare, order or sum decimals stored as text. Storing them as
/// integers scaled by 10^6 keeps them exact and lets SQL do arithmetic (the scaling is linear, so sums and comparisons
/// of scaled values are the scaled sums and comparisons). Validation bounds inputs to six decimals.
/// </summary>
sealed class ScaledDecimalConverter() : ValueConverter<decimal, long>(
    value => (long)(value * 1_000_000m),
    stored => Decimals.Normalize(stored / 1_000_000m));

/// <summary>Drops the trailing zeros PostgreSQL's numeric(18,6) adds, so values read back equal what was written, digit for digit.</summary>
sealed class NormalizingDecimalConverter() : ValueConverter<decimal, decimal>(value => value, stored => Decimals.Normalize(stored));

/// <summary>Maps a property to a JSON text column (localized texts, spec values, term lists).</summary>
public static class JsonColumn
{
    static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property) where T : class, new() =>
        property.HasJsonConversion(() => new T());

    /// <summary>For immutable records: a column that is never empty, so reading null is a corrupt row.</summary>
    public static PropertyBuilder<T> HasJsonRecordConversion<T>(this PropertyBuilder<T> property) where T : class =>
        property.HasJsonConversion<T>(() => throw new InvalidOperationException($"A stored {typeof(T).Name} is empty."));

    static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property, Func<T> whenNull) where T : class =>
        property.HasConversion(
            new ValueConverter<T, string>(
                value => JsonSerializer.Serialize(value, Options),
                json => JsonSerializer.Deserialize<T>(json, Options) ?? whenNull()),
            new ValueComparer<T>(
                (a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
                value => JsonSerializer.Serialize(value, Options).GetHashCode(StringComparison.Ordinal),
                value => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, Options), Options)!));
}
