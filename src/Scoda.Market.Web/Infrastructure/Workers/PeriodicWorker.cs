using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Infrastructure.Telemetry;

namespace Scoda.Market.Web.Infrastructure.Workers;

/// <summary>
/// A background job that runs one pass at start and then every <see cref="Interval"/> on the injected clock. A failed
/// pass is logged and retried at the next tick; tests call <see cref="RunOnceAsync"/> directly.
/// </summary>
public abstract partial class PeriodicWorker(TimeProvider clock, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected abstract TimeSpan Interval { get; }

    /// <summary>One pass; returns how many items it handled.</summary>
    public abstract Task<int> RunOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, Clock);
        do
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var handled = await RunOnceAsync(stoppingToken);
                WorkerTelemetry.Passed(GetType().Name, started, handled);
                if (handled > 0)
                {
                    LogHandled(logger, GetType().Name, handled);
                }
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                WorkerTelemetry.Failed(GetType().Name, started, ex);
                LogFailed(logger, ex, GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Worker} handled {Count} items")]
    private static partial void LogHandled(ILogger logger, string worker, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Worker} pass failed; retrying at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception, string worker);
}
