using System.ComponentModel.DataAnnotations;

namespace ServerlessRec.Pipeline;

/// <summary>Options of the retraining orchestration, bound from the <c>Retrain</c> section.</summary>
public sealed class RetrainOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Retrain";

    /// <summary>The default of <see cref="WindowDays"/>.</summary>
    public const int DefaultWindowDays = 180;

    /// <summary>Gets or sets how many log blobs one Compact activity reads.</summary>
    /// <value>The default is 8.</value>
    [Range(1, 10000)]
    public int BlobsPerShard { get; set; } = 8;

    /// <summary>Gets or sets how much NDCG@10 on the gate's TEST events a candidate may lose to the live model and still go live.</summary>
    /// <value>The default is 0.002.</value>
    [Range(0.0, 1.0)]
    public double PromotionMargin { get; set; } = 0.002;

    /// <summary>Gets or sets how many items one IndexItems activity uploads.</summary>
    /// <value>The default is 50,000.</value>
    [Range(1, 10_000_000)]
    public int ItemsPerIndexActivity { get; set; } = 50_000;

    /// <summary>
    /// Gets or sets how many model versions are kept (the live one and the most recent others) for rollback: their
    /// blobs under <c>models/</c> and their index, in either search backend (the one retention setting).
    /// </summary>
    /// <value>The default is 3.</value>
    [Range(1, 100)]
    public int KeepVersions { get; set; } = 3;

    /// <summary>
    /// Gets or sets how long after an activation the previously live version is kept whatever <see cref="KeepVersions"/>
    /// says: serving instances re-read the live pointer every 5 s and finish the requests they started on the old index,
    /// and one that is slow to load the new model keeps serving the old one meanwhile. Cleanup runs right after
    /// activation, so in practice the next run deletes it.
    /// </summary>
    /// <value>The default is 10 minutes (120 pointer refreshes, ample for a cold start and requests in flight).</value>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan PreviousVersionGracePeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets or sets the training window: only log blobs in the day folders (<c>yyyy/MM/dd/</c>) of the last this many
    /// days before the run start are read; 0 reads every log blob ever written.
    /// </summary>
    /// <value>The default is 180 days.</value>
    [Range(0, 36_500)]
    public int WindowDays { get; set; } = DefaultWindowDays;

    /// <summary>
    /// Gets or sets how far past the run start an event's timestamp may be (clocks of other systems drift); later
    /// events are quarantined as <c>future-timestamp</c>, so one line dated 2099 cannot become the model's data cutoff.
    /// </summary>
    /// <value>The default is 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan FutureTimestampSkew { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets a value indicating whether a candidate is rejected when a live model exists but could not be
    /// compared with it (too few validation users with events newer than its data cutoff).
    /// </summary>
    /// <value>The default is <see langword="false"/>: the candidate only has to beat popularity then, and the run record says why the comparison was skipped.</value>
    public bool RequireLiveComparison { get; set; }

    /// <summary>The default of <see cref="OnlineMetricsDays"/>.</summary>
    public const int DefaultOnlineMetricsDays = 1;

    /// <summary>
    /// Gets or sets how many days before a run's start its online-metrics step reads (impressions of the impression log,
    /// events that carry a <c>recommendationId</c>); 0 skips the step.
    /// </summary>
    /// <value>The default is 1 day (retraining runs daily: each run reports the day since the one before).</value>
    [Range(0, 31)]
    public int OnlineMetricsDays { get; set; } = DefaultOnlineMetricsDays;

    /// <summary>The default of <see cref="ImpressionRetentionDays"/>.</summary>
    public const int DefaultImpressionRetentionDays = 30;

    /// <summary>
    /// Gets or sets how many days of the impression log (<c>impressions/yyyy/MM/dd/</c>) every run keeps; older day folders
    /// are deleted (never fewer days than <see cref="OnlineMetricsDays"/> reads). The records name users by a keyed hash
    /// only, and this bounds how long even that is kept.
    /// </summary>
    /// <value>The default is 30 days.</value>
    [Range(1, 3650)]
    public int ImpressionRetentionDays { get; set; } = DefaultImpressionRetentionDays;

    /// <summary>The default of <see cref="ChallengerMinImpressions"/>.</summary>
    public const long DefaultChallengerMinImpressions = 1000;

    /// <summary>
    /// Gets or sets how many impressions at positions 0–9 each arm (champion, challenger) needs in the online-metrics window
    /// before the comparison's verdict can be <c>better</c> or <c>worse</c>; with fewer it is <c>inconclusive</c>.
    /// </summary>
    /// <value>The default is 1,000: at CTRs near 5%, the 95% interval is then about ±2 points wide.</value>
    [Range(1, 1_000_000_000)]
    public long ChallengerMinImpressions { get; set; } = DefaultChallengerMinImpressions;

    /// <summary>
    /// Gets or sets a value indicating whether a retraining promotes the challenger on its own when the online-metrics
    /// comparison says <c>better</c>: the 95% interval of the CTR@10 lift is above 0 and each arm has at least
    /// <see cref="ChallengerMinImpressions"/> impressions at positions 0–9. The promotion is the one of
    /// <c>POST /api/models/challenger/promote</c> (trigger <c>promotion</c>, the run id as who, the lift as why), and it
    /// happens before training, so the run's own candidate is then gated against the promoted version.
    /// </summary>
    /// <value>The default is <see langword="false"/>: the comparison is reported and an operator promotes.</value>
    public bool AutoPromoteChallenger { get; set; }

    /// <summary>Gets or sets how many attempts an activity gets before the run fails.</summary>
    /// <value>The default is 3.</value>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Gets or sets the first retry delay.</summary>
    /// <value>The default is 2 seconds.</value>
    public TimeSpan FirstRetryInterval { get; set; } = TimeSpan.FromSeconds(2);
}
