namespace ServerlessRec.Pipeline;

/// <summary>The wire names of <see cref="RunOutcome"/> for text outside JSON: logs, metrics tags, reports, CLI output.</summary>
public static class RunOutcomeExtensions
{
    /// <summary>Gets the name the outcome has in run records and HTTP answers (<c>no-data</c> for <see cref="RunOutcome.NoData"/>).</summary>
    public static string ToWireName(this RunOutcome outcome) => outcome switch
    {
        RunOutcome.Running => "running",
        RunOutcome.Activated => "activated",
        RunOutcome.Rejected => "rejected",
        RunOutcome.NoData => "no-data",
        RunOutcome.Failed => "failed",
        RunOutcome.Terminated => "terminated",
        RunOutcome.Unreadable => "unreadable",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "not a run outcome"),
    };
}
