using System.ComponentModel.DataAnnotations;

namespace ServerlessRec.Training;

/// <summary>Hyper-parameters of the two-tower model and its trainer, bound from the <c>Training</c> section.</summary>
/// <remarks>The defaults were chosen on MovieLens (ml-latest-small) validation data; see the README.</remarks>
public sealed class TwoTowerOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Training";

    /// <summary>The default number of feature hash buckets.</summary>
    public const int DefaultFeatureBuckets = 1024;

    /// <summary>Gets or sets the embedding and output dimension.</summary>
    /// <value>The default is 64.</value>
    [Range(4, 1024)]
    public int Dimensions { get; set; } = 64;

    /// <summary>Gets or sets the width of the user tower's hidden layer.</summary>
    /// <value>The default is 128.</value>
    [Range(4, 4096)]
    public int HiddenDimensions { get; set; } = 128;

    /// <summary>Gets or sets the number of most recent history events the user tower reads (the long-term pool).</summary>
    /// <value>The default is 100 events.</value>
    [Range(1, 4096)]
    public int HistoryLength { get; set; } = 100;

    /// <summary>Gets or sets the half-life of the time decay of the long-term pool, in days.</summary>
    /// <value>The default is 30 days.</value>
    [Range(0.001, 36500.0)]
    public double DecayHalfLifeDays { get; set; } = 30.0;

    /// <summary>Gets or sets the gap that ends a session, in minutes: the short-term pool reads the events since the last such gap.</summary>
    /// <value>The default is 30 minutes.</value>
    [Range(0.0, 525600.0)]
    public double SessionGapMinutes { get; set; } = 30.0;

    /// <summary>Gets or sets the cap on the short-term pool: the most recent events of the current session.</summary>
    /// <value>The default is 10 events.</value>
    [Range(1, 4096)]
    public int SessionMaxEvents { get; set; } = 10;

    /// <summary>
    /// Gets or sets how the short-term pool weighs its events by position: the newest positive counts its event weight,
    /// the one before it this factor times its weight, the next the factor squared, and so on. 1 weighs the session evenly.
    /// </summary>
    /// <value>The default is 0.7: the last three or four items carry most of the session.</value>
    [Range(0.01, 1.0)]
    public double SessionPositionDecay { get; set; } = 0.7;

    /// <summary>Gets or sets the softmax temperature.</summary>
    /// <value>The default is 0.1.</value>
    [Range(0.001, 10.0)]
    public float Temperature { get; set; } = 0.1f;

    /// <summary>Gets or sets the loss.</summary>
    /// <value>The default is <see cref="TwoTowerLoss.InBatchSoftmax"/>.</value>
    public TwoTowerLoss Loss { get; set; } = TwoTowerLoss.InBatchSoftmax;

    /// <summary>Gets or sets a value indicating whether in-batch logits are corrected by log sampling probability (logQ).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool LogQCorrection { get; set; } = true;

    /// <summary>
    /// Gets or sets the number of extra uniformly sampled negatives shared by a batch (mixed negative sampling):
    /// they reach the long tail that in-batch negatives (popular items) rarely cover.
    /// </summary>
    /// <value>The default is 512.</value>
    [Range(0, 100000)]
    public int SampledNegatives { get; set; } = 512;

    /// <summary>
    /// Gets or sets the weight of hard negatives: each training example gets one of the user's own rejected items (skip,
    /// dislike, a rating below <c>NegativeBelow</c>) from the training range as an extra candidate of its softmax only,
    /// its logit raised by ln(weight), so it counts as that many ordinary negatives (in the sigmoid loss: its term is
    /// scaled by the weight). 0 turns hard negatives off.
    /// </summary>
    /// <value>The default is 0 (see the README for the measurements behind it).</value>
    [Range(0.0, 1000.0)]
    public float HardNegativeWeight { get; set; }

    /// <summary>
    /// Gets or sets the decay of the average of the weights over epochs (Polyak averaging): after every epoch the average
    /// becomes decay × average + (1 − decay) × weights, and the average is what early stopping scores and what training
    /// returns; the optimiser keeps stepping the weights themselves. The decay ramps in as (epoch − 1) / (epoch + 1), so
    /// a run of few epochs is not dominated by its first. 0 turns it off (the last epoch's weights are used).
    /// It changes no exported graph, only which parameters are in it.
    /// </summary>
    /// <value>The default is 0.7, chosen on VALIDATION (see the README for the measurements behind it).</value>
    [Range(0.0, 0.99)]
    public double WeightAveraging { get; set; } = 0.7;

    /// <summary>Gets or sets the probability of dropping an item's id embedding in the item tower during training (cold-start robustness).</summary>
    /// <value>The default is 0.1.</value>
    [Range(0.0, 1.0)]
    public float IdDropout { get; set; } = 0.1f;

    /// <summary>Gets or sets the number of feature hash buckets for categories and tags.</summary>
    /// <value>The default is 1024.</value>
    [Range(1, 1 << 24)]
    public int FeatureBuckets { get; set; } = DefaultFeatureBuckets;

    /// <summary>Gets or sets the Adam learning rate.</summary>
    /// <value>The default is 0.004.</value>
    [Range(1e-6, 1.0)]
    public float LearningRate { get; set; } = 0.004f;

    /// <summary>Gets or sets the decoupled weight decay applied to the rows and weights a batch touches.</summary>
    /// <value>The default is 0.</value>
    [Range(0.0, 1.0)]
    public float WeightDecay { get; set; }

    /// <summary>Gets or sets the number of training examples per batch.</summary>
    /// <value>The default is 256.</value>
    [Range(2, 65536)]
    public int BatchSize { get; set; } = 256;

    /// <summary>Gets or sets the maximum number of epochs.</summary>
    /// <value>The default is 20.</value>
    [Range(1, 10000)]
    public int Epochs { get; set; } = 20;

    /// <summary>
    /// Gets or sets the largest dataset (in events) the retraining refits on all events after tuning the epochs on
    /// TRAIN. Above it the tuned model (best epoch) is the final model: the held-out last events are then a small
    /// share of the data, and skipping the refit halves the training time of large logs.
    /// </summary>
    /// <value>The default is 2,000,000.</value>
    [Range(0, int.MaxValue)]
    public int RefitMaxEvents { get; set; } = 2_000_000;

    /// <summary>
    /// Gets or sets how many validation users (a fixed-seed sample) the retraining's early stopping scores after each
    /// epoch; 0 scores every user. Ranking all items for every user each epoch grows as users × items; the promotion
    /// gate scores its own sample (<see cref="GateUsers"/>).
    /// </summary>
    /// <value>The default is 5,000 users.</value>
    [Range(0, int.MaxValue)]
    public int EarlyStoppingUsers { get; set; } = 5_000;

    /// <summary>
    /// Gets or sets how many users (a fixed-seed sample) the retraining's promotion gate scores on TEST, for the candidate
    /// and popularity, and at most as many of the users the live comparison uses; 0 scores every user. The gate ranks
    /// every item for every user, so its time grows as users × items: at 100k users and 1M items, all users took over
    /// an hour on 2 cores, past the Functions timeout.
    /// </summary>
    /// <value>The default is 20,000 users (a standard error of about 0.001 on NDCG@10).</value>
    [Range(0, int.MaxValue)]
    public int GateUsers { get; set; } = 20_000;

    /// <summary>Gets or sets the number of epochs without validation improvement before training stops.</summary>
    /// <value>The default is 3.</value>
    [Range(1, 10000)]
    public int Patience { get; set; } = 3;

    /// <summary>Gets or sets the number of training threads; 0 means one per core.</summary>
    /// <value>The default is 0. With 1 thread and a fixed seed training is bit-for-bit deterministic.</value>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>Gets or sets the random seed.</summary>
    /// <value>The default is 42.</value>
    public int Seed { get; set; } = 42;

    /// <summary>Returns the effective number of threads.</summary>
    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;

    /// <summary>Returns a copy of these options.</summary>
    public TwoTowerOptions Clone() => (TwoTowerOptions)MemberwiseClone();
}
