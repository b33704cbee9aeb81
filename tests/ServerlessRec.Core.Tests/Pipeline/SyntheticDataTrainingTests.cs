using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Pipeline;

public sealed class SyntheticDataTrainingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-synthetic-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Train_LogMixingGoodAndMalformedLines_TrainsOnTheGoodOnesAndQuarantinesEveryBadOne()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var generated = await new SyntheticLogGenerator(new SyntheticLogOptions { Users = 1000, Items = 400, Events = 40_000, Seed = 3, BadLineFraction = 0.03 })
            .WriteToStoreAsync(store);
        var quarantine = new QuarantineWriter(store, "run-1");
        var loader = new DatasetLoader(new EventTypeOptions(), TwoTowerOptions.DefaultFeatureBuckets, quarantine);

        await loader.AddCatalogFromStoreAsync(store);
        await loader.AddEventsFromStoreAsync(store);
        await quarantine.FlushAsync();
        var data = loader.Build();

        Assert.True(generated.BadLines > 300, $"only {generated.BadLines} bad lines generated");
        Assert.Equal(generated.Events, loader.Summary.Accepted);
        Assert.Equal(generated.BadLines, loader.Summary.Rejected);
        Assert.Equal(generated.BadLinesByReason.OrderBy(r => r.Key), loader.Summary.RejectedByReason.OrderBy(r => r.Key));
        Assert.Equal(generated.Events, data.EventCount);
        var quarantined = 0;
        foreach (var name in quarantine.BlobNames)
        {
            var blob = await store.ReadAsync(ContainerNames.Quarantine, name);
            quarantined += System.Text.Encoding.UTF8.GetString(blob!.Content.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        }

        Assert.Equal(generated.BadLines, quarantined);

        var split = LeaveLastOutSplit.Create(data);
        var options = new TwoTowerOptions { Dimensions = 32, HiddenDimensions = 64, Epochs = 3, Threads = 2, SampledNegatives = 128 };
        var model = new TwoTowerTrainer(options).Train(data, split.TrainEnds).Model;
        var twoTower = RankingEvaluator.Evaluate(split, HeldOut.Validation, new TwoTowerScorer(model, data, options));
        var popularity = RankingEvaluator.Evaluate(split, HeldOut.Validation, new PopularityScorer(data, split.TrainEnds));

        // The generator's tastes and sessions are learnable: a wide margin over popularity, not a lucky tie.
        Assert.True(twoTower.NdcgAt10 > 2 * popularity.NdcgAt10, $"two-tower NDCG@10 {twoTower.NdcgAt10:F4}, popularity {popularity.NdcgAt10:F4}");
    }
}
