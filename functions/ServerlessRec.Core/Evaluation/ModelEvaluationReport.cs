using ServerlessRec.Training;

namespace ServerlessRec.Evaluation;

/// <summary>The result of <see cref="ModelEvaluation.Run"/>: test metrics of the model and the popularity baseline.</summary>
public sealed record ModelEvaluationReport
{
    /// <summary>Gets the two-tower model's TEST metrics.</summary>
    public required RankingMetrics Model { get; init; }

    /// <summary>Gets the popularity baseline's TEST metrics.</summary>
    public required RankingMetrics Popularity { get; init; }

    /// <summary>Gets the model's best VALIDATION metrics (used to choose the epochs).</summary>
    public required RankingMetrics ModelValidation { get; init; }

    /// <summary>Gets the popularity baseline's VALIDATION metrics.</summary>
    public required RankingMetrics PopularityValidation { get; init; }

    /// <summary>Gets the number of epochs chosen on VALIDATION and used for the final training.</summary>
    public required int Epochs { get; init; }

    /// <summary>Gets the tuning run's per-epoch progress.</summary>
    public required IReadOnlyList<TrainingEpoch> TuningEpochs { get; init; }

    /// <summary>Gets the final training's throughput (examples/s).</summary>
    public required double TrainingExamplesPerSecond { get; init; }

    /// <summary>Gets the wall time of tuning, final training and evaluation.</summary>
    public required TimeSpan Elapsed { get; init; }
}
