using ServerlessRec.Evaluation;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Tests.Commands;

/// <summary>A store with two kept versions of a tiny model, v1 (NDCG@10 0.125) and v2 (0.25), v2 live after v1.</summary>
internal static class KeptVersions
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<LocalFolderBlobStore> PublishAsync(string root)
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = root });
        var builder = new InteractionDatasetBuilder(new EventTypeOptions(), 16);
        for (var u = 0; u < 30; u++)
        {
            for (var e = 0; e < 10; e++)
            {
                builder.Add(new InteractionEvent($"u{u}", $"i{((u % 2) * 10) + ((u + e) % 10)}", "view", Start.AddMinutes((e * 10) + u)));
            }
        }

        var data = builder.Build();
        var options = new TwoTowerOptions { Dimensions = 8, HiddenDimensions = 8, HistoryLength = 10, BatchSize = 16, Epochs = 1, Threads = 1, SampledNegatives = 8 };
        var model = new TwoTowerTrainer(options).Train(data, Enumerable.Range(0, data.UserCount).Select(u => data.UserOffsets[u + 1] - data.UserOffsets[u]).ToArray()).Model;
        foreach (var (version, ndcg, day) in new[] { ("v1", 0.125, 1), ("v2", 0.25, 2) })
        {
            var metrics = new Dictionary<string, RankingMetrics> { ["validation.model"] = new() { Users = 30, NdcgAt10 = ndcg, HitRateAt10 = ndcg * 2 }, ["validation.popularity"] = new() { Users = 30, NdcgAt10 = 0.05 } };
            await ModelExporter.Export(model, data, options, new EventTypeOptions(), version, Start.AddDays(day), metrics).WriteAsync(store);
            await ModelActivation.ActivateAsync(store, version, Start.AddDays(day));
        }

        return store;
    }

    /// <summary>Flips one bit in the middle of an artefact of a version (same length, another hash).</summary>
    public static async Task TamperAsync(IBlobStore store, string version, string artefact)
    {
        var name = ModelPackage.BlobName(version, artefact);
        var bytes = (await store.ReadAsync(ContainerNames.Models, name))!.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x01;
        await store.WriteAsync(ContainerNames.Models, name, bytes);
    }
}
