namespace ServerlessRec.Pipeline;

/// <summary>Output of Compact: where the validated events went and what was rejected.</summary>
/// <param name="ShardBlob">The compact shard.</param>
/// <param name="Lines">Data lines read.</param>
/// <param name="Accepted">Lines accepted into the shard.</param>
/// <param name="Rejected">Lines quarantined.</param>
/// <param name="RejectedByReason">Quarantined lines per reason.</param>
/// <param name="SeedUsersBlob">The blob listing the users of the shard's new bulk blobs (<see langword="null"/> when it has none).</param>
public sealed record CompactResult(string ShardBlob, long Lines, long Accepted, long Rejected, IReadOnlyDictionary<string, long> RejectedByReason, string? SeedUsersBlob = null);
