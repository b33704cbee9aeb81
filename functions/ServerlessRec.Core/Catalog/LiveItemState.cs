using ServerlessRec.Events;

namespace ServerlessRec.Catalog;

/// <summary>The latest state of one item the catalog API changed, folded from the update blobs in name order.</summary>
/// <param name="Item">The item as last written (a delete keeps the id only).</param>
/// <param name="FirstSeen">When an update blob first named the item (its age for new-item exposure).</param>
public sealed record LiveItemState(CatalogItem Item, DateTimeOffset FirstSeen);
