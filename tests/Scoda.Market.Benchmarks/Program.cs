using System.Globalization;

namespace Scoda.Market.Benchmarks;

/// <summary><c>dotnet run -c Release --project tests/Scoda.Market.Benchmarks -- search [sizes...]</c></summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault() ?? "search")
        {
            case "search":
                IReadOnlyList<int> sizes = args.Length > 1 ? args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToList() : [100_000, 1_000_000];
                await SearchBenchmark.RunAsync(sizes);
                return 0;
            default:
                await Console.Error.WriteLineAsync("Usage: Scoda.Market.Benchmarks search [100000 1000000 ...]");
                return 2;
        }
    }
}
