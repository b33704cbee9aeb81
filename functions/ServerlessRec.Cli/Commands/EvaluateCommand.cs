using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ServerlessRec.Cli.Settings;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec evaluate</c>: the evaluation protocol on a log file, model vs popularity.</summary>
internal sealed class EvaluateCommand : CliCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private readonly Option<string> _data = new("--data") { Description = "The event file (JSON Lines, CSV, TSV or MovieLens ratings; plain or .gz).", Required = true, HelpName = "FILE" };
    private readonly Option<string> _catalog = new("--catalog") { Description = "Item metadata (MovieLens movies.csv or items.jsonl); movies.csv beside a MovieLens ratings file is read by default.", HelpName = "movies.csv|items.jsonl" };
    private readonly Option<int> _seeds = CliOptions.Number("--seeds", "Train this many times with consecutive seeds and report each.", 1, 1, 100);
    private readonly Option<string> _json = new("--json") { Description = "Write the metrics as JSON to this file.", HelpName = "out.json" };
    private readonly Option<string> _root = new("--root") { Description = "The folder whose quarantine/ receives rejected lines.", HelpName = "DIR", DefaultValueFactory = _ => StorageOptions.DefaultLocalRoot };
    private readonly EventFileOptions _fileOptions = new();
    private readonly EventTypesOption _eventTypes;
    private readonly SettingFlags<TwoTowerOptions> _training;

    public EvaluateCommand(CliContext context)
        : base(context, "evaluate", "Tune epochs on VALIDATION, retrain on TRAIN+VALIDATION, report TEST metrics of the two-tower model and a popularity baseline.")
    {
        _eventTypes = new EventTypesOption(context);
        _training = TrainingFlags.Create(context);
        Options.Add(_data);
        foreach (var option in _fileOptions.Options)
        {
            Options.Add(option);
        }

        Options.Add(_catalog);
        Options.Add(_eventTypes.Option);
        Options.Add(_seeds);
        Options.Add(_json);
        Options.Add(_root);
        _training.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult parse, TextWriter output, CancellationToken cancellationToken)
    {
        var file = parse.GetRequiredValue(_data);
        var format = _fileOptions.Resolve(parse, file);
        var catalog = parse.GetValue(_catalog);
        var seeds = parse.GetValue(_seeds);
        var jsonPath = parse.GetValue(_json);
        var root = parse.GetRequiredValue(_root);
        var options = _training.Bind(parse);
        var eventTypes = _eventTypes.Read(parse);
        if (!File.Exists(file))
        {
            throw new CliUsageException($"--data: file \"{file}\" does not exist.");
        }

        // MovieLens: movies.csv beside ratings.csv gives every item its genres as categories.
        if (catalog is null && format.Columns == DelimitedColumnMapping.MovieLensRatings)
        {
            var movies = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "movies.csv");
            catalog = File.Exists(movies) ? movies : null;
        }

        var data = await LoadAsync(file, format, catalog, options, root, output, eventTypes, cancellationToken).ConfigureAwait(false);
        var reports = new List<ModelEvaluationReport>();
        for (var s = 0; s < seeds; s++)
        {
            var run = options.Clone();
            run.Seed = options.Seed + s;
            output.WriteLine($"seed {run.Seed}");
            var report = ModelEvaluation.Run(data, run, line => output.WriteLine("  " + line), cancellationToken);
            reports.Add(report);
            PrintTable(output, report);
        }

        if (seeds > 1)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean over {seeds} seeds: two-tower NDCG@10 {reports.Average(r => r.Model.NdcgAt10):F4} (sd {StdDev(reports.Select(r => r.Model.NdcgAt10)):F4}), HR@10 {reports.Average(r => r.Model.HitRateAt10):F4}, coverage@10 {reports.Average(r => r.Model.CoverageAt10):F3}; popularity NDCG@10 {reports.Average(r => r.Popularity.NdcgAt10):F4}"));
            // Choices between settings are made on VALIDATION (the tuned model's best epoch), never on TEST.
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean over {seeds} seeds: VALIDATION NDCG@10 two-tower {reports.Average(r => r.ModelValidation.NdcgAt10):F4} (sd {StdDev(reports.Select(r => r.ModelValidation.NdcgAt10)):F4}), popularity {reports.Average(r => r.PopularityValidation.NdcgAt10):F4}"));
        }

        if (jsonPath is not null)
        {
            var json = new
            {
                data = Path.GetFullPath(file),
                model = reports[0].Model,
                popularity = reports[0].Popularity,
                validation = new { model = reports[0].ModelValidation, popularity = reports[0].PopularityValidation },
                epochs = reports[0].Epochs,
                trainingExamplesPerSecond = reports[0].TrainingExamplesPerSecond,
                wallSeconds = reports[0].Elapsed.TotalSeconds,
                seeds = reports.Select((r, i) => new
                {
                    seed = options.Seed + i,
                    model = r.Model,
                    popularity = r.Popularity,
                    validation = new { model = r.ModelValidation, popularity = r.PopularityValidation },
                    epochs = r.Epochs,
                    trainingExamplesPerSecond = r.TrainingExamplesPerSecond,
                    wallSeconds = r.Elapsed.TotalSeconds,
                }).ToArray(),
                meanModelNdcgAt10 = reports.Average(r => r.Model.NdcgAt10),
                meanModelValidationNdcgAt10 = reports.Average(r => r.ModelValidation.NdcgAt10),
                options,
            };
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(json, JsonOptions), cancellationToken).ConfigureAwait(false);
            output.WriteLine($"wrote {jsonPath}");
        }

        return 0;
    }

    internal static async Task<InteractionDataset> LoadAsync(string file, EventFileFormat format, string? catalog, TwoTowerOptions options, string root, TextWriter output, EventTypeOptions eventTypes, CancellationToken cancellationToken)
    {
        // Rejected lines are quarantined in the local store (root/quarantine/<run>/), like a retraining run's.
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = root });
        var runId = string.Create(CultureInfo.InvariantCulture, $"evaluate-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}");
        var quarantine = new QuarantineWriter(store, runId);
        var loader = new DatasetLoader(eventTypes, options.FeatureBuckets, quarantine);
        if (catalog is not null)
        {
            var catalogStream = ImportCommand.OpenRead(catalog);
            await using (catalogStream.ConfigureAwait(false))
            {
                var read = await loader.AddCatalogAsync(catalogStream, Path.GetFileName(catalog), CatalogReader.FormatFromFileName(catalog), cancellationToken).ConfigureAwait(false);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"catalog {Path.GetFileName(catalog)}: {read.Accepted:N0} items, {read.Rejected:N0} rejected"));
            }
        }

        var stream = ImportCommand.OpenRead(file);
        await using (stream.ConfigureAwait(false))
        {
            var read = await loader.AddEventsAsync(stream, Path.GetFileName(file), format, cancellationToken).ConfigureAwait(false);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"events {Path.GetFileName(file)} ({format}): {read.Lines:N0} lines, {read.Accepted:N0} accepted, {read.Rejected:N0} rejected ({IngestSummary.FormatReasons(read.RejectedByReason)})"));
        }

        await quarantine.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (quarantine.BlobNames.Count > 0)
        {
            output.WriteLine($"rejected lines with line numbers and reasons: {string.Join(", ", quarantine.BlobNames.Select(n => Path.Combine(store.RootPath, ContainerNames.Quarantine, n)))}");
        }

        if (loader.Summary.Accepted == 0)
        {
            throw new InvalidDataException($"{file}: no valid event to evaluate on");
        }

        return loader.Build();
    }

    private static void PrintTable(TextWriter output, ModelEvaluationReport report)
    {
        output.WriteLine($"TEST ({report.Model.Users:N0} users)   HR@10   HR@20   NDCG@10 NDCG@20 MRR     cov@10 rej@10");
        if (report.Model.RepeatTargetsDropped > 0)
        {
            output.WriteLine($"  {report.Model.RepeatTargetsDropped:N0} users left out: their TEST item was already in their history (serving never shows it)");
        }

        Row(output, "two-tower", report.Model);
        Row(output, "popularity", report.Popularity);
        output.WriteLine($"VALIDATION NDCG@10: two-tower {report.ModelValidation.NdcgAt10:F4}, popularity {report.PopularityValidation.NdcgAt10:F4}");
        output.WriteLine($"epochs {report.Epochs}, training {report.TrainingExamplesPerSecond:N0} examples/s, wall time {report.Elapsed.TotalSeconds:F1} s");
    }

    private static void Row(TextWriter output, string name, RankingMetrics m) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} {m.HitRateAt10:F4}  {m.HitRateAt20:F4}  {m.NdcgAt10:F4}  {m.NdcgAt20:F4}  {m.Mrr:F4}  {m.CoverageAt10:F3}  {m.RejectedShareAt10:F4}"));

    private static double StdDev(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        return list.Count < 2 ? 0 : Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
    }
}
