namespace ServerlessRec.Pipeline;

/// <summary>Output of ComputeOnlineMetrics: the groups of a window and what could not be counted.</summary>
/// <param name="From">The window's first instant.</param>
/// <param name="To">The instant after the window.</param>
/// <param name="Groups">One row per (model version, arm, source), ordered by them.</param>
/// <param name="UnattributedEvents">Events with a <c>recommendationId</c> of no logged response (a response not sampled, or older than the window).</param>
/// <param name="UnreadableLines">Impression log lines that were not records (named in the activity's log).</param>
public sealed record OnlineMetricsResult(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<OnlineMetricsRow> Groups, long UnattributedEvents, long UnreadableLines)
{
    /// <summary>Gets champion against challenger on CTR@10 with a 95% interval and a verdict (<see langword="null"/>: no challenger impressions in the window).</summary>
    public ChallengerComparison? Challenge { get; init; }
}
