namespace ServerlessRec.Events;

/// <summary>One item of the catalog (<c>catalog/items.jsonl</c> in design.md).</summary>
/// <param name="ItemId">The id events refer to: 1–128 characters, no control characters.</param>
/// <param name="Title">A display title, if any.</param>
/// <param name="Categories">Categories (genres); the item tower hashes them, so a cold item still gets a vector.</param>
/// <param name="Tags">Free tags, used like categories.</param>
/// <param name="Available">Whether the item may be recommended now.</param>
public sealed record CatalogItem(string ItemId, string? Title, IReadOnlyList<string> Categories, IReadOnlyList<string> Tags, bool Available = true);
