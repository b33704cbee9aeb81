using System.Globalization;
using System.Text.Json;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands;

/// <summary><c>serverlessrec evaluate</c>: the evaluation protocol on a log file, model vs popularity.</summary>
internal sealed class EvaluateCommand : ICliCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public string Name => "evaluate";

    public string Usage => "--data FILE [--format movielens|jsonl|csv|tsv] [--seeds 1] [--json out.json] " + TrainingOptionsBinder.Usage;

    public string Summary => "Tune on VALIDATION, retrain, report TEST metrics of the model and a popularity baseline.";

    public Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var file = args.RequiredString("data");
        var format = args.String("format", "movielens");
        var seeds = args.Int("seeds", 1, 1, 100);
        var jsonPath = args.String("json");
        var options = TrainingOptionsBinder.Bind(args);
        args.EnsureAllRead();
        if (!File.Exists(file))
        {
            throw new CliUsageException($"--data: file \"{file}\" does not exist.");
        }

        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), options.FeatureBuckets);
        var movies = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "movies.csv");
        if (File.Exists(movies) && !args.Flag("no-catalog"))
        {
            foreach (var line in File.ReadLines(movies).Skip(1))
            {
                var genres = line[(line.LastIndexOf(',') + 1)..];
                builder.AddItemFeatures(line[..line.IndexOf(',', StringComparison.Ordinal)], genres == "(no genres listed)" ? [] : genres.Split('|'));
            }
        }

        LoadMovieLens(file, builder);
        var data = builder.Build();

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
            output.WriteLine($"mean over {seeds} seeds: model NDCG@10 {reports.Average(r => r.Model.NdcgAt10):F4} (sd {StdDev(reports.Select(r => r.Model.NdcgAt10)):F4}), HR@10 {reports.Average(r => r.Model.HitRateAt10):F4}, coverage@10 {reports.Average(r => r.Model.CoverageAt10):F3}");
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
                seeds = reports.Select((r, i) => new { seed = options.Seed + i, model = r.Model, popularity = r.Popularity, epochs = r.Epochs }).ToArray(),
                meanModelNdcgAt10 = reports.Average(r => r.Model.NdcgAt10),
                options,
            };
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(json, JsonOptions));
            output.WriteLine($"wrote {jsonPath}");
        }

        return Task.FromResult(0);
    }

    private static void PrintTable(TextWriter output, ModelEvaluationReport report)
    {
        output.WriteLine($"TEST ({report.Model.Users:N0} users)   HR@10   HR@20   NDCG@10 NDCG@20 MRR     cov@10");
        Row(output, "two-tower", report.Model);
        Row(output, "popularity", report.Popularity);
        output.WriteLine($"VALIDATION NDCG@10: two-tower {report.ModelValidation.NdcgAt10:F4}, popularity {report.PopularityValidation.NdcgAt10:F4}");
        output.WriteLine($"epochs {report.Epochs}, training {report.TrainingExamplesPerSecond:N0} examples/s, wall time {report.Elapsed.TotalSeconds:F1} s");
    }

    private static void Row(TextWriter output, string name, RankingMetrics m) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} {m.HitRateAt10:F4}  {m.HitRateAt20:F4}  {m.NdcgAt10:F4}  {m.NdcgAt20:F4}  {m.Mrr:F4}  {m.CoverageAt10:F3}"));

    private static double StdDev(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        return list.Count < 2 ? 0 : Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
    }

    private static void LoadMovieLens(string file, InteractionDatasetBuilder builder)
    {
        foreach (var line in File.ReadLines(file).Skip(1))
        {
            var parts = line.Split(',');
            builder.Add(new InteractionEvent(parts[0], parts[1], "rating", DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[3], CultureInfo.InvariantCulture)), double.Parse(parts[2], CultureInfo.InvariantCulture)));
        }
    }
}
