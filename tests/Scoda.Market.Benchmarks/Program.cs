using System.Globalization;

namespace Scoda.Market.Benchmarks;

/// <summary><c>dotnet run -c Release --project tests/Scoda.Market.Benchmarks -- search|indexing [sizes...] | negotiations [seconds] [rooms]</c></summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault() ?? "search")
        {
            case "search" or "indexing":
                IReadOnlyList<int> sizes = args.Length > 1 ? args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToList() : [100_000, 1_000_000];
                await SearchBenchmark.RunAsync(sizes, indexingOnly: args.FirstOrDefault() == "indexing");
                return 0;
            case "negotiations":
                var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;
                var rooms = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;
                var databases = args.Length > 3 ? args[3].Split(',') : ["sqlite", "postgres"];
                await NegotiationBenchmark.RunAsync(TimeSpan.FromSeconds(seconds), rooms, databases);
                return 0;
            default:
                await Console.Error.WriteLineAsync("Usage: Scoda.Market.Benchmarks search|indexing [100000 1000000 ...] | negotiations [seconds=60] [rooms=200] [sqlite,postgres]");
                return 2;
        }
    }
}
