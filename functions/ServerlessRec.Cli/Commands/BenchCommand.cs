using System.Text;
using System.Text.Json;
using ServerlessRec.Cli.Commands.Bench;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// <c>serverlessrec bench [suite…]</c>: runs the named benchmark suites one after the other, writes
/// <c>bench-SUITE.json</c> and <c>bench-SUITE.md</c> for each, and a combined <c>bench-report.md</c> of every
/// suite report in the output folder.
/// </summary>
internal sealed class BenchCommand(TimeProvider timeProvider) : ICliCommand
{
    public const string ReportFileName = "bench-report.md";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static IReadOnlyList<IBenchSuite> Suites { get; } =
    [
        new ServingBenchmark(),
        new IngestBenchmark(),
        new TrainBenchmark(),
        new ServeHttpBenchmark(),
        new IndexBenchmark(),
        new RetrainBenchmark(),
        new SoakBenchmark(),
        new EventLogBenchmark(),
        new ServingMemoryBenchmark(),
        new CatalogBenchmark(),
    ];

    public string Name => "bench";

    public string Usage =>
        $"[{string.Join("|", Suites.Select(s => s.Name))} …] [--out bench-results]; without a suite name: {string.Join(", ", Suites.Where(s => s.RunsByDefault).Select(s => s.Name))} "
        + $"(not {string.Join(" or ", Suites.Where(s => !s.RunsByDefault).Select(s => s.Name))}: they take longest). Options by suite: "
        + string.Join("; ", Suites.Select(s => $"{s.Name} {s.Usage}"));

    public string Summary => "Measure ingest, training, serving (in-process and HTTP), index scans and local retraining; write JSON and Markdown reports.";

    public async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var selected = args.Positional.Count == 0 ? [.. Suites.Where(s => s.RunsByDefault)] : args.Positional.Select(Find).Distinct().ToList();
        var outDir = args.String("out", "bench-results");
        var runs = selected.Select(s => (Suite: s, Run: s.Bind(args))).ToList();
        args.EnsureAllRead();

        Directory.CreateDirectory(outDir);
        output.WriteLine($"bench: {string.Join(", ", selected.Select(s => s.Name))} → {Path.GetFullPath(outDir)}");
        foreach (var (suite, run) in runs)
        {
            var scratch = Path.Combine(Path.GetTempPath(), $"serverlessrec-bench-{suite.Name}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(scratch);
            try
            {
                var result = await run(new BenchContext(timeProvider, output, scratch), cancellationToken).ConfigureAwait(false);
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

    /// <summary>Joins every suite report in the folder (from this run or earlier ones; each says when it was measured).</summary>
    private static async Task WriteCombinedReportAsync(string outDir, CancellationToken cancellationToken)
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

    private static IBenchSuite Find(string name) =>
        Suites.FirstOrDefault(s => s.Name == name)
        ?? throw new CliUsageException($"unknown benchmark suite \"{name}\"; the suites are {string.Join(", ", Suites.Select(s => s.Name))}.");
}
