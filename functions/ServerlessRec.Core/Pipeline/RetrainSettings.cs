namespace ServerlessRec.Pipeline;

/// <summary>The retraining options as plain values (orchestration input).</summary>
public sealed record RetrainSettings(int BlobsPerShard, double PromotionMargin, int ItemsPerIndexActivity, int KeepVersions, int MaxAttempts, double FirstRetryMilliseconds)
{
    /// <summary>Gets the training window in days (0: all log blobs). See <see cref="RetrainOptions.WindowDays"/>.</summary>
    public int WindowDays { get; init; } = RetrainOptions.DefaultWindowDays;

    /// <summary>Gets how far past the run start a timestamp may be, in seconds. See <see cref="RetrainOptions.FutureTimestampSkew"/>.</summary>
    public double FutureSkewSeconds { get; init; } = 3600;

    /// <summary>Gets a value indicating whether a skipped live comparison rejects the candidate. See <see cref="RetrainOptions.RequireLiveComparison"/>.</summary>
    public bool RequireLiveComparison { get; init; }

    /// <summary>Gets the grace period of the previously live version, in seconds. See <see cref="RetrainOptions.PreviousVersionGracePeriod"/>.</summary>
    public double GraceSeconds { get; init; } = 600;

    /// <summary>Gets the online-metrics window in days (0: no online metrics). See <see cref="RetrainOptions.OnlineMetricsDays"/>.</summary>
    public int OnlineMetricsDays { get; init; } = RetrainOptions.DefaultOnlineMetricsDays;

    /// <summary>Gets the days of impression log kept. See <see cref="RetrainOptions.ImpressionRetentionDays"/>.</summary>
    public int ImpressionRetentionDays { get; init; } = RetrainOptions.DefaultImpressionRetentionDays;

    /// <summary>Gets the impressions each arm needs for a champion/challenger verdict. See <see cref="RetrainOptions.ChallengerMinImpressions"/>.</summary>
    public long ChallengerMinImpressions { get; init; } = RetrainOptions.DefaultChallengerMinImpressions;

    /// <summary>Gets a value indicating whether a <c>better</c> challenger is promoted by the run. See <see cref="RetrainOptions.AutoPromoteChallenger"/>.</summary>
    public bool AutoPromoteChallenger { get; init; }
}
