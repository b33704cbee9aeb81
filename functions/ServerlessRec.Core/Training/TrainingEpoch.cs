namespace ServerlessRec.Training;

/// <summary>What one training epoch did: printed as progress and kept in the run report.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss.</param>
/// <param name="Examples">Training examples seen.</param>
/// <param name="ExamplesPerSecond">Throughput.</param>
/// <param name="Elapsed">Wall time of the epoch (without validation).</param>
/// <param name="ValidationNdcgAt10">Validation NDCG@10, when a validation function was given (the better of the weights and their average).</param>
/// <param name="Averaged">
/// True when the epoch's result is the average of the weights over epochs (<see cref="TwoTowerOptions.WeightAveraging"/>):
/// when validating, because the average scored higher than the weights themselves.
/// </param>
public sealed record TrainingEpoch(int Epoch, double Loss, long Examples, double ExamplesPerSecond, TimeSpan Elapsed, double? ValidationNdcgAt10, bool Averaged = false)
{
    /// <summary>What progress output appends to a validation score that is the average's (<see cref="Averaged"/>).</summary>
    public const string AveragedLabel = " (weights averaged over epochs)";
}
