using ServerlessRec.Evaluation;

namespace ServerlessRec.Pipeline;

/// <summary>What starts a retraining run. The orchestrator reads no configuration, so the settings travel in the input.</summary>
/// <param name="Trigger">Who started it: "timer", "admin", "cli".</param>
/// <param name="Settings">The retraining options in force when it started.</param>
/// <param name="RunStart">
/// The run's "now" for the training window and the future-timestamp limit, taken from the starter's
/// <see cref="TimeProvider"/> (so a simulated clock drives them); <see langword="null"/>: the orchestration's first
/// <c>CurrentUtcDateTime</c>. Either way every activity gets the same value, on every retry.
/// </param>
public sealed record RetrainInput(string Trigger, RetrainSettings Settings, DateTimeOffset? RunStart = null)
{
    /// <summary>Creates the input from the configured options.</summary>
    public static RetrainInput From(string trigger, RetrainOptions options, DateTimeOffset? runStart = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new RetrainSettings(options.BlobsPerShard, options.PromotionMargin, options.ItemsPerIndexActivity, options.KeepVersions, options.MaxAttempts, options.FirstRetryInterval.TotalMilliseconds)
        {
            WindowDays = options.WindowDays,
            FutureSkewSeconds = options.FutureTimestampSkew.TotalSeconds,
            RequireLiveComparison = options.RequireLiveComparison,
            GraceSeconds = options.PreviousVersionGracePeriod.TotalSeconds,
            OnlineMetricsDays = options.OnlineMetricsDays,
            ImpressionRetentionDays = options.ImpressionRetentionDays,
            ChallengerMinImpressions = options.ChallengerMinImpressions,
        };
        return new RetrainInput(trigger, settings, runStart);
    }
}

/// <summary>The retraining options as plain values (orchestration input).</summary>
public sealed record RetrainSettings(int BlobsPerShard, double PromotionMargin, int ItemsPerIndexActivity, int KeepVersions, int MaxAttempts, double FirstRetryMilliseconds)
{
    /// <summary>Gets the training window in days (0: all log blobs). See <see cref="RetrainOptions.WindowDays"/>.</summary>
    public int WindowDays { get; init; } = RetrainOptions.DefaultWindowDays;

    /// <summary>Gets how far past the run start a timestamp may be, in seconds. See <see cref="RetrainOptions.FutureTimestampSkew"/>.</summary>
    public double FutureSkewSeconds { get; init; } = 3600;

    /// <summary>Gets a value indicating whether a skipped live comparison rejects the candidate. See <see cref="RetrainOptions.RequireLiveComparison"/>.</summary>
    public bool RequireLiveComparison { get; init; }

    /// <summary>Gets the grace period of the previously live version, in seconds. See <see cref="RetrainOptions.PreviousVersionGracePeriod"/>.</summary>
    public double GraceSeconds { get; init; } = 600;

    /// <summary>Gets the online-metrics window in days (0: no online metrics). See <see cref="RetrainOptions.OnlineMetricsDays"/>.</summary>
    public int OnlineMetricsDays { get; init; } = RetrainOptions.DefaultOnlineMetricsDays;

    /// <summary>Gets the days of impression log kept. See <see cref="RetrainOptions.ImpressionRetentionDays"/>.</summary>
    public int ImpressionRetentionDays { get; init; } = RetrainOptions.DefaultImpressionRetentionDays;

    /// <summary>Gets the impressions each arm needs for a champion/challenger verdict. See <see cref="RetrainOptions.ChallengerMinImpressions"/>.</summary>
    public long ChallengerMinImpressions { get; init; } = RetrainOptions.DefaultChallengerMinImpressions;
}

/// <summary>Input of ExpireImpressions: impression day folders before <paramref name="RetentionDays"/> days ahead of the run's day go.</summary>
/// <param name="RunStart">The run's "now".</param>
/// <param name="RetentionDays">The whole days kept before the run's day.</param>
public sealed record ExpireImpressionsInput(DateTimeOffset RunStart, int RetentionDays);

/// <summary>Input of ListPartitions: the run and its window.</summary>
/// <param name="RunId">The run.</param>
/// <param name="RunStart">The run's "now": the window ends on its day (plus the allowed skew).</param>
/// <param name="WindowDays">How many days back the window reaches; 0 lists every log blob.</param>
/// <param name="FutureSkewSeconds">How far past the run start events may be (their day folder is listed too).</param>
public sealed record ListPartitionsInput(string RunId, DateTimeOffset RunStart, int WindowDays, double FutureSkewSeconds);

