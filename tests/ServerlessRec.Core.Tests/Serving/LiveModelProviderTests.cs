using Microsoft.Extensions.Time.Testing;
using ServerlessRec.Core.Tests.Onnx;
using ServerlessRec.Onnx;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Serving;

public sealed class LiveModelProviderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-live-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;

    public LiveModelProviderTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task RefreshAsync_PointerFlippedToATruncatedVersion_KeepsServingThePreviousOne()
    {
        await ModelPackageTests.ExportSmall("v1").WriteAsync(_store);
        var (_, etag) = await ModelPointer.ReadAsync(_store);
        await ModelPointer.WriteAsync(_store, new ModelPointer { Version = "v1", ActivatedAt = TestDatasets.Start }, etag);
        var time = new FakeTimeProvider(TestDatasets.Start);
        using var sut = new LiveModelProvider(_store, time);
        Assert.Equal("v1", (await sut.GetCurrentAsync())!.Version);

        // A version whose user tower was cut short is made live behind the activation's back (a bad copy, a partial upload).
        var broken = ModelPackageTests.ExportSmall("v2");
        await broken.WriteAsync(_store);
        var tower = broken.Artifact(ModelManifest.UserTowerFile);
        await _store.WriteAsync(ContainerNames.Models, ModelPackage.BlobName("v2", ModelManifest.UserTowerFile), tower.AsMemory(0, tower.Length / 2));
        (_, etag) = await ModelPointer.ReadAsync(_store);
        await ModelPointer.WriteAsync(_store, new ModelPointer { Version = "v2", ActivatedAt = TestDatasets.Start.AddHours(1), PreviousVersion = "v1" }, etag);
        await sut.RefreshAsync();

        Assert.Equal("v1", (await sut.GetCurrentAsync())!.Version);
        Assert.Contains(ModelManifest.UserTowerFile, sut.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCurrentAsync_OnlyVersionIsTampered_ServesNothingAndSaysWhy()
    {
        var package = ModelPackageTests.ExportSmall("v1");
        await package.WriteAsync(_store);
        var vectors = package.Artifact(ModelManifest.ItemVectorsFile).ToArray();
        vectors[0] ^= 0x40;
        await _store.WriteAsync(ContainerNames.Models, ModelPackage.BlobName("v1", ModelManifest.ItemVectorsFile), vectors);
        await ModelPointer.WriteAsync(_store, new ModelPointer { Version = "v1", ActivatedAt = TestDatasets.Start }, expectedETag: null);
        using var sut = new LiveModelProvider(_store, new FakeTimeProvider(TestDatasets.Start));

        Assert.Null(await sut.GetCurrentAsync());
        Assert.Contains(ModelManifest.ItemVectorsFile, sut.LastError, StringComparison.Ordinal);
    }
}
