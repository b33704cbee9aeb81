using ServerlessRec.Evaluation;

namespace ServerlessRec.Pipeline;

/// <summary>Output of Evaluate: the promotion gate's decision and the numbers behind it (the TEST slice, scored on the shipped model).</summary>
/// <param name="Promote">Whether the candidate may go live.</param>
/// <param name="Reason">Why, with the numbers.</param>
/// <param name="Candidate">The candidate's metrics.</param>
/// <param name="Popularity">The popularity baseline's metrics.</param>
/// <param name="Live">The live model's metrics on fresh users, when compared.</param>
/// <param name="LiveVersion">The live version, when there is one.</param>
/// <param name="LiveComparisonSkipped">Why a live model that exists was not compared (<see langword="null"/> when compared or when there is none).</param>
public sealed record EvaluateResult(bool Promote, string Reason, RankingMetrics Candidate, RankingMetrics Popularity, RankingMetrics? Live, string? LiveVersion, string? LiveComparisonSkipped = null);
