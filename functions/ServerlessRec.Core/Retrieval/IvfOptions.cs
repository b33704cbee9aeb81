namespace ServerlessRec.Retrieval;

/// <summary>How an <see cref="IvfQuantiser"/> is trained.</summary>
public sealed class IvfOptions
{
    /// <summary>Gets or sets the number of lists per √(items): L ≈ this × √N.</summary>
    /// <value>The default is 4 (1,265 lists at 100,000 items, 4,000 at a million).</value>
    public double ListsPerRootItem { get; set; } = 4;

    /// <summary>
    /// Gets or sets the most bytes the index may hold, as a multiple of its int8 codes: the number of lists is capped so
    /// the centroids and the row map fit, unless not even √N lists would.
    /// </summary>
    /// <value>The default is 1.1 (at d = 64 the row map takes 0.0625 of it: 363 lists at 20,000 items, uncapped from about 48,000; at d ≤ 40 the row map alone is over it and nothing is capped).</value>
    public double MaxMemoryRatio { get; set; } = 1.1;

    /// <summary>Gets or sets the k-means sample size per centroid (faiss uses up to 256; fewer keep the build within seconds at a million items).</summary>
    /// <value>The default is 48.</value>
    public int SamplePerCentroid { get; set; } = 48;

    /// <summary>Gets or sets the k-means iterations per level.</summary>
    /// <value>The default is 8.</value>
    public int Iterations { get; set; } = 8;

    /// <summary>Gets or sets the recall@<see cref="CalibrationK"/> on held-out queries the chosen nprobe must reach.</summary>
    /// <value>The default is 0.995 (a margin over the 0.99 that serving promises, for the int8 codes and unseen queries).</value>
    public double TargetRecall { get; set; } = 0.995;

    /// <summary>Gets or sets the k of the calibration recall.</summary>
    /// <value>The default is 10.</value>
    public int CalibrationK { get; set; } = 10;

    /// <summary>Gets or sets how many item vectors are queries of the calibration (their own row excluded).</summary>
    /// <value>The default is 200.</value>
    public int CalibrationItems { get; set; } = 200;

    /// <summary>Gets or sets the seed of the sampling and of k-means.</summary>
    /// <value>The default is 17.</value>
    public int Seed { get; set; } = 17;

    /// <summary>Gets or sets the threads the build may use; 0 means one per core.</summary>
    /// <value>The default is 0.</value>
    public int MaxDegreeOfParallelism { get; set; }
}
