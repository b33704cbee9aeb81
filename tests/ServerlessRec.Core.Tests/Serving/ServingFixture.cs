using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Serving;

/// <summary>A small model trained on clustered data, exported, stored in a local folder and made live.</summary>
public sealed class ServingFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-serving-" + Guid.NewGuid().ToString("N"));

    public LocalFolderBlobStore Store { get; private set; } = null!;

    public InteractionDataset Data { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        Data = TestDatasets.Clustered(users: 120, items: 40, eventsPerUser: 20, seed: 21);
        var options = new TwoTowerOptions { Dimensions = 16, HiddenDimensions = 16, HistoryLength = 20, BatchSize = 32, Epochs = 6, Threads = 2, SampledNegatives = 16 };
        var model = new TwoTowerTrainer(options).Train(Data, TestDatasets.AllEvents(Data)).Model;
        var package = ModelExporter.Export(model, Data, options, new EventTypeOptions(), "v1", TestDatasets.Start);
        await package.WriteAsync(Store);
        await ModelPointer.WriteAsync(Store, new ModelPointer { Version = "v1", ActivatedAt = TestDatasets.Start }, expectedETag: null);
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return Task.CompletedTask;
    }
}
