using System.Diagnostics;
using System.Globalization;
using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands;

/// <summary>
/// <c>serverlessrec demo</c>: the whole loop on the embedded default, in one command: synthetic logs into the
/// local store, validation and quarantine, training with evaluation against popularity, ONNX export,
/// activation, and recommendations that change after one new event without retraining.
/// </summary>
internal sealed class DemoCommand(TimeProvider timeProvider) : ICliCommand
{
    public string Name => "demo";

    public string Usage => "[--root DIR] [--users 1500] [--items 800] [--events 80000] [--seed 7] [--bad-lines 0.001] [--fresh] " + TrainingOptionsBinder.Usage;

    public string Summary => $"Run the whole loop locally: generate logs into {StorageOptions.DefaultLocalRoot}/, train and evaluate, export ONNX, activate, recommend.";

    public async Task<int> RunAsync(CliArguments args, TextWriter output, CancellationToken cancellationToken)
    {
        var root = args.String("root", StorageOptions.DefaultLocalRoot);
        var synthetic = new SyntheticLogOptions
        {
            Users = args.Int("users", 1500, 10, 10_000_000),
            Items = args.Int("items", 800, 10, 10_000_000),
            Events = args.Long("events", 80_000, 1_000, 1_000_000_000),
            Seed = args.Long("seed", 7),
            BadLineFraction = args.Double("bad-lines", 0.001, 0, 0.5),
        };
        var fresh = args.Flag("fresh");
        var options = TrainingOptionsBinder.Bind(args);
        args.EnsureAllRead();

        var total = Stopwatch.StartNew();
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = root });
        output.WriteLine($"== 1. logs in the local store {Path.GetFullPath(root)}");
        await EnsureLogsAsync(store, synthetic, fresh, output, cancellationToken).ConfigureAwait(false);

        var now = timeProvider.GetUtcNow();
        var runId = string.Create(CultureInfo.InvariantCulture, $"demo-{now:yyyyMMdd'T'HHmmss'Z'}");
        var quarantine = new QuarantineWriter(store, runId);
        var loader = new DatasetLoader(new EventTypeOptions(), options.FeatureBuckets, quarantine);
        await loader.AddCatalogFromStoreAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        await loader.AddEventsFromStoreAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        await quarantine.FlushAsync(cancellationToken).ConfigureAwait(false);
        output.WriteLine($"   read: {loader.Summary}");
        if (quarantine.BlobNames.Count > 0)
        {
            output.WriteLine($"   rejected lines (file, line, reason): {Path.Combine(store.RootPath, ContainerNames.Quarantine, runId)}/");
        }

        var data = loader.Build();
        output.WriteLine();
        output.WriteLine("== 2. train the two-tower model and evaluate it (leave-last-out, all items ranked)");
        var report = ModelEvaluation.Run(data, options, line => output.WriteLine("   " + line), cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   TEST NDCG@10: two-tower {report.Model.NdcgAt10:F4} vs popularity {report.Popularity.NdcgAt10:F4} (HR@10 {report.Model.HitRateAt10:F4} vs {report.Popularity.HitRateAt10:F4}; coverage@10 {report.Model.CoverageAt10:F3} vs {report.Popularity.CoverageAt10:F3})"));

        output.WriteLine();
        output.WriteLine($"== 3. train on all events ({report.Epochs} epochs), export ONNX towers, activate");
        var final = options.Clone();
        final.Epochs = report.Epochs;
        var all = Enumerable.Range(0, data.UserCount).Select(u => data.UserOffsets[u + 1] - data.UserOffsets[u]).ToArray();
        var trained = new TwoTowerTrainer(final).Train(data, all, null, null, cancellationToken);
        var version = string.Create(CultureInfo.InvariantCulture, $"{now:yyyyMMdd-HHmmss}");
        var package = ModelExporter.Export(
            trained.Model,
            data,
            final,
            new EventTypeOptions(),
            version,
            now,
            new Dictionary<string, RankingMetrics>
            {
                ["validation.model"] = report.ModelValidation,
                ["validation.popularity"] = report.PopularityValidation,
                ["test.model"] = report.Model,
                ["test.popularity"] = report.Popularity,
            },
            new Dictionary<string, double>
            {
                ["epochs"] = final.Epochs,
                ["events"] = data.EventCount,
                ["users"] = data.UserCount,
                ["finalLoss"] = trained.Epochs.Count > 0 ? trained.Epochs[^1].Loss : double.NaN,
                ["examplesPerSecond"] = trained.ExamplesPerSecond,
                ["trainingSeconds"] = trained.Elapsed.TotalSeconds,
            });
        await package.WriteAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        await ModelActivation.ActivateAsync(store, version, now, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"   model {version} is live: {Path.Combine(store.RootPath, ContainerNames.Models, version)}/ (user_tower.onnx, item_tower.onnx, model.json, …)");
        var histories = new UserHistoryStore(store);
        var seeded = await UserHistorySeeder.SeedAsync(data, histories, cancellationToken: cancellationToken).ConfigureAwait(false);
        output.WriteLine($"   user histories for serving: {seeded:N0} users written to users/ from the logs");

        output.WriteLine();
        output.WriteLine("== 4. recommend with the ONNX user tower; one new event changes the answer, no retraining");
        using var models = new LiveModelProvider(store, timeProvider);
        var service = new RecommenderService(models, histories, timeProvider);
        var user = "demo-visitor";
        await histories.DeleteAsync(user, cancellationToken).ConfigureAwait(false);
        var popular = await service.RecommendAsync(new RecommendationRequest { UserId = user, K = 5 }, cancellationToken).ConfigureAwait(false);
        Print(output, "new visitor", popular);
        var first = popular.Items[0].ItemId;
        await histories.AppendAsync(user, [new HistoryEvent { ItemId = first, Type = "click", Timestamp = now }], cancellationToken).ConfigureAwait(false);
        var after = await service.RecommendAsync(new RecommendationRequest { UserId = user, K = 5, Explain = true }, cancellationToken).ConfigureAwait(false);
        Print(output, $"after one click on {first}", after);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done in {total.Elapsed.TotalSeconds:F0} s. Try: serverlessrec recommend --user {data.UserIds[0]} --explain"));
        return 0;
    }

    private static async Task EnsureLogsAsync(LocalFolderBlobStore store, SyntheticLogOptions synthetic, bool fresh, TextWriter output, CancellationToken cancellationToken)
    {
        var existing = 0;
        await foreach (var _ in store.ListAsync(ContainerNames.Events, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            existing++;
        }

        if (existing > 0 && !fresh)
        {
            output.WriteLine($"   reusing {existing} log file(s) already in events/ (--fresh to regenerate)");
            return;
        }

        if (fresh)
        {
            foreach (var container in new[] { ContainerNames.Events, ContainerNames.Catalog })
            {
                var names = new List<string>();
                await foreach (var blob in store.ListAsync(container, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    names.Add(blob.Name);
                }

                foreach (var name in names)
                {
                    await store.DeleteAsync(container, name, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var generator = new SyntheticLogGenerator(synthetic);
        var summary = await generator.WriteToStoreAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   generated {summary.Events:N0} events of {synthetic.Users:N0} users over {synthetic.Items:N0} items, plus {summary.BadLines:N0} malformed lines, into {summary.Files.Count} file(s) under events/ and catalog/items.jsonl"));
    }

    private static void Print(TextWriter output, string title, RecommendationResponse response)
    {
        output.WriteLine($"   {title} ({response.Source.ToString().ToLowerInvariant()}, model {response.ModelVersion}):");
        foreach (var item in response.Items)
        {
            var because = item.Because is { Count: > 0 } b ? $"  because of {string.Join(", ", b)}" : string.Empty;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"     {item.ItemId,-12} {item.Score,8:F4}{because}"));
        }
    }
}
