using ServerlessRec.Training;

namespace ServerlessRec.Evaluation;

/// <summary>
/// Tune-then-refit, written once for <c>evaluate</c> (<see cref="ModelEvaluation"/>) and the retraining's train step:
/// train on TRAIN with early stopping on VALIDATION NDCG@10 (the best epoch's parameters kept), then train a fresh
/// model for that many epochs on more events, with no early stopping. The callers differ only in what they pass: the
/// users early stopping scores (all, or a fixed sample), the events the refit trains on (TRAIN+VALIDATION, or all but
/// the TEST events), whether they refit at all (<see cref="Refits"/>), and whether they persist progress to resume.
/// </summary>
public sealed class TuneThenRefit
{
    private readonly TwoTowerOptions _options;

    /// <summary>Creates the protocol for one set of training options (the refit takes them with its own epoch count).</summary>
    public TuneThenRefit(TwoTowerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>
    /// Tunes the epochs: trains on every user's TRAIN events, scoring the VALIDATION events of
    /// <paramref name="validationUsers"/> (the split itself, or a sample of its users) after every epoch, and stops after
    /// <see cref="TwoTowerOptions.Patience"/> epochs without improvement. <paramref name="resume"/> and
    /// <paramref name="onProgress"/> let a caller persist the early-stopping state and continue it after a crash.
    /// </summary>
    public TrainingResult Tune(
        InteractionDataset data,
        LeaveLastOutSplit split,
        LeaveLastOutSplit validationUsers,
        Action<TrainingEpoch>? onEpoch = null,
        TrainingProgress? resume = null,
        Action<TrainingProgress>? onProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(validationUsers);
        return new TwoTowerTrainer(_options).Train(
            data,
            split.TrainEnds,
            model => RankingEvaluator.Evaluate(validationUsers, HeldOut.Validation, new TwoTowerScorer(model, data, _options)).NdcgAt10,
            onEpoch,
            resume,
            onProgress,
            cancellationToken);
    }

    /// <summary>
    /// Whether the retraining refits a dataset of this size (at most <see cref="TwoTowerOptions.RefitMaxEvents"/>
    /// events); above it the tuned model ships, and the refit would double the training time for little gain.
    /// </summary>
    public bool Refits(InteractionDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.EventCount <= _options.RefitMaxEvents;
    }

    /// <summary>
    /// The refit's options: the tuned options, for <paramref name="bestEpoch"/> epochs (at least one), yielding the average
    /// of the weights over epochs only when the tuning kept the average (<paramref name="bestIsAverage"/>).
    /// </summary>
    public TwoTowerOptions RefitOptions(int bestEpoch, bool bestIsAverage)
    {
        var refit = _options.Clone();
        refit.Epochs = Math.Max(1, bestEpoch);
        if (!bestIsAverage)
        {
            refit.WeightAveraging = 0;
        }

        return refit;
    }

    /// <summary>
    /// Refits: a fresh model trained for <paramref name="bestEpoch"/> epochs on the first <paramref name="refitEnds"/>[u]
    /// events of each user, with no early stopping; it yields the average of the weights when <paramref name="bestIsAverage"/>. <paramref name="resume"/> and <paramref name="onCheckpoint"/> let a
    /// caller persist it after every epoch and continue it after a crash.
    /// </summary>
    public TrainingResult Refit(
        InteractionDataset data,
        ReadOnlySpan<int> refitEnds,
        int bestEpoch,
        bool bestIsAverage,
        Action<TrainingEpoch>? onEpoch = null,
        TwoTowerCheckpoint? resume = null,
        Action<TwoTowerCheckpoint>? onCheckpoint = null,
        CancellationToken cancellationToken = default) =>
        new TwoTowerTrainer(RefitOptions(bestEpoch, bestIsAverage)).Train(data, refitEnds, null, onEpoch, resume, onCheckpoint, cancellationToken);
}
