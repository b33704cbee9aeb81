using ServerlessRec.Events;

namespace ServerlessRec.Catalog;

/// <summary>One write-once blob of catalog updates: its name, when it was written, and its items in line order.</summary>
/// <param name="Name">The blob name in the catalog container (<c>updates/&lt;yyyyMMddHHmmssfff&gt;-&lt;guid&gt;.jsonl</c>).</param>
/// <param name="WrittenAt">When the blob was written (from its name).</param>
/// <param name="Items">The items, in line order (a later line for the same id wins).</param>
public sealed record CatalogUpdateBlob(string Name, DateTimeOffset WrittenAt, IReadOnlyList<CatalogItem> Items);
