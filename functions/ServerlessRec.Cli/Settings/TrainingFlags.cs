using System.CommandLine.Parsing;
using ServerlessRec.Pipeline;
using ServerlessRec.Training;

namespace ServerlessRec.Cli.Settings;

/// <summary>
/// The flags of <see cref="TwoTowerOptions"/> (section <c>Training</c>) and <see cref="RetrainOptions"/> (section
/// <c>Retrain</c>) shared by evaluate, retrain, serve, demo and simulate: names only; defaults, ranges and
/// descriptions come from the options classes (<see cref="SettingFlags{TOptions}"/>).
/// </summary>
internal static class TrainingFlags
{
    /// <summary>Creates the training flags.</summary>
    /// <param name="context">The run.</param>
    /// <param name="baseline">A command's own starting point before configuration (simulate trains a smaller model); the class defaults when null.</param>
    /// <param name="seed">Whether <c>--seed</c> is a training flag (demo and simulate use <c>--seed</c> for their data and pass it on).</param>
    public static SettingFlags<TwoTowerOptions> Create(CliContext context, Func<TwoTowerOptions>? baseline = null, bool seed = true)
    {
        var flags = new SettingFlags<TwoTowerOptions>(context, TwoTowerOptions.SectionName, baseline);
        flags.Add<int>("--dim", nameof(TwoTowerOptions.Dimensions));
        flags.Add<int>("--hidden", nameof(TwoTowerOptions.HiddenDimensions));
        flags.Add<int>("--history", nameof(TwoTowerOptions.HistoryLength));
        flags.Add<double>("--half-life-days", nameof(TwoTowerOptions.DecayHalfLifeDays));
        flags.Add<double>("--session-gap-minutes", nameof(TwoTowerOptions.SessionGapMinutes));
        flags.Add<int>("--session-max", nameof(TwoTowerOptions.SessionMaxEvents));
        flags.Add<double>("--session-position-decay", nameof(TwoTowerOptions.SessionPositionDecay));
        flags.Add<float>("--temperature", nameof(TwoTowerOptions.Temperature));
        flags.Add("--loss", nameof(TwoTowerOptions.Loss), ParseLoss, "softmax|sigmoid");
        flags.AddOffSwitch("--no-logq", nameof(TwoTowerOptions.LogQCorrection));
        flags.Add<int>("--negatives", nameof(TwoTowerOptions.SampledNegatives));
        flags.Add<float>("--id-dropout", nameof(TwoTowerOptions.IdDropout));
        flags.Add<float>("--hard-negative-weight", nameof(TwoTowerOptions.HardNegativeWeight));
        flags.Add<double>("--weight-averaging", nameof(TwoTowerOptions.WeightAveraging));
        flags.Add<int>("--feature-buckets", nameof(TwoTowerOptions.FeatureBuckets));
        flags.Add<float>("--lr", nameof(TwoTowerOptions.LearningRate));
        flags.Add<float>("--weight-decay", nameof(TwoTowerOptions.WeightDecay));
        flags.Add<int>("--batch", nameof(TwoTowerOptions.BatchSize));
        flags.Add<int>("--epochs", nameof(TwoTowerOptions.Epochs));
        flags.Add<int>("--patience", nameof(TwoTowerOptions.Patience));
        flags.Add<int>("--refit-max-events", nameof(TwoTowerOptions.RefitMaxEvents));
        flags.Add<int>("--early-stopping-users", nameof(TwoTowerOptions.EarlyStoppingUsers));
        flags.Add<int>("--gate-users", nameof(TwoTowerOptions.GateUsers));
        flags.Add<int>("--threads", nameof(TwoTowerOptions.Threads));
        if (seed)
        {
            flags.Add<int>("--seed", nameof(TwoTowerOptions.Seed));
        }

        return flags;
    }

    /// <summary>Creates the retraining flags (<c>--keep</c>, <c>--margin</c>, <c>--window-days</c>, <c>--require-live-comparison</c>).</summary>
    /// <param name="context">The run.</param>
    /// <param name="baseline">A command's own starting point before configuration (demo reads every log: window 0); the class defaults when null.</param>
    public static SettingFlags<RetrainOptions> CreateRetrain(CliContext context, Func<RetrainOptions>? baseline = null)
    {
        var flags = new SettingFlags<RetrainOptions>(context, RetrainOptions.SectionName, baseline);
        flags.Add<int>("--keep", nameof(RetrainOptions.KeepVersions));
        flags.Add<double>("--margin", nameof(RetrainOptions.PromotionMargin));
        flags.Add<int>("--window-days", nameof(RetrainOptions.WindowDays));
        flags.Add<bool>("--require-live-comparison", nameof(RetrainOptions.RequireLiveComparison));
        return flags;
    }

    private static TwoTowerLoss ParseLoss(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        switch (text)
        {
            case "softmax":
                return TwoTowerLoss.InBatchSoftmax;
            case "sigmoid":
                return TwoTowerLoss.SampledSigmoid;
            default:
                if (Enum.TryParse<TwoTowerLoss>(text, ignoreCase: true, out var loss) && Enum.IsDefined(loss))
                {
                    return loss;
                }

                result.AddError($"--loss must be softmax or sigmoid, got \"{text}\".");
                return default;
        }
    }
}
