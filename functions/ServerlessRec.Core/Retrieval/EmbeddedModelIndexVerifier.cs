using ServerlessRec.Onnx;
using ServerlessRec.Storage;

namespace ServerlessRec.Retrieval;

/// <summary>
/// The embedded index is built in process from two files of the version, <c>items.jsonl</c> and <c>item_vectors.f32</c>:
/// both must be listed in the manifest, present, and sized for the manifest's item count. (Their hashes are checked with
/// the other artefacts by <see cref="Pipeline.ModelAdministration"/>.)
/// </summary>
public sealed class EmbeddedModelIndexVerifier : IModelIndexVerifier
{
    private readonly IBlobStore _store;

    /// <summary>Creates the check over the store that holds the model versions.</summary>
    public EmbeddedModelIndexVerifier(IBlobStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <inheritdoc/>
    public async Task<string?> FindProblemAsync(ModelManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        foreach (var file in new[] { ModelManifest.ItemsFile, ModelManifest.ItemVectorsFile })
        {
            if (!manifest.Artifacts.ContainsKey(file))
            {
                return $"the embedded index of model {manifest.Version} is incomplete: {ModelManifest.FileName} does not list {file}";
            }

            if (await _store.GetPropertiesAsync(ContainerNames.Models, ModelPackage.BlobName(manifest.Version, file), cancellationToken).ConfigureAwait(false) is null)
            {
                return $"the embedded index of model {manifest.Version} is incomplete: {ContainerNames.Models}/{ModelPackage.BlobName(manifest.Version, file)} is missing";
            }
        }

        var expectedBytes = (long)manifest.ItemCount * manifest.Dimensions * sizeof(float);
        var vectors = manifest.Artifacts[ModelManifest.ItemVectorsFile];
        if (vectors.Bytes != expectedBytes)
        {
            return $"the embedded index of model {manifest.Version} is incomplete: {ModelManifest.ItemVectorsFile} holds {vectors.Bytes} bytes, {manifest.ItemCount} items × {manifest.Dimensions} dimensions need {expectedBytes}";
        }

        return null;
    }
}
