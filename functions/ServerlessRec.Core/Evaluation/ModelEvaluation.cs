using System.Diagnostics;
using ServerlessRec.Training;

namespace ServerlessRec.Evaluation;

/// <summary>
/// The evaluation protocol end to end: tune the number of epochs on VALIDATION, retrain on
/// TRAIN+VALIDATION, and report TEST metrics for the model and the popularity baseline.
/// </summary>
public static class ModelEvaluation
{
    /// <summary>Runs the protocol on a dataset.</summary>
    public static ModelEvaluationReport Run(InteractionDataset data, TwoTowerOptions options, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var watch = Stopwatch.StartNew();
        var split = LeaveLastOutSplit.Create(data);
        if (split.Users.Length == 0)
        {
            throw new InvalidDataException("no user has 3 or more positive events: nothing to evaluate");
        }

        progress?.Invoke($"{data.UserCount:N0} users, {data.ItemCount:N0} items, {data.EventCount:N0} events; {split.Users.Length:N0} users evaluated");
        var popularityValidation = RankingEvaluator.Evaluate(split, HeldOut.Validation, new PopularityScorer(data, split.TrainEnds));

        progress?.Invoke("tuning epochs on VALIDATION");
        var protocol = new TuneThenRefit(options);
        var tuning = protocol.Tune(data, split, split, epoch => progress?.Invoke(FormatEpoch(epoch)), cancellationToken: cancellationToken);
        var modelValidation = RankingEvaluator.Evaluate(split, HeldOut.Validation, new TwoTowerScorer(tuning.Model, data, options));

        // Every user's VALIDATION event joins the refit; TEST stays out for the report.
        var final = protocol.RefitOptions(tuning.BestEpoch, tuning.BestIsAverage);
        progress?.Invoke($"retraining on TRAIN+VALIDATION for {final.Epochs} epochs");
        var trained = protocol.Refit(data, split.TrainValidationEnds, tuning.BestEpoch, tuning.BestIsAverage, epoch => progress?.Invoke(FormatEpoch(epoch)), cancellationToken: cancellationToken);

        return new ModelEvaluationReport
        {
            Model = RankingEvaluator.Evaluate(split, HeldOut.Test, new TwoTowerScorer(trained.Model, data, options)),
            Popularity = RankingEvaluator.Evaluate(split, HeldOut.Test, new PopularityScorer(data, split.TrainValidationEnds)),
            ModelValidation = modelValidation,
            PopularityValidation = popularityValidation,
            Epochs = final.Epochs,
            TuningEpochs = tuning.Epochs,
            TrainingExamplesPerSecond = trained.ExamplesPerSecond,
            Elapsed = watch.Elapsed,
        };
    }

    /// <summary>Formats one epoch's progress line.</summary>
    public static string FormatEpoch(TrainingEpoch epoch) =>
        $"epoch {epoch.Epoch,3}: loss {epoch.Loss:F4}, {epoch.ExamplesPerSecond:N0} examples/s, {epoch.Elapsed.TotalSeconds:F1} s"
        + (epoch.ValidationNdcgAt10 is { } ndcg ? $", validation NDCG@10 {ndcg:F4}{(epoch.Averaged ? TrainingEpoch.AveragedLabel : string.Empty)}" : string.Empty);
}
