namespace Scoda.Market.Web.Infrastructure.Commands;

/// <summary>A one-shot command run as <c>dotnet run --project src/Scoda.Market.Web -- name args</c> instead of serving.</summary>
public interface IHostCommand
{
    string Name { get; }
    string Usage { get; }
    string Summary { get; }

    /// <summary>Runs with the arguments after the name; returns the process exit code.</summary>
    Task<int> RunAsync(IReadOnlyList<string> args, IServiceProvider services, CancellationToken ct);
}

public static class HostCommands
{
    public static IServiceCollection AddHostCommand<T>(this IServiceCollection services) where T : class, IHostCommand =>
        services.AddSingleton<IHostCommand, T>();

    /// <summary>Runs the command named by the first argument; null when there is none and the host should serve.</summary>
    public static async Task<int?> RunCommandAsync(this WebApplication app, string[] args)
    {
        var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal) || a == "--password-stdin").ToList();
        // Configuration switches (--Key=value or --Key value) are the host's; a command is a bare first word.
        if (args.Length == 0 || args[0].StartsWith('-') || args[0].Contains('=', StringComparison.Ordinal))
        {
            return null;
        }
        var commands = app.Services.GetServices<IHostCommand>().ToList();
        var command = commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            await Console.Error.WriteLineAsync($"Unknown command '{args[0]}'. Commands:");
            foreach (var c in commands.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                await Console.Error.WriteLineAsync($"  {c.Usage,-40} {c.Summary}");
            }
            await Console.Error.WriteLineAsync("Without a command the host serves the app.");
            return 2;
        }
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        return await command.RunAsync(positional.Skip(1).ToList(), app.Services, cts.Token);
    }
}
