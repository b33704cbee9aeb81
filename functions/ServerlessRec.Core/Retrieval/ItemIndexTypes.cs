namespace ServerlessRec.Retrieval;

/// <summary>An item as stored in an index: its vector and the metadata filters read.</summary>
/// <param name="ItemId">The item id.</param>
/// <param name="Vector">The item tower's (normalised) vector.</param>
/// <param name="Categories">Category names (filterable).</param>
/// <param name="Available">Whether the item can be recommended now (filterable).</param>
/// <param name="Popularity">Positive events in the training data (the fallback ranking).</param>
public sealed record IndexedItem(string ItemId, ReadOnlyMemory<float> Vector, IReadOnlyList<string> Categories, bool Available, long Popularity);

/// <summary>One search result.</summary>
/// <param name="ItemId">The item id.</param>
/// <param name="Score">The dot product with the query vector.</param>
public readonly record struct ScoredItem(string ItemId, float Score);

/// <summary>What a query may return.</summary>
public sealed record ItemFilter
{
    /// <summary>Gets an empty filter.</summary>
    public static ItemFilter None { get; } = new();

    /// <summary>Gets the categories an item must have at least one of; empty or null means any.</summary>
    public IReadOnlyCollection<string>? Categories { get; init; }

    /// <summary>Gets a value indicating whether only available items are returned.</summary>
    public bool AvailableOnly { get; init; } = true;

    /// <summary>Gets item ids that must not be returned (seen, negative, excluded by the caller).</summary>
    public IReadOnlySet<string>? ExcludedItemIds { get; init; }
}
