using System.CommandLine;
using System.Text;
using System.Text.Json;
using ServerlessRec.Cli.Commands.Bench;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// <c>serverlessrec bench [suite…]</c>: runs the named benchmark suites one after the other, writes
/// <c>bench-SUITE.json</c> and <c>bench-SUITE.md</c> for each, and a combined <c>bench-report.md</c> of every
/// suite report in the output folder.
/// </summary>
internal sealed class BenchCommand : CliCommand
{
    public const string ReportFileName = "bench-report.md";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private readonly Option<string> _out = new("--out") { Description = "The folder of the reports.", DefaultValueFactory = _ => "bench-results", HelpName = "DIR" };
    private readonly Argument<string[]> _names;
    private readonly IReadOnlyList<Option> _suiteOptions;

    public BenchCommand(CliContext context)
        : this(context, CreateSuites(context))
    {
    }

    private BenchCommand(CliContext context, IReadOnlyList<IBenchSuite> suites)
        : base(context, "bench", Describe(suites))
    {
        Suites = suites;
        _names = new Argument<string[]>("suite")
        {
            Description = $"The suites to run: {string.Join(", ", suites.Select(s => s.Name))}.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        // The suite names take every token the options do not, so a misspelt option would arrive here as a suite name.
        _names.Validators.Add(result =>
        {
            var options = result.Tokens.Select(t => t.Value).Where(v => v.StartsWith('-')).ToList();
            if (options.Count > 0)
            {
                result.AddError($"unknown option{(options.Count > 1 ? "s" : string.Empty)}: {string.Join(", ", options)}");
            }
        });
        Arguments.Add(_names);
        Options.Add(_out);

        // An option several suites read is one instance (BenchOptions); two different options of one name would be a bug.
        _suiteOptions = [.. suites.SelectMany(s => s.Options).Distinct()];
        if (_suiteOptions.GroupBy(o => o.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            throw new InvalidOperationException($"bench: {clash.Key} is declared by more than one suite; declare it once in {nameof(BenchOptions)}.");
        }

        foreach (var option in _suiteOptions)
        {
            Options.Add(option);
        }
    }

    /// <summary>Gets the suites, in the order of the combined report.</summary>
    public IReadOnlyList<IBenchSuite> Suites { get; }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var names = parse.GetValue(_names) ?? [];
        var selected = names.Length == 0 ? [.. Suites.Where(s => s.RunsByDefault)] : names.Select(Find).Distinct().ToList();
        var outDir = parse.GetValue(_out)!;
        var runs = selected.Select(s => (Suite: s, Run: s.Bind(parse))).ToList();

        // The parser knows every suite's options; one that none of the chosen suites reads would be silently ignored.
        var read = selected.SelectMany(s => s.Options).ToHashSet();
        var unused = _suiteOptions.Where(o => !read.Contains(o) && parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).Order(StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
        {
            throw new CliUsageException($"unknown option{(unused.Count > 1 ? "s" : string.Empty)}: {string.Join(", ", unused)}");
        }

        Directory.CreateDirectory(outDir);
        output.WriteLine($"bench: {string.Join(", ", selected.Select(s => s.Name))} → {Path.GetFullPath(outDir)}");
        foreach (var (suite, run) in runs)
        {
            var scratch = Path.Combine(Path.GetTempPath(), $"serverlessrec-bench-{suite.Name}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(scratch);
            try
            {
                var result = await run(new BenchContext(Context.Time, output, scratch), cancellationToken).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(outDir, $"bench-{suite.Name}.json"), JsonSerializer.Serialize(result.Report, result.Report.GetType(), JsonOptions), cancellationToken).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(outDir, $"bench-{suite.Name}.md"), result.Markdown, cancellationToken).ConfigureAwait(false);
                output.WriteLine();
                output.Write(result.Markdown);
                output.WriteLine($"wrote {Path.Combine(outDir, $"bench-{suite.Name}.json")} and bench-{suite.Name}.md");
                output.WriteLine();
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        }

        await WriteCombinedReportAsync(outDir, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"wrote {Path.Combine(outDir, ReportFileName)}");
        return 0;
    }

    private static IReadOnlyList<IBenchSuite> CreateSuites(CliContext context)
    {
        var shared = new BenchOptions();
        return
        [
            new ServingBenchmark(shared),
            new IngestBenchmark(shared),
            new TrainBenchmark(context, shared),
            new ServeHttpBenchmark(shared),
            new IndexBenchmark(context, shared),
            new RetrainBenchmark(shared),
            new SoakBenchmark(),
            new EventLogBenchmark(shared),
            new ServingMemoryBenchmark(shared),
            new CatalogBenchmark(shared),
            new RecommendBenchmark(),
        ];
    }

    private static string Describe(IReadOnlyList<IBenchSuite> suites) =>
        "Measure ingest, training, serving (in-process and HTTP), index scans and local retraining; write JSON and Markdown reports."
        + Environment.NewLine
        + $"usage: serverlessrec bench [{string.Join("|", suites.Select(s => s.Name))} …] [--out bench-results]; without a suite name: {string.Join(", ", suites.Where(s => s.RunsByDefault).Select(s => s.Name))} "
        + $"(not {string.Join(" or ", suites.Where(s => !s.RunsByDefault).Select(s => s.Name))}: they take longest). Options by suite: "
        + string.Join("; ", suites.Select(s => $"{s.Name} {s.Usage}"));

    /// <summary>Joins every suite report in the folder (from this run or earlier ones; each says when it was measured).</summary>
    private async Task WriteCombinedReportAsync(string outDir, CancellationToken cancellationToken)
    {
        var report = new StringBuilder("# serverlessrec bench report\n\n");
        foreach (var suite in Suites)
        {
            var path = Path.Combine(outDir, $"bench-{suite.Name}.md");
            if (File.Exists(path))
            {
                report.Append(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Append('\n');
            }
        }

        await File.WriteAllTextAsync(Path.Combine(outDir, ReportFileName), report.ToString(), cancellationToken).ConfigureAwait(false);
    }

    private IBenchSuite Find(string name) =>
        Suites.FirstOrDefault(s => s.Name == name)
        ?? throw new CliUsageException($"unknown benchmark suite \"{name}\"; the suites are {string.Join(", ", Suites.Select(s => s.Name))}.");
}
