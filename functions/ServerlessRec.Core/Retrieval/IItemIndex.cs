namespace ServerlessRec.Retrieval;

/// <summary>
/// The item vectors of one model version, searchable by a user vector: the embedded in-process index or
/// Azure AI Search (one index per model version).
/// </summary>
public interface IItemIndex
{
    /// <summary>Gets the model version this index serves.</summary>
    string Version { get; }

    /// <summary>Returns the <paramref name="k"/> items with the highest dot product with <paramref name="query"/> that pass <paramref name="filter"/>, best first.</summary>
    ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default);
}
