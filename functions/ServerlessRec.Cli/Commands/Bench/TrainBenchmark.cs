using System.CommandLine;
using System.Diagnostics;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Bench;

/// <summary>
/// <c>bench train</c>: load time, training examples/s, wall time to the validation-NDCG plateau (early stopping) and
/// peak memory, on generated logs (100k items) and on MovieLens. Logs above <c>--plateau-max-events</c> are measured
/// for throughput on a sample of users only, and their epoch time is extrapolated (labelled as such).
/// </summary>
internal sealed class TrainBenchmark : IBenchSuite
{
    private const double TargetSeconds = 600;
    private const long TargetEvents = 10_000_000;

    private readonly BenchOptions _shared;
    private readonly Option<string> _sizes = BenchOptions.SizesOption("--sizes", "train: events of the generated logs", "1000000,10000000");
    private readonly Option<long> _plateauMaxEvents = CliOptions.Number("--plateau-max-events", "train: the largest log trained to the plateau; larger ones are sampled and extrapolated", 2_000_000L, 0L);
    private readonly Option<int> _sampleExamples = CliOptions.Number("--sample-examples", "train: examples of the sampled epoch of a larger log", 400_000, 1_000);
    private readonly Option<int> _validationUsers = CliOptions.Number("--validation-users", "train: users the validation NDCG is measured on (retraining's Training:EarlyStoppingUsers)", new TwoTowerOptions().EarlyStoppingUsers, 10);

    // Users the gate's evaluation is timed on; the time is scaled to the users the gate scores.
    private const int GateSampleUsers = 5_000;

    // The gate's model passes in a nightly retraining (RetrainActivities.Evaluate): the candidate on Training:GateUsers
    // users, then, against a live model, the live model and the candidate again on up to as many fresh users.
    private const int GateModelPasses = 3;

    // The epoch cap of the generated logs is Training:Epochs, so its range is the options class's; a bench starts at 5.
    private readonly SettingFlags<TwoTowerOptions> _training;

    public TrainBenchmark(CliContext context, BenchOptions shared)
    {
        _shared = shared;
        _training = new SettingFlags<TwoTowerOptions>(context, TwoTowerOptions.SectionName, () => new TwoTowerOptions { Epochs = 5 });
        _training.Add<int>("--max-epochs", nameof(TwoTowerOptions.Epochs));
        Options = [_sizes, .. _training.Options, _plateauMaxEvents, _sampleExamples, _validationUsers, shared.MovieLens, shared.Cache];
    }

    public string Name => "train";

    public string Usage => "[--sizes 1000000,10000000] [--max-epochs 5] [--plateau-max-events 2000000] [--sample-examples 400000] [--validation-users 5000] [--movielens ../shared/data/ml-latest-small/ratings.csv] [--cache DIR]";

    public bool RunsByDefault => false;

    public IReadOnlyList<Option> Options { get; }

    public Func<BenchContext, CancellationToken, Task<BenchSuiteResult>> Bind(ParseResult parse)
    {
        var options = _training.Bind(parse);
        var settings = new Settings(
            BenchOptions.Sizes(parse, _sizes, "1000000,10000000", 1_000, 1_000_000_000),
            options.Epochs,
            parse.GetValue(_plateauMaxEvents),
            parse.GetValue(_sampleExamples),
            parse.GetValue(_validationUsers),
            parse.GetValue(_shared.MovieLens) ?? BenchOptions.DefaultMovieLens,
            parse.GetValue(_shared.Cache) ?? SyntheticLogCache.DefaultRoot);
        return (context, cancellationToken) => RunAsync(context, settings, options, cancellationToken);
    }