/// <summary>One log blob to read, with its ETag and whether its users' serving histories need seeding.</summary>
/// <param name="Name">The blob name in the events container.</param>
/// <param name="ETag">Its ETag when listed (the seed watermark remembers it, so a replaced blob is seeded again).</param>
/// <param name="Seed">True for a bulk blob not seeded before (API-posted blobs never need it: their events went to the histories when posted).</param>
public sealed record LogBlob(string Name, string ETag, bool Seed);

/// <summary>The orchestration's custom status: the run it is and the step it is in (or ended in).</summary>
/// <param name="RunId">The run id (its record is <c>runs/&lt;runId&gt;.json</c> once written).</param>
/// <param name="Step">The step in progress.</param>
public sealed record RetrainProgress(string RunId, string Step);

/// <summary>Output of the orchestration.</summary>
public sealed record RetrainOutcome(string RunId, RunOutcome Outcome, string? Version, string? Reason);

/// <summary>Input of Compact: one shard's log blobs.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shard">The shard number.</param>
/// <param name="Blobs">The log blobs of the shard.</param>
/// <param name="NotAfter">The latest accepted event time (run start plus the allowed skew); later events are quarantined as <c>future-timestamp</c>.</param>
public sealed record CompactInput(string RunId, int Shard, IReadOnlyList<LogBlob> Blobs, DateTimeOffset NotAfter);

/// <summary>Output of Compact: where the validated events went and what was rejected.</summary>
/// <param name="ShardBlob">The compact shard.</param>
/// <param name="Lines">Data lines read.</param>
/// <param name="Accepted">Lines accepted into the shard.</param>
/// <param name="Rejected">Lines quarantined.</param>
/// <param name="RejectedByReason">Quarantined lines per reason.</param>
/// <param name="SeedUsersBlob">The blob listing the users of the shard's new bulk blobs (<see langword="null"/> when it has none).</param>
public sealed record CompactResult(string ShardBlob, long Lines, long Accepted, long Rejected, IReadOnlyDictionary<string, long> RejectedByReason, string? SeedUsersBlob = null);

/// <summary>Input of SeedHistories: the run's shards, the lists of users with new bulk events, and the window for the watermark.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shards">The compacted shards (the dataset).</param>
/// <param name="SeedUsersBlobs">The users of new bulk blobs, per shard (see <see cref="CompactResult.SeedUsersBlob"/>).</param>
/// <param name="WindowStart">Watermark entries of blobs in day folders before this are dropped (they will not be listed again).</param>
public sealed record SeedInput(string RunId, IReadOnlyList<string> Shards, IReadOnlyList<string> SeedUsersBlobs, DateTimeOffset? WindowStart);

/// <summary>Output of SeedHistories.</summary>
/// <param name="SeededUsers">Users whose serving history was brought up to date.</param>
/// <param name="QuarantinedUsers">Users whose history could not be written; listed (hashed) in <c>quarantine/&lt;runId&gt;/users.jsonl</c>.</param>
public sealed record SeedResult(int SeededUsers, int QuarantinedUsers);

/// <summary>Input of Cleanup: the retention and the grace period of the previously live version.</summary>
/// <param name="KeepVersions">How many versions to keep (the live one included).</param>
/// <param name="GraceSeconds">How long after activation the previously live version is kept regardless.</param>
public sealed record CleanupInput(int KeepVersions, double GraceSeconds);

/// <summary>Input of PurgeForgotten: the run and its "now" (API log blobs of its hour and the hour before are left for the next run).</summary>
public sealed record PurgeForgottenInput(string RunId, DateTimeOffset RunStart);

/// <summary>What PurgeForgotten did.</summary>
/// <param name="Tombstones">Tombstones in the store.</param>
/// <param name="NewTombstones">Tombstones not purged by an earlier run (each makes the run scan every blob).</param>
/// <param name="ScannedBlobs">Blobs read: every blob when there are new tombstones, else those written since the last purge.</param>
/// <param name="PurgedBlobs">Blobs rewritten without forgotten users' lines.</param>
/// <param name="PurgedLines">Lines removed.</param>
/// <param name="PendingBlobs">API log blobs of hours still appended to, left for the next run.</param>
public sealed record PurgeForgottenResult(int Tombstones, int NewTombstones, int ScannedBlobs, int PurgedBlobs, long PurgedLines, int PendingBlobs);

