using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Scoda.Market.Web.Infrastructure.Telemetry;

/// <summary>
/// Client spans and a duration histogram for the EF Core commands that run on SQLite, which (unlike Npgsql) has no
/// tracing of its own. Follows the database conventions: span name = operation, <c>db.system.name=sqlite</c>,
/// <c>db.query.text</c> (EF sends values as parameters, and parameter values are never recorded).
/// </summary>
/// <remarks>
/// An interceptor rather than OpenTelemetry's EF Core instrumentation, which is only served as a beta. The span is
/// started in the "executing" callback and ended in "executed"/"failed"; those run in different async contexts, so open
/// spans are found again by EF's command id.
/// </remarks>
public sealed class SqliteCommandTelemetry : DbCommandInterceptor
{
    static readonly Histogram<double> Duration = MarketTelemetry.Meter.CreateHistogram<double>(
        "db.client.operation.duration", "s", "Duration of database commands (SQLite; PostgreSQL's come from Npgsql).");

    readonly ConcurrentDictionary<Guid, (Activity? Activity, long Started, string Operation)> _open = new();

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Start(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Start(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Start(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Start(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Start(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Start(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Stop(eventData.CommandId, null);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Stop(eventData.CommandId, null);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Stop(eventData.CommandId, null);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Stop(eventData.CommandId, null);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Stop(eventData.CommandId, null);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Stop(eventData.CommandId, null);
        return ValueTask.FromResult(result);
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Stop(eventData.CommandId, eventData.Exception);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Stop(eventData.CommandId, eventData.Exception);
        return Task.CompletedTask;
    }

    public override void CommandCanceled(DbCommand command, CommandEndEventData eventData) => Stop(eventData.CommandId, null);

    public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Stop(eventData.CommandId, null);
        return Task.CompletedTask;
    }

    void Start(DbCommand command, CommandEventData eventData)
    {
        var operation = OperationOf(command.CommandText);
        var activity = Activity.Current is null
            ? null // a command outside any request or worker pass (start-up, migrations) would be a root span of one row
            : MarketTelemetry.Source.StartActivity(operation, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "sqlite");
            activity.SetTag("db.operation.name", operation);
            activity.SetTag("db.query.text", command.CommandText);
        }
        _open[eventData.CommandId] = (activity, Stopwatch.GetTimestamp(), operation);
    }

    void Stop(Guid commandId, Exception? exception)
    {
        if (!_open.TryRemove(commandId, out var open))
        {
            return;
        }
        var tags = new TagList { { "db.system.name", "sqlite" }, { "db.operation.name", open.Operation } };
        if (exception is not null)
        {
            tags.Add("error.type", exception.GetType().FullName);
            MarketTelemetry.Fail(open.Activity, exception);
        }
        Duration.Record(MarketTelemetry.SecondsSince(open.Started), tags);
        open.Activity?.Dispose();
    }

    /// <summary>The first SQL keyword (SELECT, INSERT, …): a low-cardinality span name and metric tag.</summary>
    internal static string OperationOf(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        var end = 0;
        while (end < text.Length && char.IsAsciiLetter(text[end]))
        {
            end++;
        }
        return end == 0 ? "SQL" : text[..end].ToString().ToUpperInvariant();
    }
}
