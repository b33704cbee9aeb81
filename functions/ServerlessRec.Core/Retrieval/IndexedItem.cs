namespace ServerlessRec.Retrieval;

/// <summary>An item as stored in an index: its vector and the metadata filters read.</summary>
/// <param name="ItemId">The item id.</param>
/// <param name="Vector">The item tower's (normalised) vector.</param>
/// <param name="Categories">Category names (filterable).</param>
/// <param name="Available">Whether the item can be recommended now (filterable).</param>
/// <param name="Popularity">Positive events in the training data (the fallback ranking).</param>
public sealed record IndexedItem(string ItemId, ReadOnlyMemory<float> Vector, IReadOnlyList<string> Categories, bool Available, long Popularity);
