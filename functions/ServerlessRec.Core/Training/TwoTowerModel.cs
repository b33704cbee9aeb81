using System.Numerics.Tensors;

namespace ServerlessRec.Training;

/// <summary>
/// The parameters and forward pass of the two-tower model (design.md, "Model").
/// </summary>
/// <remarks>
/// User tower: a long-term pool x_L (weighted mean of history embeddings, weights = event weight × time
/// decay) and a short-term pool x_S (the current session) → y = W2·relu(W1·[x_L; x_S] + b1) + b2 + x_L + x_S
/// → L2 normalise. Item tower: id embedding + mean of hashed category/tag embeddings → L2 normalise.
/// Score = dot product / temperature. Index 0 of every table is padding and stays zero.
/// </remarks>
public sealed class TwoTowerModel
{
    internal const float NormEpsilon = 1e-12f;
    internal const float PoolEpsilon = 1e-9f;
    internal const int RowPrefetchDistance = 4;

    /// <summary>Creates a model with randomly initialised parameters.</summary>
    public TwoTowerModel(int itemCount, int featureBuckets, int dimensions, int hiddenDimensions, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureBuckets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenDimensions, 1);
        ItemRows = itemCount + 1;
        FeatureRows = featureBuckets + 1;
        Dimensions = dimensions;
        HiddenDimensions = hiddenDimensions;
        HistoryEmbeddings = new float[ItemRows * dimensions];
        ItemEmbeddings = new float[ItemRows * dimensions];
        FeatureEmbeddings = new float[FeatureRows * dimensions];
        W1 = new float[hiddenDimensions * 2 * dimensions];
        B1 = new float[hiddenDimensions];
        W2 = new float[dimensions * hiddenDimensions];
        B2 = new float[dimensions];

