namespace ServerlessRec.Retrieval;

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
