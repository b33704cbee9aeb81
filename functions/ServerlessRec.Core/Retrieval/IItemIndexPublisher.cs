namespace ServerlessRec.Retrieval;

/// <summary>
/// The write side of an index backend, used by the retraining orchestration: one index per model version,
/// filled in batches, verified by count before activation, deleted when the version is retired.
/// </summary>
public interface IItemIndexPublisher
{
    /// <summary>Creates (or resets) the index of a model version.</summary>
    Task CreateVersionAsync(string version, int dimensions, CancellationToken cancellationToken = default);

    /// <summary>Uploads items into a version's index; retries transient failures and throws when an item still fails.</summary>
    Task UploadAsync(string version, IReadOnlyList<IndexedItem> items, CancellationToken cancellationToken = default);

    /// <summary>Returns how many items a version's index holds (the check before activation).</summary>
    Task<long> CountAsync(string version, CancellationToken cancellationToken = default);

    /// <summary>Lists the versions that have an index.</summary>
    Task<IReadOnlyList<string>> ListVersionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a version's index; returns false when it did not exist.</summary>
    Task<bool> DeleteVersionAsync(string version, CancellationToken cancellationToken = default);

    /// <summary>Opens a version's index for queries.</summary>
    Task<IItemIndex> OpenAsync(string version, CancellationToken cancellationToken = default);
}
