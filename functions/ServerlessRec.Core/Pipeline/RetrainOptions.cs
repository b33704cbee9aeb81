using System.ComponentModel.DataAnnotations;

namespace ServerlessRec.Pipeline;

/// <summary>Options of the retraining orchestration, bound from the <c>Retrain</c> section.</summary>
public sealed class RetrainOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Retrain";

    /// <summary>Gets or sets how many log blobs one Compact activity reads.</summary>
    /// <value>The default is 8.</value>
    [Range(1, 10000)]
    public int BlobsPerShard { get; set; } = 8;

    /// <summary>Gets or sets how much NDCG@10 (VALIDATION) a candidate may lose to the live model and still go live.</summary>
    /// <value>The default is 0.002.</value>
    [Range(0.0, 1.0)]
    public double PromotionMargin { get; set; } = 0.002;

    /// <summary>Gets or sets how many items one IndexItems activity uploads.</summary>
    /// <value>The default is 50,000.</value>
    [Range(1, 10_000_000)]
    public int ItemsPerIndexActivity { get; set; } = 50_000;

    /// <summary>Gets or sets how many model versions are kept (the live one and the most recent others) for rollback.</summary>
    /// <value>The default is 3.</value>
    [Range(1, 100)]
    public int KeepVersions { get; set; } = 3;

    /// <summary>Gets or sets how many attempts an activity gets before the run fails.</summary>
    /// <value>The default is 3.</value>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Gets or sets the first retry delay.</summary>
    /// <value>The default is 2 seconds.</value>
    public TimeSpan FirstRetryInterval { get; set; } = TimeSpan.FromSeconds(2);
}
