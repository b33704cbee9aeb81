using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands;

/// <summary>Reads the training hyper-parameter flags shared by evaluate, retrain and bench.</summary>
internal static class TrainingOptionsBinder
{
    public const string Usage = "[--dim 64] [--hidden 128] [--history 100] [--half-life-days 30] [--session-gap-minutes 30] [--session-max 10] [--temperature 0.1] [--loss softmax|sigmoid] [--no-logq] [--negatives 512] [--id-dropout 0.1] [--lr 0.004] [--weight-decay 0] [--batch 256] [--epochs 20] [--patience 3] [--refit-max-events 2000000] [--threads 0] [--seed 42]";

    /// <summary>Reads the flags; an absent flag takes its value from <paramref name="defaults"/> (the option defaults when null).</summary>
    public static TwoTowerOptions Bind(CliArguments args, TwoTowerOptions? defaults = null)
    {
        defaults ??= new TwoTowerOptions();
        return new TwoTowerOptions
        {
            Dimensions = args.Int("dim", defaults.Dimensions, 4, 1024),
            HiddenDimensions = args.Int("hidden", defaults.HiddenDimensions, 4, 4096),
            HistoryLength = args.Int("history", defaults.HistoryLength, 1, 4096),
            DecayHalfLifeDays = args.Double("half-life-days", defaults.DecayHalfLifeDays, 0.001, 36500),
            SessionGapMinutes = args.Double("session-gap-minutes", defaults.SessionGapMinutes, 0, 525600),
            SessionMaxEvents = args.Int("session-max", defaults.SessionMaxEvents, 1, 4096),
            Temperature = (float)args.Double("temperature", defaults.Temperature, 0.001, 10),
            Loss = args.String("loss", defaults.Loss == TwoTowerLoss.SampledSigmoid ? "sigmoid" : "softmax") switch
            {
                "softmax" => TwoTowerLoss.InBatchSoftmax,
                "sigmoid" => TwoTowerLoss.SampledSigmoid,
                var other => throw new CliUsageException($"--loss must be softmax or sigmoid, got \"{other}\"."),
            },
            LogQCorrection = defaults.LogQCorrection && !args.Flag("no-logq"),
            SampledNegatives = args.Int("negatives", defaults.SampledNegatives, 0, 100000),
            IdDropout = (float)args.Double("id-dropout", defaults.IdDropout, 0, 1),
            LearningRate = (float)args.Double("lr", defaults.LearningRate, 1e-6, 1),
            WeightDecay = (float)args.Double("weight-decay", defaults.WeightDecay, 0, 1),
            BatchSize = args.Int("batch", defaults.BatchSize, 2, 65536),
            Epochs = args.Int("epochs", defaults.Epochs, 1, 10000),
            Patience = args.Int("patience", defaults.Patience, 1, 10000),
            RefitMaxEvents = args.Int("refit-max-events", defaults.RefitMaxEvents, 0, int.MaxValue),
            Threads = args.Int("threads", defaults.Threads, 0, 1024),
            Seed = args.Int("seed", defaults.Seed),
        };
    }
}
