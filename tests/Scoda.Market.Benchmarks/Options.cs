using System.Globalization;

namespace Scoda.Market.Benchmarks;

/// <summary>
/// <c>--name value</c> options after the benchmark's name, each with the issue's value as its default, so a short run to
/// check the harness and the full run differ only on the command line. Unknown names are refused (a typo would
/// otherwise silently run with the default).
/// </summary>
public sealed class Options
{
    readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public Options(IEnumerable<string> args)
    {
        string? name = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (name is not null)
                {
                    _values[name] = "true"; // a flag without a value
                }
                name = arg[2..];
            }
            else if (name is not null)
            {
                _values[name] = arg;
                name = null;
            }
            else
            {
                Positional.Add(arg);
            }
        }
        if (name is not null)
        {
            _values[name] = "true";
        }
    }

    public List<string> Positional { get; } = [];

    public int Count(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Number(string name, double fallback) => Get(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string Text(string name, string fallback) => Get(name) ?? fallback;

    public bool Flag(string name) => Get(name) is { } v && v != "false";

    public IReadOnlyList<string> List(string name, params string[] fallback) =>
        Get(name) is { } v ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : fallback;

    public TimeSpan Seconds(string name, double fallback) => TimeSpan.FromSeconds(Number(name, fallback));

    /// <summary>Throws when an option was given that no benchmark read: call after reading them all.</summary>
    public void RefuseUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }

    string? Get(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var value) ? value : null;
    }
}
