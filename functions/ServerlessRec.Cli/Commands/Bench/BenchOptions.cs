using System.CommandLine;
using System.Globalization;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// The options several suites read, each declared once (one <c>bench</c> command can hold only one <c>--items</c>).
/// Their meaning, default and range are the suite's: <c>--items</c> is a list of catalog sizes to <c>serving</c> and
/// one number to <c>catalog</c>, <c>--queries</c> a count to <c>serving</c> and a file to <c>index</c>. So they are
/// read as text and each suite converts them with its own default and range (<see cref="Int"/>, <see cref="Sizes"/>).
/// </summary>
internal sealed class BenchOptions
{
    /// <summary>Gets <c>--items</c>: catalog sizes (serving, serving-memory: a list; catalog: one number).</summary>
    public Option<string> Items { get; } = Shared("--items", "N[,N…]", "Catalog sizes: a list for serving (10000,100000,1000000) and serving-memory (100000,1000000); one number for catalog (100000).");

    /// <summary>Gets <c>--dim</c>: the vector dimension (serving, serving-memory, index).</summary>
    public Option<string> Dimensions { get; } = Shared("--dim", "D", "Vector dimension of serving (1–1024), serving-memory (4–1024) and generated index vectors (1–4096); 64.");

    /// <summary>Gets <c>--queries</c>: a query count (serving, catalog) or a query vector file (index with <c>--vectors</c>).</summary>
    public Option<string> Queries { get; } = Shared("--queries", "N|FILE", "Queries per catalog size for serving (200) and catalog (2000); for index with --vectors, the .fvecs/.fbin file of query vectors.");

    /// <summary>Gets <c>--calls</c>: recommend calls per measurement (serving, serving-memory).</summary>
    public Option<string> Calls { get; } = Shared("--calls", "N", "Recommend calls per catalog size for serving (1000, 10–1000000) and per load for serving-memory (50, 1–100000).");

    /// <summary>Gets <c>--k</c>: the result count (catalog, index).</summary>
    public Option<string> K { get; } = Shared("--k", "K", "Results per query for catalog (10, 1–100) and index (10, 1–1000).");

    /// <summary>Gets <c>--concurrency</c>: parallel clients (eventlog, serve-http).</summary>
    public Option<string> Concurrency { get; } = Shared("--concurrency", "N", "Parallel writers for eventlog (32) and parallel HTTP clients for serve-http (16); 1–1024.");

    /// <summary>Gets <c>--movielens</c>: MovieLens ratings.csv (train, retrain).</summary>
    public Option<string> MovieLens { get; } = Shared("--movielens", "FILE", $"MovieLens ratings.csv for train and retrain ({DefaultMovieLens}).");

    /// <summary>Gets <c>--cache</c>: where generated logs are kept between runs (ingest, train).</summary>
    public Option<string> Cache { get; } = Shared("--cache", "DIR", $"Where ingest and train keep their generated logs between runs ({SyntheticLogCache.DefaultRoot}).");

    /// <summary>Gets the default <c>--movielens</c>: the shared data folder next to the repository.</summary>
    public static string DefaultMovieLens => Path.Combine("..", "shared", "data", "ml-latest-small", "ratings.csv");

    /// <summary>A comma-separated list of whole numbers (<c>100000,1_000_000</c>), each within [min, max].</summary>
    public static long[] Sizes(ParseResult parse, Option<string> option, string defaultValue, long min, long max)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(option);
        var sizes = new List<long>();
        foreach (var part in (parse.GetValue(option) ?? defaultValue).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) || size < min || size > max)
            {
                throw new CliUsageException($"{option.Name}: \"{part}\" is not a whole number between {min} and {max}.");
            }

            sizes.Add(size);
        }

        return sizes.Count == 0 ? throw new CliUsageException($"{option.Name} needs at least one size.") : [.. sizes];
    }

    /// <summary>A shared option read as a whole number with this suite's default and range.</summary>
    public static int Int(ParseResult parse, Option<string> option, int defaultValue, int min, int max)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(option);
        var text = parse.GetValue(option);
        if (text is null)
        {
            return defaultValue;
        }

        if (!long.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new CliUsageException($"{option.Name} must be a whole number, got \"{text}\".");
        }

        return value < min || value > max
            ? throw new CliUsageException($"{option.Name} must be between {min} and {max}, got {value}.")
            : (int)value;
    }

    /// <summary>A list of sizes as an option of one suite (the list is checked when the suite binds).</summary>
    public static Option<string> SizesOption(string name, string description, string defaultValue) =>
        new(name) { Description = $"{description} ({defaultValue})", HelpName = "N[,N…]" };

    private static Option<string> Shared(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName };
}