/// <summary>Input of RemoveStaleScratch.</summary>
/// <param name="RunId">The current run, whose scratch is kept.</param>
public sealed record ScratchInput(string RunId);

/// <summary>Input of the steps that read the compacted shards.</summary>
public sealed record ShardsInput(string RunId, IReadOnlyList<string> Shards);

/// <summary>Output of BuildDataset.</summary>
public sealed record DatasetSummary(int Users, int Items, int Events, int EvaluatedUsers, long ExcludedEvents, int ForgottenUsers);

/// <summary>Output of Train.</summary>
public sealed record TrainResult(int BestEpoch, double ValidationNdcgAt10, IReadOnlyList<double> Losses, IReadOnlyList<double> ValidationCurve, double ExamplesPerSecond, string TunedCheckpoint, string FinalCheckpoint);

/// <summary>Input of Evaluate.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shards">The compacted shards.</param>
/// <param name="ShippedCheckpoint">The candidate: the checkpoint that ExportOnnx will ship (<see cref="TrainResult.FinalCheckpoint"/>).</param>
/// <param name="PromotionMargin">How much the candidate may lose to the live model.</param>
/// <param name="RequireLiveComparison">Reject the candidate when a live model exists but was not compared.</param>
public sealed record EvaluateInput(string RunId, IReadOnlyList<string> Shards, string ShippedCheckpoint, double PromotionMargin, bool RequireLiveComparison = false);

/// <summary>Output of Evaluate: the promotion gate's decision and the numbers behind it (the TEST slice, scored on the shipped model).</summary>
/// <param name="Promote">Whether the candidate may go live.</param>
/// <param name="Reason">Why, with the numbers.</param>
/// <param name="Candidate">The candidate's metrics.</param>
/// <param name="Popularity">The popularity baseline's metrics.</param>
/// <param name="Live">The live model's metrics on fresh users, when compared.</param>
/// <param name="LiveVersion">The live version, when there is one.</param>
/// <param name="LiveComparisonSkipped">Why a live model that exists was not compared (<see langword="null"/> when compared or when there is none).</param>
public sealed record EvaluateResult(bool Promote, string Reason, RankingMetrics Candidate, RankingMetrics Popularity, RankingMetrics? Live, string? LiveVersion, string? LiveComparisonSkipped = null);

/// <summary>Input of ExportOnnx.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shards">The compacted shards.</param>
/// <param name="FinalCheckpoint">The model to export.</param>
/// <param name="Version">The version to write.</param>
/// <param name="Evaluation">The gate's numbers, for the manifest.</param>
/// <param name="RunStart">The run's "now": the data cutoff written into the manifest is never later.</param>
public sealed record ExportInput(string RunId, IReadOnlyList<string> Shards, string FinalCheckpoint, string Version, EvaluateResult Evaluation, DateTimeOffset? RunStart = null);

/// <summary>Output of ExportOnnx.</summary>
public sealed record ExportResult(string Version, int ItemCount, int Dimensions);

/// <summary>Input of IndexItems: one range of a version's items.</summary>
public sealed record IndexItemsInput(string Version, int Start, int Count);

/// <summary>Input of Activate.</summary>
public sealed record ActivateInput(string Version, int ExpectedItems);

/// <summary>What a retraining run did: <c>runs/&lt;runId&gt;.json</c>.</summary>
public sealed record RetrainRunRecord
{
    /// <summary>Gets the run id (<c>yyyyMMdd-HHmmss-…</c>, UTC start time first); the record is <c>runs/&lt;runId&gt;.json</c>.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets who started the run: <c>timer</c>, <c>admin</c> or <c>cli</c>; <c>rollback</c> for an activation by an operator.</summary>
    public required string Trigger { get; init; }

    /// <summary>Gets when the run started (orchestration time).</summary>
    public required DateTimeOffset Started { get; init; }

    /// <summary>Gets when the run ended (set in every written record).</summary>
    public DateTimeOffset? Finished { get; init; }

    /// <summary>Gets the outcome: activated, rejected, no-data or failed (running only while the run is in progress).</summary>
    public required RunOutcome Outcome { get; init; }

