using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Onnx;

public sealed class ModelPackageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-model-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>A small trained model's package (also used by the activation and live-model tests).</summary>
    internal static ModelPackage ExportSmall(string version = "v1")
    {
        var data = TestDatasets.Clustered(users: 30, items: 24, eventsPerUser: 12, seed: 5);
        var options = new TwoTowerOptions { Dimensions = 8, HiddenDimensions = 8, HistoryLength = 10, BatchSize = 16, Epochs = 2, Threads = 1, SampledNegatives = 8 };
        var model = new TwoTowerTrainer(options).Train(data, TestDatasets.AllEvents(data)).Model;
        return ModelExporter.Export(model, data, options, new EventTypeOptions(), version, TestDatasets.Start);
    }

    [Fact]
    public void Export_TrainedModel_ListsEveryArtefactWithItsHash()
    {
        var package = ExportSmall();

        Assert.Equal(
            [ModelManifest.HistoryEmbeddingsFile, ModelManifest.ItemTowerFile, ModelManifest.ItemVectorsFile, ModelManifest.ItemsFile, ModelManifest.UserHeadFile, ModelManifest.UserTowerFile],
            package.Manifest.Artifacts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ModelPackage.Sha256(package.Artifact(ModelManifest.UserHeadFile)), package.Manifest.Artifacts[ModelManifest.UserHeadFile].Sha256);
        Assert.Equal(25 * 8 * sizeof(float), package.Artifact(ModelManifest.HistoryEmbeddingsFile).Length);
        Assert.Equal(ModelPackage.Sha256(package.Artifact(ModelManifest.UserTowerFile)), package.Manifest.Artifacts[ModelManifest.UserTowerFile].Sha256);
        Assert.Equal(24, package.Manifest.ItemCount);
        Assert.Equal(24 * 8 * sizeof(float), package.Artifact(ModelManifest.ItemVectorsFile).Length);
        var items = ModelExporter.ReadItems(package.Artifact(ModelManifest.ItemsFile));
        Assert.Equal(Enumerable.Range(1, 24), items.Select(i => i.Index));
        Assert.All(items, i => Assert.Single(i.Categories));
    }

    [Fact]
    public void Manifest_WrittenBeforeSessionPositionDecayExisted_ReadsAsAnEvenSession()
    {
        var manifest = ExportSmall().Manifest with { SessionPositionDecay = 0.5 };
        var json = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(manifest))!.AsObject();
        Assert.Equal(0.5, System.Text.Json.JsonSerializer.Deserialize<ModelManifest>(json.ToJsonString())!.SessionPositionDecay);

        json.Remove("sessionPositionDecay");
        var older = System.Text.Json.JsonSerializer.Deserialize<ModelManifest>(json.ToJsonString())!;

        Assert.Equal(1.0, older.SessionPositionDecay);
    }

    [Fact]
    public async Task ReadAsync_WrittenPackage_RoundTrips()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var package = ExportSmall("v7");

        await package.WriteAsync(store);
        var read = await ModelPackage.ReadAsync(store, "v7");

        Assert.Equal(package.Manifest.Artifacts, read.Manifest.Artifacts);
        Assert.Equal(package.Artifact(ModelManifest.ItemVectorsFile), read.Artifact(ModelManifest.ItemVectorsFile));
    }

    [Fact]
    public async Task ReadAsync_TamperedArtefact_IsRefused()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var package = ExportSmall("v8");
        await package.WriteAsync(store);
        var tampered = package.Artifact(ModelManifest.UserTowerFile).ToArray();
        tampered[^1] ^= 0xFF;
        await store.WriteAsync(ContainerNames.Models, ModelPackage.BlobName("v8", ModelManifest.UserTowerFile), tampered);

        var error = await Assert.ThrowsAsync<ModelIntegrityException>(() => ModelPackage.ReadAsync(store, "v8"));
        Assert.Contains(ModelManifest.UserTowerFile, error.Message);
    }

    [Fact]
    public async Task ReadAsync_TruncatedArtefact_IsRefused()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var package = ExportSmall("v9");
        await package.WriteAsync(store);
        var truncated = package.Artifact(ModelManifest.ItemVectorsFile)[..^4];
        await store.WriteAsync(ContainerNames.Models, ModelPackage.BlobName("v9", ModelManifest.ItemVectorsFile), truncated);

        await Assert.ThrowsAsync<ModelIntegrityException>(() => ModelPackage.ReadAsync(store, "v9"));
    }

    [Fact]
    public async Task ReadAsync_TruncatedUserTower_IsRefusedNamingIt()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var package = ExportSmall("v11");
        await package.WriteAsync(store);
        var tower = package.Artifact(ModelManifest.UserTowerFile);
        await store.WriteAsync(ContainerNames.Models, ModelPackage.BlobName("v11", ModelManifest.UserTowerFile), tower.AsMemory(0, tower.Length / 2));

        var error = await Assert.ThrowsAsync<ModelIntegrityException>(() => ModelPackage.ReadAsync(store, "v11"));
        Assert.Contains(ModelManifest.UserTowerFile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_MissingArtefact_IsRefusedNamingIt()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var package = ExportSmall("v12");
        await package.WriteAsync(store);
        await store.DeleteAsync(ContainerNames.Models, ModelPackage.BlobName("v12", ModelManifest.ItemTowerFile));

        var error = await Assert.ThrowsAsync<ModelIntegrityException>(() => ModelPackage.ReadAsync(store, "v12"));
        Assert.Contains(ModelManifest.ItemTowerFile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_SameVersionTwice_DoesNotOverwriteThePublishedManifest()
    {
        var store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });
        var package = ExportSmall("v10");
        await package.WriteAsync(store);

        await Assert.ThrowsAsync<BlobConditionFailedException>(() => package.WriteAsync(store));
    }
}
