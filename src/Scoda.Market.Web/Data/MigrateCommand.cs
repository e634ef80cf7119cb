using Scoda.Market.Web.Infrastructure.Commands;

namespace Scoda.Market.Web.Data;

sealed class MigrateCommand : IHostCommand
{
    public string Name => "migrate";
    public string Usage => "migrate";
    public string Summary => "Apply pending database migrations and exit.";

    public async Task<int> RunAsync(IReadOnlyList<string> args, IServiceProvider services, CancellationToken ct)
    {
        try
        {
            var applied = await services.GetRequiredService<Migrator>().MigrateAsync(ct);
            Console.WriteLine(applied.Count == 0
                ? "The database is up to date."
                : $"Applied migrations {string.Join(", ", applied.Select(v => $"V{v:D4}"))}.");
            return 0;
        }
        catch (MigrationException ex)
        {
            await Console.Error.WriteLineAsync($"Migration failed: {ex.Message}");
            return 1;
        }
    }
}