    private async Task<BenchSuiteResult> RunAsync(BenchContext context, Settings settings, TwoTowerOptions options, CancellationToken cancellationToken)
    {
        var environment = BenchEnvironment.Capture(context.Time);
        var results = new List<TrainResult>();
        var notes = new List<string>();
        if (File.Exists(settings.MovieLens))
        {
            var watch = Stopwatch.StartNew();
            var format = EventFileFormat.Delimited(',', DelimitedColumnMapping.MovieLensRatings);
            var movies = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.MovieLens))!, "movies.csv");
            var data = await EvaluateCommand.LoadAsync(settings.MovieLens, format, File.Exists(movies) ? movies : null, options, Path.Combine(context.ScratchDirectory, "movielens"), TextWriter.Null, new EventTypeOptions(), cancellationToken).ConfigureAwait(false);
            // MovieLens epochs take seconds: it runs to the plateau with the default epoch limit, as evaluate does.
            var movieLensOptions = options.Clone();
            movieLensOptions.Epochs = new TwoTowerOptions().Epochs;
            results.Add(Measure(context, "ml-latest-small", data, watch.Elapsed.TotalSeconds, plateau: true, movieLensOptions, settings with { MaxEpochs = new TwoTowerOptions().Epochs }, results, cancellationToken));
        }
        else
        {
            var note = $"MovieLens skipped: {Path.GetFullPath(settings.MovieLens)} does not exist (--movielens PATH).";
            context.Progress(Name, note);
            notes.Add(note);
        }

        foreach (var size in settings.Sizes)
        {
            var synthetic = SyntheticLogCache.OptionsFor(size);
            var store = await SyntheticLogCache.EnsureAsync(settings.Cache, synthetic, context, Name, cancellationToken).ConfigureAwait(false);
            var watch = Stopwatch.StartNew();
            var loader = new DatasetLoader(new EventTypeOptions(), options.FeatureBuckets);
            await loader.AddCatalogFromStoreAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
            await loader.AddEventsFromStoreAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
            var data = loader.Build();
            results.Add(Measure(context, $"synthetic {size:N0} events", data, watch.Elapsed.TotalSeconds, plateau: size <= settings.PlateauMaxEvents, options, settings, results, cancellationToken));
        }

        var targets = new List<BenchTarget>();
        var large = results.LastOrDefault(r => r.Events >= TargetEvents);
        if (large is not null)
        {
            // What retraining's train and evaluate steps do: every epoch up to the best one plus the patience epochs, each
            // followed by the early-stopping validation, then the gate's evaluation.
            var seconds = large.LoadSeconds + (large.RetrainSeconds ?? double.PositiveInfinity);
            var plateau = large.LoadSeconds + (large.PlateauSeconds ?? large.ExtrapolatedSecondsToPlateau ?? double.PositiveInfinity);
            var how = large.PlateauSeconds is not null
                ? "measured"
                : $"EXTRAPOLATED: sampled examples/s × (best epoch of the smaller log + {options.Patience} patience epochs), its validation time per epoch, and the gate's evaluation timed on {GateSampleUsers:N0} users and scaled";
            targets.Add(new BenchTarget(
                "10M events through retraining's training (load, epochs to the plateau + patience, early-stopping validation, the gate's evaluation) in ≤ 10 minutes",
                seconds <= TargetSeconds,
                $"{seconds:N0} s ({how}); to the end of the best epoch alone {plateau:N0} s"));
        }

        var report = new TrainReport(environment, settings, options.EffectiveThreads, results, notes, targets);
        var f = BenchMarkdown.F;
        var markdown = new BenchMarkdown(Name, environment, $"{options.EffectiveThreads} training threads, d={options.Dimensions}, hidden {options.HiddenDimensions}, L={options.HistoryLength}, batch {options.BatchSize}, {options.SampledNegatives} sampled negatives")
            .Note($"Plateau runs: train on TRAIN with early stopping on VALIDATION NDCG@10 (patience {options.Patience}, at most {settings.MaxEpochs} epochs on generated logs and {new TwoTowerOptions().Epochs} on MovieLens; validation on up to {settings.ValidationUsers:N0} users, all items ranked). \"to plateau\" = wall time up to the end of the best epoch; \"total\" includes the patience epochs and validations; \"val s/epoch\" = one early-stopping validation; \"gate eval s\" = the gate's model passes ({GateModelPasses} × Training:GateUsers {options.GateUsers:N0} rankings, or {GateModelPasses} × every user when fewer: the candidate, then the live model and the candidate on fresh users; timed on up to {GateSampleUsers:N0} users and scaled); \"as retraining s\" = total + gate eval (without load; in italics where extrapolated).")
            .Note($"Logs above {settings.PlateauMaxEvents:N0} events: one epoch over a random sample of users (about {settings.SampleExamples:N0} examples) of the full dataset, for examples/s; full-epoch and plateau times are EXTRAPOLATED (examples ÷ examples/s, × the best epoch of the last plateau run before it).")
            .Note("Load = read + validate the log and build the dataset. Peak WS = the process's peak working set so far (includes earlier rows); heap = managed heap after the dataset is built.")
            .Table(
                ["data", "users", "items", "events", "load s", "examples/epoch", "examples/s", "epochs run", "best epoch", "val NDCG@10", "to plateau s", "total s", "extrapolated epoch s", "extrapolated plateau s", "val s/epoch", "gate eval s", "as retraining s", "heap MB", "peak WS MB"],
                results.Select(r => (IReadOnlyList<string>)
                [
                    r.Data, f(r.Users, 0), f(r.Items, 0), f(r.Events, 0), f(r.LoadSeconds, 1), f(r.ExamplesPerEpoch, 0), f(r.ExamplesPerSecond, 0), f(r.EpochsRun, 0),
                    r.BestEpoch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "–", r.BestValidationNdcgAt10 is { } n ? f(n, 4) : "–",
                    r.PlateauSeconds is { } p ? f(p, 0) : "–", f(r.TrainSeconds, 0), r.ExtrapolatedEpochSeconds is { } e ? f(e, 0) : "–",
                    r.ExtrapolatedSecondsToPlateau is { } x ? f(x, 0) : "–", r.ValidationSecondsPerEpoch is { } v ? f(v, 1) : "–", r.GateEvaluationSeconds is { } g ? f(g, 1) : "–",
                    r.RetrainSeconds is { } rs ? (r.PlateauSeconds is null ? $"*{f(rs, 0)}*" : f(rs, 0)) : "–", f(r.HeapMB, 0), f(r.PeakWorkingSetMB, 0),
                ]));
        foreach (var note in notes)
        {
            markdown.Note(note);
        }

        return new BenchSuiteResult(Name, report, markdown.Targets(targets).ToString());
    }

    /// <summary>A plateau run, or a sampled epoch whose plateau time uses the best epoch of the last plateau run so far.</summary>
    private TrainResult Measure(BenchContext context, string label, InteractionDataset data, double loadSeconds, bool plateau, TwoTowerOptions options, Settings settings, IReadOnlyList<TrainResult> earlier, CancellationToken cancellationToken) =>
        plateau
            ? MeasurePlateau(context, label, data, loadSeconds, options, settings, cancellationToken)
            : MeasureSample(context, label, data, loadSeconds, options, settings, earlier.LastOrDefault(r => r.BestEpoch is not null), cancellationToken);

    private TrainResult MeasurePlateau(BenchContext context, string label, InteractionDataset data, double loadSeconds, TwoTowerOptions options, Settings settings, CancellationToken cancellationToken)
    {
        var split = LeaveLastOutSplit.Create(data);
        var every = Math.Max(1, split.Users.Length / settings.ValidationUsers);
        var validation = every == 1 ? split : split.Subset(p => p % every == 0);
        var examples = CountExamples(data, split.TrainEnds);
        context.Progress(Name, $"{label}: {data.UserCount:N0} users, {data.ItemCount:N0} items, {data.EventCount:N0} events loaded in {loadSeconds:F1} s; {examples:N0} examples/epoch; validating on {validation.Users.Length:N0} users");
        var heap = BenchEnvironment.ManagedHeapMB();
        var watch = Stopwatch.StartNew();
        var elapsedAtEpoch = new List<double>();
        var result = new TuneThenRefit(options).Tune(
            data,
            split,
            validation,
            epoch =>
            {
                elapsedAtEpoch.Add(watch.Elapsed.TotalSeconds);
                context.Progress(Name, $"{label}: {ModelEvaluation.FormatEpoch(epoch)}");
            },
            cancellationToken: cancellationToken);
        var total = watch.Elapsed.TotalSeconds;
        var validationPerEpoch = Math.Max(0, total - result.Epochs.Sum(e => e.Elapsed.TotalSeconds)) / result.Epochs.Count;
        var (gateSeconds, gateWork) = GateSeconds(split, data, result.Model, options);
        var best = Math.Max(1, result.BestEpoch);
        var plateau = result.Epochs.Count > best || result.Epochs.Count < settings.MaxEpochs;
        if (!plateau)
        {
            context.Progress(Name, $"{label}: validation NDCG@10 was still improving at the epoch cap ({settings.MaxEpochs}); \"to plateau\" is a lower bound");
        }

        return new TrainResult(
            label, data.UserCount, data.ItemCount, data.EventCount, loadSeconds, result.Epochs[0].Examples, result.ExamplesPerSecond, result.Epochs.Count, best,
            result.Epochs[best - 1].ValidationNdcgAt10, plateau, elapsedAtEpoch[best - 1], total, null, null, validationPerEpoch, gateSeconds, gateWork, total + gateSeconds, heap, BenchEnvironment.PeakWorkingSetMB());
    }

    private TrainResult MeasureSample(BenchContext context, string label, InteractionDataset data, double loadSeconds, TwoTowerOptions options, Settings settings, TrainResult? plateauRun, CancellationToken cancellationToken)
    {
        var split = LeaveLastOutSplit.Create(data);
        var examples = CountExamples(data, split.TrainEnds);
        var share = Math.Min(1.0, (double)settings.SampleExamples / Math.Max(1, examples));
        var random = new Random(1);
        var sampleEnds = split.TrainEnds.Select(end => random.NextDouble() < share ? end : 0).ToArray();
        var sampled = CountExamples(data, sampleEnds);
        context.Progress(Name, $"{label}: {data.UserCount:N0} users, {data.ItemCount:N0} items, {data.EventCount:N0} events loaded in {loadSeconds:F1} s; {examples:N0} examples/epoch; one epoch on {share:P1} of the users ({sampled:N0} examples)");
        var heap = BenchEnvironment.ManagedHeapMB();
        var sample = options.Clone();
        sample.Epochs = 1;
        var watch = Stopwatch.StartNew();
        var result = new TwoTowerTrainer(sample).Train(data, sampleEnds, null, epoch => context.Progress(Name, $"{label} (sample): {ModelEvaluation.FormatEpoch(epoch)}"), cancellationToken);
        // The trainer's own count of the sample calibrates the estimate of a full epoch's examples.
        examples = (long)Math.Round(examples * (double)result.Epochs[0].Examples / Math.Max(1, sampled));
        var epochSeconds = examples / result.ExamplesPerSecond;
        var trainSeconds = watch.Elapsed.TotalSeconds;

        var (gateSeconds, gateWork) = GateSeconds(split, data, result.Model, options);
        double? retrain = plateauRun?.BestEpoch is { } e && plateauRun.ValidationSecondsPerEpoch is { } v
            ? ((e + options.Patience) * (epochSeconds + v)) + gateSeconds
            : null;
        context.Progress(Name, $"{label}: one epoch ≈ {epochSeconds:F0} s (extrapolated); the gate's evaluation ≈ {gateSeconds:F0} s ({gateWork.Rankings:N0} user rankings, timed on up to {GateSampleUsers:N0} users)");
        return new TrainResult(
            label, data.UserCount, data.ItemCount, data.EventCount, loadSeconds, examples, result.ExamplesPerSecond, 0, null, null, false, null, trainSeconds,
            epochSeconds, plateauRun?.BestEpoch is { } b ? b * epochSeconds : null, plateauRun?.ValidationSecondsPerEpoch, gateSeconds, gateWork, retrain, heap, BenchEnvironment.PeakWorkingSetMB());
    }

    /// <summary>
    /// The time of the gate's model passes: one user's ranking timed on up to <see cref="GateSampleUsers"/> users, times
    /// the rankings the gate makes (<see cref="GateModelPasses"/> × <c>Training:GateUsers</c>, or × every user when fewer).
    /// </summary>
    private static (double Seconds, GateWork Work) GateSeconds(LeaveLastOutSplit split, InteractionDataset data, TwoTowerModel model, TwoTowerOptions options)
    {
        var every = Math.Max(1, split.Users.Length / GateSampleUsers);
        var timed = every == 1 ? split : split.Subset(p => p % every == 0);
        var watch = Stopwatch.StartNew();
        RankingEvaluator.Evaluate(timed, HeldOut.Validation, new TwoTowerScorer(model, data, options));
        var perUser = watch.Elapsed.TotalSeconds / Math.Max(1, timed.Users.Length);
        var scored = options.GateUsers == 0 ? split.Users.Length : Math.Min(split.Users.Length, options.GateUsers);
        var work = new GateWork(scored, (long)GateModelPasses * scored);
        return (perUser * work.Rankings, work);
    }

    /// <summary>Training examples of an epoch: the positive events of each user's range after their first.</summary>
    private static long CountExamples(InteractionDataset data, int[] userEnds)
    {
        long count = 0;
        for (var u = 0; u < data.UserCount; u++)
        {
            var positives = 0;
            for (var e = data.UserOffsets[u]; e < data.UserOffsets[u] + userEnds[u]; e++)
            {
                positives += data.IsNegative[e] ? 0 : 1;
            }

            count += Math.Max(0, positives - 1);
        }

        return count;
    }

    /// <summary>The users the gate scores (evaluated users, at most Training:GateUsers) and its rankings over all its model passes.</summary>
    private sealed record GateWork(int Users, long Rankings);

    private sealed record Settings(long[] Sizes, int MaxEpochs, long PlateauMaxEvents, int SampleExamples, int ValidationUsers, string MovieLens, string Cache);

    private sealed record TrainResult(
        string Data,
        int Users,
        int Items,
        int Events,
        double LoadSeconds,
        long ExamplesPerEpoch,
        double ExamplesPerSecond,
        int EpochsRun,
        int? BestEpoch,
        double? BestValidationNdcgAt10,
        bool PlateauReached,
        double? PlateauSeconds,
        double TrainSeconds,
        double? ExtrapolatedEpochSeconds,
        double? ExtrapolatedSecondsToPlateau,
        double? ValidationSecondsPerEpoch,
        double? GateEvaluationSeconds,
        GateWork Gate,
        double? RetrainSeconds,
        double HeapMB,
        double PeakWorkingSetMB);

    private sealed record TrainReport(BenchEnvironment Environment, Settings Settings, int Threads, IReadOnlyList<TrainResult> Results, IReadOnlyList<string> Notes, IReadOnlyList<BenchTarget> Targets);
}
