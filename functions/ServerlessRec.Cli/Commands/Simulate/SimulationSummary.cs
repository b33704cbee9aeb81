namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>The run's totals and the verdict on the targets of "Day 30 in production".</summary>
internal sealed record SimulationSummary
{
    public int Days { get; init; }

    public double Seconds { get; init; }

    public long Posted { get; init; }

    public long Acknowledged { get; init; }

    public long Logged { get; init; }

    public long Lost { get; init; }

    public int FailedRetrains { get; init; }

    public int EarlyDay { get; init; }

    public int LateDay { get; init; }

    /// <summary>Gets the last day's retraining time over the early day's (target ≤ 1.25 at constant daily volume).</summary>
    public double RetrainGrowth { get; init; }

    /// <summary>Gets the histories seeded per user with new bulk events (about 1 when seeding follows new data only).</summary>
    public double SeededPerBulkUser { get; init; }

    public required IReadOnlyList<string> Missed { get; init; }

    public bool TargetsMet => Missed.Count == 0;
}
