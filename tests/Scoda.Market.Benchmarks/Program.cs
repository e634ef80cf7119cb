using System.Globalization;

namespace Scoda.Market.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Scoda.Market.Benchmarks -- search|indexing [sizes...] | negotiations [options] | fanout [options]</c>;
/// run without arguments for the options and their defaults.
/// </summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        var options = new Options(args.Skip(1));
        switch (args.FirstOrDefault())
        {
            case "search" or "indexing":
                IReadOnlyList<int> sizes = options.Positional.Count > 0 ? options.Positional.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToList() : [100_000, 1_000_000];
                options.RefuseUnknown();
                await SearchBenchmark.RunAsync(sizes, indexingOnly: args.FirstOrDefault() == "indexing");
                return 0;
            case "negotiations":
                var negotiations = NegotiationSettings.From(options);
                options.RefuseUnknown();
                await NegotiationBenchmark.RunAsync(negotiations);
                return 0;
            case "fanout":
                var fanout = FanoutSettings.From(options);
                options.RefuseUnknown();
                await FanoutBenchmark.RunAsync(fanout);
                return 0;
            case FanoutViewers.Role:
                // The child process the fan-out benchmark starts: the viewers, away from the server's process.
                return await FanoutViewers.RunAsync(options);
            default:
                await Console.Error.WriteLineAsync("Usage: Scoda.Market.Benchmarks search|indexing [100000 1000000 ...]\n  | " + NegotiationSettings.Usage + "\n  | " + FanoutSettings.Usage);
                return 2;
        }
    }
}