    /// <summary>Gets the version the run made live (a retraining that activated one, or a rollback); null otherwise.</summary>
    public string? Version { get; init; }

    /// <summary>Gets why the run ended as it did: the gate's decision with its numbers, or the failed step and its error.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets the step (activity) a failed run stopped in (<see langword="null"/> unless the outcome is failed).</summary>
    public string? FailedStep { get; init; }

    /// <summary>Gets the kind of failure: the full name of the exception the step threw after its retries (never shown to readers as is; see <see cref="RetrainFailureText"/>).</summary>
    public string? FailureType { get; init; }

    /// <summary>Gets the failed step's own message (technical detail).</summary>
    public string? FailureMessage { get; init; }

    /// <summary>Gets the run's "now": the training window ends there, and events later than it plus the allowed skew are quarantined.</summary>
    public DateTimeOffset? RunStart { get; init; }

    /// <summary>Gets the first instant of the training window (<see langword="null"/>: every log blob was read).</summary>
    public DateTimeOffset? WindowStart { get; init; }

    /// <summary>Gets how many log blobs the window held.</summary>
    public int LogBlobs { get; init; }

    /// <summary>Gets how many scratch blobs of earlier runs that never finished were deleted.</summary>
    public int StaleScratchBlobsRemoved { get; init; }

    /// <summary>Gets how many data lines the compaction read from the log blobs.</summary>
    public long Lines { get; init; }

    /// <summary>Gets how many lines were accepted into the compacted shards.</summary>
    public long Accepted { get; init; }

    /// <summary>Gets how many lines were quarantined.</summary>
    public long Rejected { get; init; }

    /// <summary>Gets the quarantined lines per reason (e.g. <c>bad-value</c>, <c>future-timestamp</c>).</summary>
    public IReadOnlyDictionary<string, long> RejectedByReason { get; init; } = new Dictionary<string, long>();

    /// <summary>Gets the size of the dataset built from the shards; null when the run stopped before building it.</summary>
    public DatasetSummary? Dataset { get; init; }

    /// <summary>Gets what the purge of forgotten users' lines did (<see langword="null"/> when it did not run or failed).</summary>
    public PurgeForgottenResult? Purge { get; init; }

    /// <summary>Gets how many lines of forgotten users were erased from <c>events/</c> and <c>quarantine/</c>.</summary>
    public long PurgedLines { get; init; }

    /// <summary>Gets how many blobs were rewritten without forgotten users' lines.</summary>
    public int PurgedBlobs { get; init; }

    /// <summary>Gets why the purge failed after its retries (the run went on; nothing was deleted; the next run tries again).</summary>
    public string? PurgeError { get; init; }

    /// <summary>Gets how many users' serving histories were brought up to date with the logs.</summary>
    public int SeededUsers { get; init; }

    /// <summary>Gets how many users' data failed a per-user step (their hashed ids and reasons are in <c>quarantine/&lt;runId&gt;/users.jsonl</c>); the run went on without them.</summary>
    public int QuarantinedUsers { get; init; }

    /// <summary>Gets why a live model that exists was not compared with the candidate (<see langword="null"/> when it was, or when there is none).</summary>
    public string? LiveComparisonSkipped { get; init; }

    /// <summary>Gets the online metrics of the days before the run (impressions, CTR@10, conversions, exposure), per model version, arm and source.</summary>
    public OnlineMetricsResult? OnlineMetrics { get; init; }

    /// <summary>Gets why the online metrics could not be computed (the run went on without them).</summary>
    public string? OnlineMetricsError { get; init; }

    /// <summary>Gets how many impression log blobs older than the retention were deleted.</summary>
    public int ImpressionBlobsExpired { get; init; }

    /// <summary>Gets why old impression log blobs could not be deleted (the run went on; the next run tries again).</summary>
    public string? ImpressionExpiryError { get; init; }

    /// <summary>Gets what training did (epochs, losses, validation curve, checkpoints); null when the run stopped before training.</summary>
    public TrainResult? Training { get; init; }

    /// <summary>Gets the promotion gate's decision and metrics; null when the run stopped before evaluating.</summary>
    public EvaluateResult? Evaluation { get; init; }

    /// <summary>Gets the wall time of each step in seconds (orchestration time, replay-safe).</summary>
    public IReadOnlyDictionary<string, double> StepSeconds { get; init; } = new Dictionary<string, double>();
}
