namespace ServerlessRec.Pipeline;

/// <summary>Input of Compact: one shard's log blobs.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard number.</param>
/// <param name="Blobs">The log blobs of the shard.</param>
/// <param name="NotAfter">The latest accepted event time (run start plus the allowed skew); later events are quarantined as <c>future-timestamp</c>.</param>
public sealed record CompactInput(string RunId, int Shard, IReadOnlyList<LogBlob> Blobs, DateTimeOffset NotAfter);
