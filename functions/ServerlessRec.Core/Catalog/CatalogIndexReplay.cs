using ServerlessRec.Events;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;

namespace ServerlessRec.Catalog;

/// <summary>
/// Brings a new model version's remote index (Azure AI Search) up to date with the catalog: the version's index is built
/// from the catalog as its training read it, while every update written after that read was merged into the index of the
/// version live at the time. Activation merges those updates (named after the version's
/// <see cref="Onnx.ModelManifest.CatalogWatermark"/>) into the new index with the new version's item-tower vectors, exactly
/// as <see cref="CatalogService"/> would have. One instance serves one activation: it remembers what it merged, so a
/// second pass sends only what changed since the first.
/// </summary>
public sealed class CatalogIndexReplay
{
    private readonly CatalogUpdateStore _updates;
    private readonly IBlobStore _store;
    private readonly IItemIndexPublisher _publisher;
    private readonly Dictionary<string, CatalogItem> _merged = new(StringComparer.Ordinal);

    /// <summary>Creates the replay of one activation.</summary>
    public CatalogIndexReplay(IBlobStore store, IItemIndexPublisher publisher, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(time);
        _updates = new CatalogUpdateStore(store, time);
        _store = store;
        _publisher = publisher;
    }

    /// <summary>
    /// Returns the latest state of every item an update after <paramref name="watermark"/> names that this replay has not
    /// merged yet, deletes left out: every instance hides a deleted item itself, and a document cannot be merged without
    /// its vector.
    /// </summary>
    public async Task<IReadOnlyList<CatalogItem>> PendingAsync(string? watermark, CancellationToken cancellationToken = default)
    {
        var blobs = await _updates.ReadAfterAsync(watermark, cancellationToken).ConfigureAwait(false);
        // The update store returns the same item objects for a blob it has read, so an unchanged state is the same reference.
        return CatalogUpdateStore.Fold(blobs).Values
            .Select(s => s.Item)
            .Where(i => !i.Deleted && !(_merged.TryGetValue(i.ItemId, out var done) && ReferenceEquals(done, i)))
            .OrderBy(i => i.ItemId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Merges <paramref name="items"/> into <paramref name="model"/>'s index (mergeOrUpload: merging twice changes nothing).</summary>
    public async Task MergeAsync(ServingModel model, IReadOnlyList<CatalogItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(items);
        foreach (var batch in items.Chunk(CatalogService.MaxItemsPerPut))
        {
            var indexed = await CatalogService.VectorsAsync(model, _store, batch, cancellationToken).ConfigureAwait(false);
            await _publisher.UploadAsync(model.Version, indexed, cancellationToken).ConfigureAwait(false);
            foreach (var item in batch)
            {
                _merged[item.ItemId] = item;
            }
        }
    }
}
