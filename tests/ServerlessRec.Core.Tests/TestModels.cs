using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests;

/// <summary>Small exported model versions for the tests of rollback, status and champion/challenger.</summary>
internal static class TestModels
{
    /// <summary>
    /// Trains a one-epoch 8-dimension model on a 30-user clustered log and writes it to <paramref name="store"/> as
    /// <paramref name="version"/>, with the given validation NDCG@10 (and popularity's, when given) in its manifest.
    /// </summary>
    public static async Task PublishSmallAsync(IBlobStore store, string version, double ndcg = 0.1, double? popularityNdcg = null)
    {
        var data = TestDatasets.Clustered(users: 30, items: 24, eventsPerUser: 12, seed: 5);
        var options = new TwoTowerOptions { Dimensions = 8, HiddenDimensions = 8, HistoryLength = 10, BatchSize = 16, Epochs = 1, Threads = 1, SampledNegatives = 8 };
        var model = new TwoTowerTrainer(options).Train(data, TestDatasets.AllEvents(data)).Model;
        var metrics = new Dictionary<string, RankingMetrics> { ["validation.model"] = new() { Users = 30, NdcgAt10 = ndcg } };
        if (popularityNdcg is { } popularity)
        {
            metrics["validation.popularity"] = new() { Users = 30, NdcgAt10 = popularity };
        }

        await ModelExporter.Export(model, data, options, new EventTypeOptions(), version, TestDatasets.Start, metrics).WriteAsync(store);
    }
}
