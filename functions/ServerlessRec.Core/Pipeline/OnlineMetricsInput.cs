namespace ServerlessRec.Pipeline;

/// <summary>Input of ComputeOnlineMetrics: the run and the window of days before its start.</summary>
/// <param name="RunId">The run.</param>
/// <param name="RunStart">The window ends here.</param>
/// <param name="Days">The window's length in days (it starts <paramref name="Days"/> days before <paramref name="RunStart"/>).</param>
/// <param name="ChallengerMinImpressions">The impressions each arm needs before the champion/challenger verdict can be other than inconclusive.</param>
public sealed record OnlineMetricsInput(string RunId, DateTimeOffset RunStart, int Days, long ChallengerMinImpressions = RetrainOptions.DefaultChallengerMinImpressions);
