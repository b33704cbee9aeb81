namespace ServerlessRec.Pipeline;

/// <summary>Input of Evaluate.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Shards">The compacted shards.</param>
/// <param name="ShippedCheckpoint">The candidate: the checkpoint that ExportOnnx will ship (<see cref="TrainResult.FinalCheckpoint"/>).</param>
/// <param name="PromotionMargin">How much the candidate may lose to the live model.</param>
/// <param name="RequireLiveComparison">Reject the candidate when a live model exists but was not compared.</param>
public sealed record EvaluateInput(string RunId, IReadOnlyList<string> Shards, string ShippedCheckpoint, double PromotionMargin, bool RequireLiveComparison = false);
