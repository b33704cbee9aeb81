namespace ServerlessRec.Training;

/// <summary>What one training epoch did: printed as progress and kept in the run report.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss.</param>
/// <param name="Examples">Training examples seen.</param>
/// <param name="ExamplesPerSecond">Throughput.</param>
/// <param name="Elapsed">Wall time of the epoch (without validation).</param>
/// <param name="ValidationNdcgAt10">Validation NDCG@10, when a validation function was given.</param>
public sealed record TrainingEpoch(int Epoch, double Loss, long Examples, double ExamplesPerSecond, TimeSpan Elapsed, double? ValidationNdcgAt10);

/// <summary>The outcome of a training run.</summary>
/// <param name="Model">The trained model (the best epoch's parameters when validating).</param>
/// <param name="Epochs">Per-epoch progress.</param>
/// <param name="BestEpoch">The epoch whose parameters were kept.</param>
/// <param name="Elapsed">Total wall time.</param>
public sealed record TrainingResult(TwoTowerModel Model, IReadOnlyList<TrainingEpoch> Epochs, int BestEpoch, TimeSpan Elapsed)
{
    /// <summary>Gets the mean training throughput over all epochs.</summary>
    public double ExamplesPerSecond => Epochs.Count == 0 ? 0 : Epochs.Sum(e => (double)e.Examples) / Epochs.Sum(e => e.Elapsed.TotalSeconds);
}
