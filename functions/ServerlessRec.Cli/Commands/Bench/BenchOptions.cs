using System.Globalization;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>Option forms the suites share.</summary>
internal static class BenchOptions
{
    /// <summary>A comma-separated list of whole numbers (<c>100000,1_000_000</c>), each within [min, max].</summary>
    public static long[] Sizes(CliArguments args, string name, string defaultValue, long min, long max)
    {
        var sizes = new List<long>();
        foreach (var part in args.String(name, defaultValue).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) || size < min || size > max)
            {
                throw new CliUsageException($"--{name}: \"{part}\" is not a whole number between {min} and {max}.");
            }

            sizes.Add(size);
        }

        return sizes.Count == 0 ? throw new CliUsageException($"--{name} needs at least one size.") : [.. sizes];
    }
}
