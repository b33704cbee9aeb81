namespace ServerlessRec.Pipeline;

/// <summary>Input of AutoPromoteChallenger: the challenger version the run's comparison found better, and why.</summary>
/// <param name="RunId">The run (recorded as who promoted).</param>
/// <param name="Version">The challenger version the comparison measured; another challenger found at promotion time is not promoted.</param>
/// <param name="Reason">The lift and its interval, in words (recorded as why).</param>
public sealed record ChallengerPromotionInput(string RunId, string Version, string Reason);
