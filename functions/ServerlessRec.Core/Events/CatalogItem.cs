namespace ServerlessRec.Events;

/// <summary>One item of the catalog (<c>catalog/items.jsonl</c> in design.md).</summary>
/// <param name="ItemId">The id events refer to: 1–128 characters, no control characters.</param>
/// <param name="Title">A display title, if any.</param>
/// <param name="Categories">Categories (genres); the item tower hashes them, so a cold item still gets a vector.</param>
/// <param name="Tags">Free tags, used like categories.</param>
/// <param name="Available">Whether the item may be recommended now.</param>
public sealed record CatalogItem(string ItemId, string? Title, IReadOnlyList<string> Categories, IReadOnlyList<string> Tags, bool Available = true)
{
    /// <summary>
    /// Gets a value indicating whether the line removes the item (<c>DELETE /api/items/{itemId}</c>): it is never
    /// recommended again, and retraining keeps it only as an unavailable vocabulary entry (its events still train the others).
    /// </summary>
    public bool Deleted { get; init; }

    /// <summary>Gets free attributes (a JSON object) the catalog keeps for the caller; neither training nor serving reads them.</summary>
    public System.Text.Json.JsonElement? Attributes { get; init; }

    /// <summary>
    /// Gets when the catalog API first named the item, kept by a compacted update blob (<see cref="Catalog.CatalogUpdateCompactor"/>)
    /// for the blobs it replaced; null on every other line, where the update blob's own time counts.
    /// </summary>
    public DateTimeOffset? FirstSeen { get; init; }
}
