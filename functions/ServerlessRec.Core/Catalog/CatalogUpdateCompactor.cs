using ServerlessRec.Storage;

namespace ServerlessRec.Catalog;

/// <summary>
/// Keeps <c>catalog/updates/</c> short (every instance lists it on every refresh, and the retraining reads all of it):
/// the update blobs the live model's training already read (named up to its <see cref="Onnx.ModelManifest.CatalogWatermark"/>)
/// and older than a grace period are folded into one blob holding each item's latest state and the time the API first
/// named it, then deleted. The compacted blob is named after the last blob it replaces, so it sorts exactly where they
/// did: every instance, and the next retraining, fold the same states as before (an update after the watermark is never
/// touched). The grace period leaves the newest blobs to instances that have not listed them yet.
/// </summary>
public sealed class CatalogUpdateCompactor
{
    /// <summary>The name ending of a compacted update blob (after the name of the last blob it replaces, without <c>.jsonl</c>).</summary>
    public const string CompactedSuffix = ".compacted.jsonl";

    private const string UpdateSuffix = ".jsonl";
    private readonly IBlobStore _store;
    private readonly TimeProvider _time;

    /// <summary>Creates the compactor over the catalog container of <paramref name="store"/>.</summary>
    public CatalogUpdateCompactor(IBlobStore store, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _time = time;
    }

    /// <summary>
    /// Folds the update blobs named up to <paramref name="watermark"/> and written before <paramref name="writtenBefore"/>
    /// into one blob and deletes them; does nothing without a watermark or with fewer than two such blobs.
    /// </summary>
    public async Task<CatalogCompaction> CompactAsync(string? watermark, DateTimeOffset writtenBefore, CancellationToken cancellationToken = default)
    {
        if (watermark is null)
        {
            return CatalogCompaction.None;
        }

        var all = await new CatalogUpdateStore(_store, _time).ReadAllAsync(cancellationToken).ConfigureAwait(false);
        // A prefix in name order, so the blob that replaces it can sort exactly where it was (names start with their time).
        var folded = all.TakeWhile(b => string.CompareOrdinal(b.Name, watermark) <= 0 && b.WrittenAt < writtenBefore).ToList();
        if (folded.Count < 2)
        {
            return CatalogCompaction.None;
        }

        var last = folded[^1].Name;
        var name = (last.EndsWith(UpdateSuffix, StringComparison.Ordinal) ? last[..^UpdateSuffix.Length] : last) + CompactedSuffix;
        var items = CatalogUpdateStore.Fold(folded).Values
            .Select(s => s.Item with { FirstSeen = s.FirstSeen })
            .OrderBy(i => i.ItemId, StringComparer.Ordinal)
            .ToList();
        using (var content = new MemoryStream())
        {
            await Events.CatalogFileWriter.WriteAsync(content, items, cancellationToken).ConfigureAwait(false);
            // Written before anything is deleted, and whole: a reader sees the old blobs, or this one, or both (same states).
            await _store.WriteAsync(ContainerNames.Catalog, name, content.GetBuffer().AsMemory(0, (int)content.Length), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var deleted = 0;
        foreach (var blob in folded.Where(b => b.Name != name))
        {
            await _store.DeleteAsync(ContainerNames.Catalog, blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            deleted++;
        }

        return new CatalogCompaction(name, deleted, items.Count);
    }
}
