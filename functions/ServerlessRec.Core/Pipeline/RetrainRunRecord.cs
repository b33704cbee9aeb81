namespace ServerlessRec.Pipeline;

/// <summary>What a retraining run did: <c>runs/&lt;runId&gt;.json</c>.</summary>
public sealed record RetrainRunRecord
{
    /// <summary>Gets the run id (<c>yyyyMMdd-HHmmss-…</c>, UTC start time first); the record is <c>runs/&lt;runId&gt;.json</c>.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets who started the run: <c>timer</c>, <c>admin</c> or <c>cli</c>; <c>rollback</c> for an activation by an operator; <c>promotion</c> for a promoted challenger.</summary>
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

    /// <summary>Gets the automatic promotion of the challenger (<see cref="RetrainOptions.AutoPromoteChallenger"/>): <see langword="null"/> when the rule was off or the comparison did not say <c>better</c>.</summary>
    public ChallengerPromotionResult? ChallengerPromotion { get; init; }

    /// <summary>Gets why the automatic promotion failed after its retries (the run went on against the live model it found).</summary>
    public string? ChallengerPromotionError { get; init; }

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
