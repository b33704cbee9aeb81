using System.CommandLine;
using System.Diagnostics;
using ServerlessRec.Pipeline;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// <c>bench retrain</c>: MovieLens imported into a fresh local store (as <c>serverlessrec import --format movielens</c>),
/// then the whole retraining orchestration as <c>serverlessrec retrain</c> runs it, with the run record's step times.
/// </summary>
internal sealed class RetrainBenchmark : IBenchSuite
{
    private const double TargetSeconds = 60;

    private readonly BenchOptions _shared;

    public RetrainBenchmark(BenchOptions shared)
    {
        _shared = shared;
        Options = [shared.MovieLens];
    }

    public string Name => "retrain";

    public string Usage => "[--movielens ../shared/data/ml-latest-small/ratings.csv]";

    public bool RunsByDefault => true;

    public IReadOnlyList<Option> Options { get; }

    public Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(ParseResult parse)
    {
        var ratings = parse.GetValue(_shared.MovieLens) ?? BenchOptions.DefaultMovieLens;
        return (context, cancellationToken) => RunAsync(context, ratings, cancellationToken);
    }

    private async Task<BenchSuiteResult> RunAsync(BenchContext context, string ratings, CancellationToken cancellationToken)
    {
        if (!File.Exists(ratings))
        {
            throw new CliUsageException($"--movielens: \"{Path.GetFullPath(ratings)}\" does not exist; the retrain suite needs MovieLens ratings.csv.");
        }

        var environment = BenchEnvironment.Capture(context.Time);
        var root = Path.Combine(context.ScratchDirectory, "store");
        var movies = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(ratings))!, "movies.csv");
        var watch = Stopwatch.StartNew();
        string[] import = ["--file", ratings, "--format", "movielens", "--out", Path.Combine(root, ContainerNames.Events), .. File.Exists(movies) ? new[] { "--catalog", movies } : []];
        var code = await new ImportCommand(new CliContext(CliConfiguration.Empty, context.Time)).RunAsync(import, context.Output, cancellationToken).ConfigureAwait(false);
        var importSeconds = watch.Elapsed.TotalSeconds;
        if (code != 0)
        {
            throw new InvalidDataException($"importing {ratings} failed with exit code {code}");
        }

        context.Progress(Name, $"imported in {importSeconds:F1} s; running the retraining orchestration on the in-process Durable Task host");
        watch.Restart();
        code = await new RetrainCommand(new CliContext(CliConfiguration.Empty, context.Time)).RunAsync(["--root", root, "--window-days", "0"], context.Output, cancellationToken).ConfigureAwait(false);
        var retrainSeconds = watch.Elapsed.TotalSeconds;
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = root });
        var record = await RetrainCommand.LatestRunRecordAsync(store, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException("the retraining run wrote no run record");
        if (code != 0)
        {
            throw new InvalidDataException($"the retraining run did not activate a model (exit code {code}, outcome {record.Outcome.ToWireName()}: {record.Reason})");
        }

        var target = new BenchTarget("local retrain of ml-latest-small < 60 s", retrainSeconds < TargetSeconds, $"{retrainSeconds:F1} s wall, orchestration start to finish");
        var report = new RetrainReport(environment, Path.GetFullPath(ratings), importSeconds, retrainSeconds, record.Outcome.ToWireName(), record.Accepted, record.Dataset?.Events, record.Training?.BestEpoch, record.Training?.ExamplesPerSecond, record.StepSeconds, [target]);
        var f = BenchMarkdown.F;
        var markdown = new BenchMarkdown(Name, environment, $"ml-latest-small, {record.Accepted:N0} events")
            .Note($"Import (`serverlessrec import --format movielens`, with movies.csv as the catalog) took {f(importSeconds, 1)} s; not part of the retrain time.")
            .Note($"Retrain = `serverlessrec retrain` on a fresh store (no live model, default training options): {f(retrainSeconds, 1)} s wall, outcome {record.Outcome.ToWireName()}, best epoch {record.Training?.BestEpoch}, {f(record.Training?.ExamplesPerSecond ?? 0, 0)} examples/s. Step times from the run record's StepSeconds:")
            .Table(["step", "seconds"], record.StepSeconds.Select(s => (IReadOnlyList<string>)[s.Key, f(s.Value, 1)]).Append(["whole run (wall)", f(retrainSeconds, 1)]))
            .Targets([target])
            .ToString();
        return new BenchSuiteResult(Name, report, markdown);
    }

    private sealed record RetrainReport(
        BenchEnvironment Environment,
        string Ratings,
        double ImportSeconds,
        double RetrainSeconds,
        string Outcome,
        long Events,
        long? DatasetEvents,
        int? BestEpoch,
        double? ExamplesPerSecond,
        IReadOnlyDictionary<string, double> StepSeconds,
        IReadOnlyList<BenchTarget> Targets);
}
