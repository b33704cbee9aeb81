namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>One simulated day: its traffic, the night's retraining, and how serving behaved.</summary>
internal sealed record SimulatedDay
{
    public int Day { get; init; }

    public required string Date { get; init; }

    /// <summary>Gets the valid events clients posted over HTTP.</summary>
    public int Posted { get; init; }

    /// <summary>Gets the events the API acknowledged (202), counted once per post however often it was retried.</summary>
    public long Acknowledged { get; init; }

    /// <summary>Gets the events of the day found in the API event log once the day's posting is over.</summary>
    public long Logged { get; init; }

    /// <summary>Gets acknowledged events missing from the log.</summary>
    public long Lost { get; init; }

    /// <summary>
    /// Gets events in the log more often than they were acknowledged: a post whose log append succeeded but whose
    /// idempotency marker could not be updated (storage faults) is logged again by its retry; the copies are identical
    /// and the retraining counts them once.
    /// </summary>
    public long Duplicated { get; init; }

    /// <summary>Gets the poisoned posts by kind; a key ending in <c>-accepted-&lt;status&gt;</c> means the API did not refuse it.</summary>
    public required IReadOnlyDictionary<string, long> RejectedAtApi { get; init; }

    /// <summary>Gets the lines the night's retraining quarantined, by reason.</summary>
    public required IReadOnlyDictionary<string, long> Quarantined { get; init; }

    public int BulkEvents { get; init; }

    /// <summary>Gets the users with events in the night's bulk file.</summary>
    public int BulkUsers { get; init; }

    /// <summary>Gets the users whose serving history the retraining wrote.</summary>
    public int SeededUsers { get; init; }

    /// <summary>Gets the users the retraining quarantined (their history could not be written) instead of failing.</summary>
    public int QuarantinedUsers { get; init; }

    /// <summary>Gets the lines the night's purge erased (forgotten users' events, from logs and quarantine).</summary>
    public long ErasedLines { get; init; }

    public int TrainingEvents { get; init; }

    public required string RetrainOutcome { get; init; }

    public string? RetrainReason { get; init; }

    /// <summary>Gets the retraining's wall time, start request to completion.</summary>
    public double RetrainSeconds { get; init; }

    public required IReadOnlyDictionary<string, double> StepSeconds { get; init; }

    /// <summary>Gets the candidate's validation NDCG@10 in the night's run.</summary>
    public double? Ndcg10 { get; init; }

    public int Recommendations { get; init; }

    public long RecommendationErrors { get; init; }

    public double P50Ms { get; init; }

    public double P99Ms { get; init; }

    /// <summary>Gets the store operations of the day and its night, by <c>kind:container</c>.</summary>
    public required IReadOnlyDictionary<string, long> BlobOperations { get; init; }

    public long InjectedFaults { get; init; }

    public double WorkingSetMb { get; init; }
}
