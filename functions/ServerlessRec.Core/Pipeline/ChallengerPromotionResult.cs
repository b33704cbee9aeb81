namespace ServerlessRec.Pipeline;

/// <summary>What the retraining's automatic promotion of the challenger did (<see cref="RetrainOptions.AutoPromoteChallenger"/>).</summary>
/// <param name="Promoted">True when the challenger became the live version (or already had, by this run's earlier attempt).</param>
/// <param name="Version">The challenger version the comparison measured.</param>
/// <param name="PreviousVersion">The live version it replaced (<see langword="null"/> when it was not promoted).</param>
/// <param name="PromotionRunId">The promotion's own record in <c>runs/</c> (<see langword="null"/> when it was not promoted, or on a retry that found it done).</param>
/// <param name="Reason">Why it was promoted (the lift and its interval), or why not.</param>
public sealed record ChallengerPromotionResult(bool Promoted, string Version, string? PreviousVersion, string? PromotionRunId, string Reason);
