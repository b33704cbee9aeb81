namespace ServerlessRec.Training;

/// <summary>
/// Where a training run stands after an epoch: enough to resume it after a crash with the same early stopping, so a
/// retried Train activity picks up the tuning phase where it stopped instead of starting over (Adam's moments restart).
/// </summary>
/// <param name="Current">The parameters after <see cref="TwoTowerCheckpoint.Epoch"/>.</param>
/// <param name="Best">The best epoch's parameters so far (null when not validating, or before the first validation).</param>
/// <param name="BestEpoch">The epoch of <paramref name="Best"/> (the last epoch when not validating).</param>
/// <param name="BestScore">The validation score of <paramref name="Best"/>.</param>
/// <param name="Epochs">Every epoch so far, in order.</param>
/// <param name="Finished">True once early stopping (or the last epoch) ended the run.</param>
public sealed record TrainingProgress(
    TwoTowerCheckpoint Current,
    TwoTowerModel? Best,
    int BestEpoch,
    double BestScore,
    IReadOnlyList<TrainingEpoch> Epochs,
    bool Finished);
