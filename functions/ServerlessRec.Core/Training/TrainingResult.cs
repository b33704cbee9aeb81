namespace ServerlessRec.Training;

/// <summary>The outcome of a training run.</summary>
/// <param name="Model">The trained model (the best epoch's parameters when validating).</param>
/// <param name="Epochs">Per-epoch progress.</param>
/// <param name="BestEpoch">The epoch whose parameters were kept.</param>
/// <param name="Elapsed">Total wall time.</param>
public sealed record TrainingResult(TwoTowerModel Model, IReadOnlyList<TrainingEpoch> Epochs, int BestEpoch, TimeSpan Elapsed)
{
    /// <summary>Gets whether the kept parameters are the average of the weights over epochs rather than the weights.</summary>
    public bool BestIsAverage => Epochs.FirstOrDefault(e => e.Epoch == BestEpoch)?.Averaged ?? false;

    /// <summary>Gets the mean training throughput over all epochs.</summary>
    public double ExamplesPerSecond => Epochs.Count == 0 ? 0 : Epochs.Sum(e => (double)e.Examples) / Epochs.Sum(e => e.Elapsed.TotalSeconds);
}
