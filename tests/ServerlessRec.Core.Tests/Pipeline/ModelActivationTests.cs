using ServerlessRec.Core.Tests.Onnx;
using ServerlessRec.Onnx;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Core.Tests.Pipeline;

public sealed class ModelActivationTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "srec-activate-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderBlobStore _store;

    public ModelActivationTests() => _store = new LocalFolderBlobStore(new StorageOptions { LocalRoot = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task ActivateAsync_IntactVersion_FlipsThePointerAndRemembersThePrevious()
    {
        await ModelPackageTests.ExportSmall("v1").WriteAsync(_store);
        await ModelPackageTests.ExportSmall("v2").WriteAsync(_store);
        await ModelActivation.ActivateAsync(_store, "v1", TestDatasets.Start);

        var pointer = await ModelActivation.ActivateAsync(_store, "v2", TestDatasets.Start.AddHours(1));

        Assert.Equal("v2", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
        Assert.Equal("v1", pointer.PreviousVersion);
    }

    [Theory]
    [InlineData(ModelManifest.UserTowerFile, "truncated")]
    [InlineData(ModelManifest.ItemTowerFile, "flipped")]
    [InlineData(ModelManifest.ItemVectorsFile, "truncated")]
    [InlineData(ModelManifest.ItemsFile, "flipped")]
    public async Task ActivateAsync_ArtefactFailingItsHash_IsRefusedAndThePointerIsUnchanged(string artefact, string damage)
    {
        await ModelPackageTests.ExportSmall("v1").WriteAsync(_store);
        await ModelActivation.ActivateAsync(_store, "v1", TestDatasets.Start);
        var before = await _store.ReadAsync(ContainerNames.Models, ModelPointer.BlobName);
        var candidate = ModelPackageTests.ExportSmall("v2");
        await candidate.WriteAsync(_store);
        var bytes = candidate.Artifact(artefact).ToArray();
        if (damage == "truncated")
        {
            bytes = bytes[..(bytes.Length - 1)];
        }
        else
        {
            bytes[bytes.Length / 2] ^= 0x01;
        }

        await _store.WriteAsync(ContainerNames.Models, ModelPackage.BlobName("v2", artefact), bytes);

        var error = await Assert.ThrowsAsync<ModelIntegrityException>(() => ModelActivation.ActivateAsync(_store, "v2", TestDatasets.Start.AddHours(1)));

        Assert.Contains(artefact, error.Message, StringComparison.Ordinal);
        var after = await _store.ReadAsync(ContainerNames.Models, ModelPointer.BlobName);
        Assert.Equal(before!.ETag, after!.ETag);
        Assert.Equal("v1", (await ModelPointer.ReadAsync(_store)).Pointer!.Version);
    }
}
