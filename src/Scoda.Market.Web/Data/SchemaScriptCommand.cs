using Microsoft.EntityFrameworkCore;
using Scoda.Market.Web.Infrastructure.Commands;
using Scoda.Market.Web.Infrastructure.Domain;

namespace Scoda.Market.Web.Data;

/// <summary>
/// <c>schema-script sqlite|postgres</c>: prints the schema the EF Core model creates, for writing the next migration
/// (diff it against the previous output). The schema test compares the migrated database with this same script.
/// </summary>
sealed class SchemaScriptCommand : IHostCommand
{
    public string Name => "schema-script";
    public string Usage => "schema-script sqlite|postgres";
    public string Summary => "Print the EF Core model's create script for a provider and exit.";

    public Task<int> RunAsync(IReadOnlyList<string> args, IServiceProvider services, CancellationToken ct)
    {
        if (args.Count != 1 || !EnumText.TryParse<DatabaseProvider>(args[0], out var provider))
        {
            Console.Error.WriteLine($"Usage: {Usage}");
            return Task.FromResult(2);
        }
        using var db = CreateModelOnly(provider);
        Console.WriteLine(db.Database.GenerateCreateScript());
        return Task.FromResult(0);
    }

    /// <summary>A context for the provider that never connects: enough to render the model as SQL.</summary>
    public static MarketDbContext CreateModelOnly(DatabaseProvider provider)
    {
        var options = new DbContextOptionsBuilder<MarketDbContext>();
        _ = provider == DatabaseProvider.Postgres
            ? options.UseNpgsql("Host=localhost")
            : options.UseSqlite("Data Source=:memory:");
        return new MarketDbContext(options.Options);
    }
}
