namespace ServerlessRec.Pipeline;

/// <summary>What starts a retraining run. The orchestrator reads no configuration, so the settings travel in the input.</summary>
/// <param name="Trigger">Who started it: "timer", "admin", "cli".</param>
/// <param name="Settings">The retraining options in force when it started.</param>
/// <param name="RunStart">
/// The run's "now" for the training window and the future-timestamp limit, taken from the starter's
/// <see cref="TimeProvider"/> (so a simulated clock drives them); <see langword="null"/>: the orchestration's first
/// <c>CurrentUtcDateTime</c>. Either way every activity gets the same value, on every retry.
/// </param>
public sealed record RetrainInput(string Trigger, RetrainSettings Settings, DateTimeOffset? RunStart = null)
{
    /// <summary>Creates the input from the configured options.</summary>
    public static RetrainInput From(string trigger, RetrainOptions options, DateTimeOffset? runStart = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new RetrainSettings(options.BlobsPerShard, options.PromotionMargin, options.ItemsPerIndexActivity, options.KeepVersions, options.MaxAttempts, options.FirstRetryInterval.TotalMilliseconds)
        {
            WindowDays = options.WindowDays,
            FutureSkewSeconds = options.FutureTimestampSkew.TotalSeconds,
            RequireLiveComparison = options.RequireLiveComparison,
            GraceSeconds = options.PreviousVersionGracePeriod.TotalSeconds,
            OnlineMetricsDays = options.OnlineMetricsDays,
            ImpressionRetentionDays = options.ImpressionRetentionDays,
            ChallengerMinImpressions = options.ChallengerMinImpressions,
            AutoPromoteChallenger = options.AutoPromoteChallenger,
        };
        return new RetrainInput(trigger, settings, runStart);
    }
}
