using ServerlessRec.Evaluation;

namespace ServerlessRec.Pipeline;

/// <summary>What starts a retraining run. The orchestrator reads no configuration, so the settings travel in the input.</summary>
/// <param name="Trigger">Who started it: "timer", "admin", "cli".</param>
/// <param name="Settings">The retraining options in force when it started.</param>
public sealed record RetrainInput(string Trigger, RetrainSettings Settings)
{
    /// <summary>Creates the input from the configured options.</summary>
    public static RetrainInput From(string trigger, RetrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RetrainInput(trigger, new RetrainSettings(options.BlobsPerShard, options.PromotionMargin, options.ItemsPerIndexActivity, options.KeepVersions, options.MaxAttempts, options.FirstRetryInterval.TotalMilliseconds));
    }
}

/// <summary>The retraining options as plain values (orchestration input).</summary>
public sealed record RetrainSettings(int BlobsPerShard, double PromotionMargin, int ItemsPerIndexActivity, int KeepVersions, int MaxAttempts, double FirstRetryMilliseconds);

/// <summary>Output of the orchestration.</summary>
public sealed record RetrainOutcome(string RunId, string Outcome, string? Version, string? Reason);

/// <summary>Input of Compact: one shard's log blobs.</summary>
public sealed record CompactInput(string RunId, int Shard, IReadOnlyList<string> Blobs);

/// <summary>Output of Compact: where the validated events went and what was rejected.</summary>
public sealed record CompactResult(string ShardBlob, long Lines, long Accepted, long Rejected, IReadOnlyDictionary<string, long> RejectedByReason);

/// <summary>Input of the steps that read the compacted shards.</summary>
public sealed record ShardsInput(string RunId, IReadOnlyList<string> Shards);

/// <summary>Output of BuildDataset.</summary>
public sealed record DatasetSummary(int Users, int Items, int Events, int EvaluatedUsers, long ExcludedEvents, int ForgottenUsers);

/// <summary>Output of Train.</summary>
public sealed record TrainResult(int BestEpoch, double ValidationNdcgAt10, IReadOnlyList<double> Losses, IReadOnlyList<double> ValidationCurve, double ExamplesPerSecond, string TunedCheckpoint, string FinalCheckpoint);

/// <summary>Input of Evaluate.</summary>
public sealed record EvaluateInput(string RunId, IReadOnlyList<string> Shards, string TunedCheckpoint, double PromotionMargin);

/// <summary>Output of Evaluate: the promotion gate's decision and the numbers behind it (VALIDATION).</summary>
public sealed record EvaluateResult(bool Promote, string Reason, RankingMetrics Candidate, RankingMetrics Popularity, RankingMetrics? Live, string? LiveVersion);

/// <summary>Input of ExportOnnx.</summary>
public sealed record ExportInput(string RunId, IReadOnlyList<string> Shards, string FinalCheckpoint, string Version, EvaluateResult Evaluation);

/// <summary>Output of ExportOnnx.</summary>
public sealed record ExportResult(string Version, int ItemCount, int Dimensions);

/// <summary>Input of IndexItems: one range of a version's items.</summary>
public sealed record IndexItemsInput(string Version, int Start, int Count);

/// <summary>Input of Activate.</summary>
public sealed record ActivateInput(string Version, int ExpectedItems);

/// <summary>What a retraining run did: <c>runs/&lt;runId&gt;.json</c>.</summary>
public sealed record RetrainRunRecord
{
    public required string RunId { get; init; }

    public required string Trigger { get; init; }

    public required DateTimeOffset Started { get; init; }

    public DateTimeOffset? Finished { get; init; }

    /// <summary>Gets the outcome: activated, rejected, no-data or failed.</summary>
    public required string Outcome { get; init; }

    public string? Version { get; init; }

    public string? Reason { get; init; }

    public long Lines { get; init; }

    public long Accepted { get; init; }

    public long Rejected { get; init; }

    public IReadOnlyDictionary<string, long> RejectedByReason { get; init; } = new Dictionary<string, long>();

    public DatasetSummary? Dataset { get; init; }

    /// <summary>Gets how many users' serving histories were brought up to date with the logs.</summary>
    public int SeededUsers { get; init; }

    public TrainResult? Training { get; init; }

    public EvaluateResult? Evaluation { get; init; }

    /// <summary>Gets the wall time of each step in seconds (orchestration time, replay-safe).</summary>
    public IReadOnlyDictionary<string, double> StepSeconds { get; init; } = new Dictionary<string, double>();
}