        var random = new Random(seed);
        var embeddingScale = 1f / MathF.Sqrt(dimensions);
        FillNormal(random, HistoryEmbeddings.AsSpan(dimensions), embeddingScale);
        FillNormal(random, ItemEmbeddings.AsSpan(dimensions), embeddingScale);
        FillNormal(random, FeatureEmbeddings.AsSpan(dimensions), embeddingScale);
        FillNormal(random, W1, MathF.Sqrt(2f / (2 * dimensions)));
        FillNormal(random, W2, 0.5f * MathF.Sqrt(1f / hiddenDimensions));
    }

    /// <summary>Gets the number of rows of the item tables (items + padding).</summary>
    public int ItemRows { get; }

    /// <summary>Gets the number of rows of the feature table (buckets + padding).</summary>
    public int FeatureRows { get; }

    /// <summary>Gets the output dimension.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the user tower's hidden width.</summary>
    public int HiddenDimensions { get; }

    /// <summary>Gets the history (user tower input) embeddings, [ItemRows × Dimensions].</summary>
    public float[] HistoryEmbeddings { get; }

    /// <summary>Gets the item tower id embeddings, [ItemRows × Dimensions].</summary>
    public float[] ItemEmbeddings { get; }

    /// <summary>Gets the item tower category/tag embeddings, [FeatureRows × Dimensions].</summary>
    public float[] FeatureEmbeddings { get; }

    /// <summary>Gets the first user-tower layer, [HiddenDimensions × 2·Dimensions] row-major.</summary>
    public float[] W1 { get; }

    /// <summary>Gets the first user-tower bias.</summary>
    public float[] B1 { get; }

    /// <summary>Gets the second user-tower layer, [Dimensions × HiddenDimensions] row-major.</summary>
    public float[] W2 { get; }

    /// <summary>Gets the second user-tower bias.</summary>
    public float[] B2 { get; }

    /// <summary>Copies every parameter into <paramref name="target"/>, a model of the same shape.</summary>
    public void CopyTo(TwoTowerModel target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.ItemRows != ItemRows || target.FeatureRows != FeatureRows || target.Dimensions != Dimensions || target.HiddenDimensions != HiddenDimensions)
        {
            throw new ArgumentException("the target model has another shape", nameof(target));
        }

        var source = Parameters;
        var destination = target.Parameters;
        for (var i = 0; i < source.Length; i++)
        {
            source[i].CopyTo(destination[i], 0);
        }
    }

    /// <summary>Every parameter array, in the checkpoint's order.</summary>
    internal float[][] Parameters => [HistoryEmbeddings, ItemEmbeddings, FeatureEmbeddings, W1, B1, W2, B2];

    /// <summary>A new model of the same shape holding a copy of every parameter.</summary>
    public TwoTowerModel Clone()
    {
        var copy = new TwoTowerModel(ItemRows - 1, FeatureRows - 1, Dimensions, HiddenDimensions, seed: 0);
        CopyTo(copy);
        return copy;
    }

    /// <summary>
    /// Moves this model (an average of weights) towards <paramref name="weights"/>: every parameter becomes
    /// <paramref name="decay"/> × itself + (1 − <paramref name="decay"/>) × the weight's.
    /// </summary>
    internal void AverageIn(TwoTowerModel weights, float decay)
    {
        var averages = Parameters;
        var current = weights.Parameters;
        for (var i = 0; i < averages.Length; i++)
        {
            // a ← decay·a + (1−decay)·w, written as a ← w + decay·(a − w) in two vector passes.
            var a = averages[i].AsSpan();
            System.Numerics.Tensors.TensorPrimitives.Subtract(a, current[i], a);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(a, decay, current[i], a);
        }
    }

    /// <summary>Gets the size of the scratch buffer <see cref="UserVector"/> needs.</summary>
    public int UserScratchSize => (2 * Dimensions) + (2 * HiddenDimensions) + Dimensions;

    /// <summary>
    /// Computes a user's vector from history item indices and their long-term and session weights.
    /// Items outside the vocabulary must be passed as 0 (padding). Returns the pre-normalisation norm.
    /// </summary>
    public float UserVector(ReadOnlySpan<int> items, ReadOnlySpan<float> longTermWeights, ReadOnlySpan<float> sessionWeights, Span<float> output, Span<float> scratch)
    {
        var d = Dimensions;
        var x = scratch[..(2 * d)];
        var a = scratch.Slice(2 * d, HiddenDimensions);
        var r = scratch.Slice((2 * d) + HiddenDimensions, HiddenDimensions);
        var y = scratch.Slice((2 * d) + (2 * HiddenDimensions), d);
        Pool(items, longTermWeights, sessionWeights, x);
        return UserHead(x, a, r, y, output);
    }

    /// <summary>Pools history embeddings into x = [x_L; x_S] (length 2·Dimensions).</summary>
    internal void Pool(ReadOnlySpan<int> items, ReadOnlySpan<float> longTermWeights, ReadOnlySpan<float> sessionWeights, Span<float> x)
    {
        var d = Dimensions;
        x.Clear();
        var xl = x[..d];
        var xs = x.Slice(d, d);
        float sumL = 0f, sumS = 0f;
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            if (item <= 0 || item >= ItemRows)
            {
                continue;
            }

            if (i + RowPrefetchDistance < items.Length && (uint)items[i + RowPrefetchDistance] < (uint)ItemRows)
            {
                VectorKernels.Prefetch(HistoryEmbeddings.AsSpan(items[i + RowPrefetchDistance] * d, d));
            }

            var row = HistoryEmbeddings.AsSpan(item * d, d);
            var wl = longTermWeights[i];
            var ws = sessionWeights[i];
            if (wl != 0f)
            {
                VectorKernels.AddScaled(row, wl, xl);
                sumL += wl;
            }

            if (ws != 0f)
            {
                VectorKernels.AddScaled(row, ws, xs);
                sumS += ws;
            }
        }

        TensorPrimitives.Multiply(xl, 1f / MathF.Max(sumL, PoolEpsilon), xl);
        TensorPrimitives.Multiply(xs, 1f / MathF.Max(sumS, PoolEpsilon), xs);
    }

    /// <summary>The user tower above the pools. Returns the norm of y.</summary>
    internal float UserHead(ReadOnlySpan<float> x, Span<float> a, Span<float> r, Span<float> y, Span<float> output)
    {
        var d = Dimensions;
        var h = HiddenDimensions;
        var inWidth = 2 * d;
        for (var j = 0; j < h; j++)
        {
            a[j] = TensorPrimitives.Dot(W1.AsSpan(j * inWidth, inWidth), x) + B1[j];
        }

        TensorPrimitives.Max(a, 0f, r);
        for (var k = 0; k < d; k++)
        {
            y[k] = TensorPrimitives.Dot(W2.AsSpan(k * h, h), r) + B2[k] + x[k] + x[d + k];
        }

        var norm = TensorPrimitives.Norm(y);
        TensorPrimitives.Multiply(y, 1f / MathF.Max(norm, NormEpsilon), output);
        return norm;
    }

    /// <summary>
    /// Computes an item's raw (unnormalised) tower output z = keep·id + mean(features) into <paramref name="z"/>.
    /// </summary>
    internal void ItemRaw(int item, ReadOnlySpan<int> features, bool keepId, Span<float> z)
    {
        var d = Dimensions;
        z.Clear();
        if (keepId && item > 0 && item < ItemRows)
        {
            ItemEmbeddings.AsSpan(item * d, d).CopyTo(z);
        }

        var count = 0;
        foreach (var f in features)
        {
            if (f > 0 && f < FeatureRows)
            {
                count++;
            }
        }

        if (count == 0)
        {
            return;
        }

        var scale = 1f / count;
        foreach (var f in features)
        {
            if (f > 0 && f < FeatureRows)
            {
                VectorKernels.AddScaled(FeatureEmbeddings.AsSpan(f * d, d), scale, z);
            }
        }
    }

    /// <summary>Computes one item's normalised vector (inference: no dropout). Unknown items get a zero vector.</summary>
    public void ItemVector(int item, ReadOnlySpan<int> features, Span<float> output)
    {
        ItemRaw(item, features, keepId: true, output);
        var norm = TensorPrimitives.Norm(output);
        TensorPrimitives.Multiply(output, 1f / MathF.Max(norm, NormEpsilon), output);
    }

    /// <summary>Computes the vectors of all items of a dataset, [ItemRows × Dimensions]; row 0 is zero.</summary>
    public float[] ItemVectors(InteractionDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var d = Dimensions;
        var vectors = new float[ItemRows * d];
        Parallel.For(1, ItemRows, i => ItemVector(i, dataset.FeaturesOf(i), vectors.AsSpan(i * d, d)));
        return vectors;
    }

    private static void FillNormal(Random random, Span<float> values, float scale)
    {
        for (var i = 0; i < values.Length; i++)
        {
            // Box–Muller: deterministic for a seed, no dependency on a stats library.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = scale * (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        }
    }
}
