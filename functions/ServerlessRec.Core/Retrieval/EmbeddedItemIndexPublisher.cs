using ServerlessRec.Onnx;
using ServerlessRec.Storage;

namespace ServerlessRec.Retrieval;

/// <summary>
/// The embedded backend's publisher: a version's index is its model package (item vectors and metadata,
/// hash-verified), loaded in process by <see cref="Serving.ServingModel"/>. Upload checks that the items
/// belong to the package; count reads the package, so activation still verifies a complete, intact version.
/// </summary>
public sealed class EmbeddedItemIndexPublisher(IBlobStore store) : IItemIndexPublisher
{
    /// <inheritdoc/>
    public Task CreateVersionAsync(string version, int dimensions, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task UploadAsync(string version, IReadOnlyList<IndexedItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var manifest = await ModelPackage.ReadManifestAsync(store, version, cancellationToken: cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"model {version} is not published");
        foreach (var item in items)
        {
            if (item.Vector.Length != manifest.Dimensions)
            {
                throw new InvalidOperationException($"item {item.ItemId} has {item.Vector.Length} dimensions, the model {manifest.Dimensions}");
            }
        }
    }

    /// <inheritdoc/>
    public async Task<long> CountAsync(string version, CancellationToken cancellationToken = default)
    {
        var package = await ModelPackage.ReadAsync(store, version, cancellationToken: cancellationToken).ConfigureAwait(false);
        return package.Artifact(ModelManifest.ItemVectorsFile).Length / (package.Manifest.Dimensions * sizeof(float));
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListVersionsAsync(CancellationToken cancellationToken = default)
    {
        var versions = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var blob in store.ListAsync(ContainerNames.Models, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (blob.Name.EndsWith("/" + ModelManifest.FileName, StringComparison.Ordinal))
            {
                versions.Add(blob.Name[..blob.Name.IndexOf('/', StringComparison.Ordinal)]);
            }
        }

        return [.. versions];
    }

    /// <inheritdoc/>
    public Task<bool> DeleteVersionAsync(string version, CancellationToken cancellationToken = default) => Task.FromResult(true);

    /// <inheritdoc/>
    public async Task<IItemIndex> OpenAsync(string version, CancellationToken cancellationToken = default)
    {
        // The index does not depend on the ONNX session, which is released here.
        using var model = await Serving.ServingModel.LoadAsync(store, version, cancellationToken).ConfigureAwait(false);
        return model.Index;
    }
}
