using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Scoda.Market.IntegrationTests.Infrastructure;

/// <summary>Every log line a host writes (category, level, rendered message with its exception), for tests about logging.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    readonly ConcurrentQueue<CapturedLine> _lines = new();

    public IReadOnlyList<CapturedLine> Lines => [.. _lines];

    /// <summary>Adds the capture to <paramref name="app"/>'s logging (before the host starts).</summary>
    public static CapturedLogs On(MarketApp app)
    {
        var logs = new CapturedLogs();
        app.ServiceOverrides.Add(services => services.AddSingleton<ILoggerProvider>(logs));
        return logs;
    }

    public void Clear() => _lines.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception);
            logs._lines.Enqueue(new CapturedLine(category, logLevel, exception is null ? text : $"{text}{Environment.NewLine}{exception}"));
        }
    }
}

public sealed record CapturedLine(string Category, LogLevel Level, string Text);
