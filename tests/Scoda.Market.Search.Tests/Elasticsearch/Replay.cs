using Microsoft.Extensions.Logging;
using Scoda.Market.Search.Elasticsearch;

namespace Scoda.Market.Search.Tests.Elasticsearch;

/// <summary>
/// An Elasticsearch back end wired to a <see cref="RecordedExchangeHandler"/>: fixed clock (2026-11-01 12:00:00 UTC),
/// index-name guids 00000001, 00000002 …, a two-line synonym table, no retry delay, and every log line captured.
/// </summary>
public sealed class Replay : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The comment line must never reach Elasticsearch.</summary>
    public static readonly Synonyms TestSynonyms = Synonyms.Parse("# a comment, never sent\nwheat, пшеница, 小麦\n\nbarley, ячмень, 大麦\n");

    public Replay(string scenario, string? apiKey = RecordedExchangeHandler.ApiKey, Func<ElasticsearchOptions, ElasticsearchOptions>? options = null)
    {
        Handler = new RecordedExchangeHandler(scenario, apiKey);
        Options = new ElasticsearchOptions(new Uri("http://es.test:9200"), apiKey, "scoda-test")
        {
            RetryDelay = TimeSpan.Zero,
            HttpRetryDelay = TimeSpan.FromMilliseconds(1),
        };
        Options = options?.Invoke(Options) ?? Options;
        // The fake is the primary handler: requests go through the official client, its transport and the
        // resilience handler exactly as in production, and only the bytes stop here.
        Client = ElasticsearchConnection.CreateClient(Options, new CapturingLoggerFactory(Logs), () => Handler);
        var guids = 0;
        Index = new ElasticsearchListingIndex(Client, Options, new CapturingLogger<ElasticsearchListingIndex>(Logs), new FixedTime(Now), TestSynonyms,
            () => new Guid($"{++guids:x8}-0000-0000-0000-000000000000"));
    }

    public RecordedExchangeHandler Handler { get; }

    public ElasticsearchOptions Options { get; }

    public Elastic.Clients.Elasticsearch.ElasticsearchClient Client { get; }

    public ElasticsearchListingIndex Index { get; }

    public List<string> Logs { get; } = [];

    public void Dispose() => ((IDisposable)Client.ElasticsearchClientSettings).Dispose();

    sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

/// <summary>Loggers for every category, all into one list.</summary>
public sealed class CapturingLoggerFactory(List<string> lines) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new CapturingLogger<object>(lines);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}

/// <summary>Keeps every formatted log line (all levels), so tests can prove what never appears in logs.</summary>
public sealed class CapturingLogger<T>(List<string> lines) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (lines)
        {
            lines.Add($"{logLevel}: {formatter(state, exception)} {exception}");
        }
    }
}

/// <summary>The listings the recordings were written for: fixed ids and dates, otherwise the builder's defaults.</summary>
public static class RecordedListings
{
    public static readonly Guid SellerId = Guid.Parse("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa");

    public static ListingDocument Wheat() => Fixed(new ListingDocumentBuilder(), "11111111-1111-1111-1111-111111111111", 1);

    public static ListingDocument Barley() => Fixed(new ListingDocumentBuilder().Barley(), "22222222-2222-2222-2222-222222222222", 2);

    public static ListingDocument IronOre() => Fixed(new ListingDocumentBuilder().IronOre(), "33333333-3333-3333-3333-333333333333", 3);

    static ListingDocument Fixed(ListingDocumentBuilder builder, string id, int day) =>
        builder.With(d => d with { Id = Guid.Parse(id), SellerId = SellerId, PublishedAt = new DateTimeOffset(2026, 10, day, 8, 0, 0, TimeSpan.Zero) }).Build();
}
