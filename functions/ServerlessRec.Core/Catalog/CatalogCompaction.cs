namespace ServerlessRec.Catalog;

/// <summary>What one compaction of the catalog updates did.</summary>
/// <param name="Compacted">The blob written (null: nothing was compacted).</param>
/// <param name="Deleted">How many update blobs it replaced and deleted.</param>
/// <param name="Items">How many items the compacted blob holds.</param>
public sealed record CatalogCompaction(string? Compacted, int Deleted, int Items)
{
    /// <summary>Gets the compaction that did nothing.</summary>
    public static CatalogCompaction None { get; } = new(null, 0, 0);
}
