namespace ServerlessRec.Pipeline;

/// <summary>Input of SeedHistories: the run's shards, the lists of users with new bulk events, and the window for the watermark.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shards">The compacted shards (the dataset).</param>
/// <param name="SeedUsersBlobs">The users of new bulk blobs, per shard (see <see cref="CompactResult.SeedUsersBlob"/>).</param>
/// <param name="WindowStart">Watermark entries of blobs in day folders before this are dropped (they will not be listed again).</param>
public sealed record SeedInput(string RunId, IReadOnlyList<string> Shards, IReadOnlyList<string> SeedUsersBlobs, DateTimeOffset? WindowStart);
