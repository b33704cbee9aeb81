using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ServerlessRec.Retrieval;

/// <summary>
/// The compressed in-process index over the items of an <see cref="EmbeddedItemIndex"/>: vectors stored
/// as int8 with a symmetric per-dimension scale (a quarter of the bytes), scanned with integer SIMD to
/// pick <c>k × oversample</c> candidates, which are then re-ranked exactly with the float vectors. Filters,
/// ids and scores come from the embedded index, so results carry the exact dot products.
/// </summary>
public sealed class QuantizedItemIndex : IItemIndex
{
    /// <summary>The default candidate multiplier.</summary>
    public const int DefaultOversample = 10;

    /// <summary>The default minimum number of candidates re-ranked exactly.</summary>
    public const int DefaultMinCandidates = 100;

    private const int RowBlock = 8;
    private const int ChunkBytes = 32;

    // Below this many matrix bytes (~250k × 64) a parallel scan costs more in scheduling than it saves on 2 cores.
    private const long ParallelBytes = 16L << 20;
    private const int PartsPerThread = 4;

    private readonly EmbeddedItemIndex _exact;
    private readonly sbyte[] _codes;
    private readonly float[] _scales;
    private readonly int _stride;
    private readonly int _paddedRows;

    /// <summary>Quantizes the vectors of <paramref name="exact"/>.</summary>
    /// <param name="exact">The exact index whose items, filters and float vectors are shared.</param>
    /// <param name="oversample">Candidates kept per requested item. <value>The default is 10.</value></param>
    /// <param name="minCandidates">The fewest candidates re-ranked. <value>The default is 100.</value></param>
    /// <param name="maxDegreeOfParallelism">Threads a search may use; 0 means one per core. <value>The default is 0.</value></param>
    public QuantizedItemIndex(EmbeddedItemIndex exact, int oversample = DefaultOversample, int minCandidates = DefaultMinCandidates, int maxDegreeOfParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(exact);
        ArgumentOutOfRangeException.ThrowIfLessThan(oversample, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCandidates, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDegreeOfParallelism);
        _exact = exact;
        Oversample = oversample;
        MinCandidates = minCandidates;
        MaxDegreeOfParallelism = maxDegreeOfParallelism == 0 ? Environment.ProcessorCount : maxDegreeOfParallelism;

        var d = exact.Dimensions;
        var n = exact.Count;
        _stride = (d + ChunkBytes - 1) / ChunkBytes * ChunkBytes;
        _paddedRows = (n + RowBlock - 1) / RowBlock * RowBlock;
        _scales = new float[d];
        var vectors = exact.Vectors;
        for (var i = 0; i < n; i++)
        {
            var row = vectors.Slice(i * d, d);
            for (var j = 0; j < d; j++)
            {
                _scales[j] = MathF.Max(_scales[j], MathF.Abs(row[j]));
            }
        }

        for (var j = 0; j < d; j++)
        {
            _scales[j] = _scales[j] > 0 ? _scales[j] / 127f : 1f;
        }

        // Padding columns and rows stay zero, so they add nothing to a dot product.
        _codes = new sbyte[(long)_paddedRows * _stride > int.MaxValue ? throw new ArgumentException("too many items for one int8 matrix", nameof(exact)) : _paddedRows * _stride];
        for (var i = 0; i < n; i++)
        {
            var row = vectors.Slice(i * d, d);
            var codes = _codes.AsSpan(i * _stride, d);
            for (var j = 0; j < d; j++)
            {
                codes[j] = (sbyte)Math.Clamp(MathF.Round(row[j] / _scales[j]), -127f, 127f);
            }
        }
    }

    /// <inheritdoc/>
    public string Version => _exact.Version;

    /// <summary>Gets the exact index this one compresses.</summary>
    public EmbeddedItemIndex Exact => _exact;

    /// <summary>Gets the candidates kept per requested item.</summary>
    public int Oversample { get; }

    /// <summary>Gets the fewest candidates re-ranked exactly.</summary>
    public int MinCandidates { get; }

    /// <summary>Gets the most threads one search uses.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>Gets the bytes one search scans (the int8 matrix).</summary>
    public long ScannedBytes => _codes.LongLength;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Search(query.Span, k, filter));

    /// <summary>Top-k by dot product among the items that pass the filter: int8 candidates, exact float re-rank.</summary>
    public IReadOnlyList<ScoredItem> Search(ReadOnlySpan<float> query, int k, ItemFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var d = _exact.Dimensions;
        if (query.Length != d)
        {
            throw new ArgumentException($"query has {query.Length} values, expected {d}", nameof(query));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var compiled = _exact.CompileFilter(filter);
        var candidates = (int)Math.Min(Math.Max((long)k * Oversample, MinCandidates), Math.Max(1, _exact.Count));
        var quantizedQuery = QuantizeQuery(query);

        // More row ranges than threads: on a busy machine the caller takes over ranges a descheduled worker has not started.
        var parts = _codes.LongLength >= ParallelBytes && MaxDegreeOfParallelism > 1 ? Math.Min(PartsPerThread * MaxDegreeOfParallelism, _paddedRows / RowBlock) : 1;
        var tops = new TopK[Math.Max(1, parts)];
        if (parts <= 1)
        {
            tops[0] = new TopK(candidates);
            Scan(quantizedQuery, 0, _paddedRows, ref tops[0], compiled);
        }
        else
        {
            var blocksPerPart = ((_paddedRows / RowBlock) + parts - 1) / parts;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism }, p =>
            {
                var start = Math.Min(_paddedRows, p * blocksPerPart * RowBlock);
                var end = Math.Min(_paddedRows, start + (blocksPerPart * RowBlock));
                tops[p] = new TopK(candidates);
                Scan(quantizedQuery, start, end, ref tops[p], compiled);
            });
        }

        var total = 0;
        foreach (var top in tops)
        {
            total += top.Count;
        }

        var rows = new int[total];
        var filled = 0;
        foreach (var top in tops)
        {
            top.Indices.CopyTo(rows.AsSpan(filled));
            filled += top.Count;
        }

        // Ascending rows so that equal scores keep the lower row first, as the exact scan does.
        Array.Sort(rows);
        var best = new TopK(k);
        foreach (var row in rows)
        {
            best.Add(row, _exact.Score(row, query));
        }

        return _exact.ToResults(best);
    }

    /// <summary>Folds the per-dimension scales into the query and quantizes it to 16-bit lanes (int8 range).</summary>
    private short[] QuantizeQuery(ReadOnlySpan<float> query)
    {
        var scaled = new float[query.Length];
        TensorPrimitives.Multiply(query, _scales, scaled);
        var max = MathF.Abs(TensorPrimitives.MaxMagnitude(scaled));
        var quantized = new short[_stride];
        var factor = max > 0 && float.IsFinite(max) ? 127f / max : 0f;
        for (var j = 0; j < scaled.Length; j++)
        {
            quantized[j] = (short)Math.Clamp(MathF.Round(scaled[j] * factor), -127f, 127f);
        }

        return quantized;
    }

    /// <summary>Scores rows [start, end) (multiples of 8) and keeps those that beat the running threshold and pass the filter.</summary>
    private void Scan(short[] query, int start, int end, ref TopK top, EmbeddedItemIndex.CompiledFilter filter)
    {
        var count = _exact.Count;
        var threshold = int.MinValue;
        for (var row = start; row < end; row += RowBlock)
        {
            // One vector compare rejects a whole block: after the first few thousand rows almost every block.
            var scores = ScoreBlock(row, query);
            var beats = Vector256.GreaterThan(scores, Vector256.Create(threshold)).ExtractMostSignificantBits();
            while (beats != 0)
            {
                var r = BitOperations.TrailingZeroCount(beats);
                beats &= beats - 1;
                var i = row + r;
                var score = scores.GetElement(r);
                if (score > threshold && i < count && filter.Passes(_exact, i))
                {
                    // |score| ≤ d × 127², below 2^24 for d ≤ 1040, so integer scores are exact as floats.
                    top.Add(i, score);
                    threshold = top.Count < top.Capacity ? int.MinValue : (int)top.Threshold;
                }
            }
        }
    }

    /// <summary>Integer dot products of 8 consecutive rows with the query.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> ScoreBlock(int row, short[] query)
    {
        ref var codes = ref MemoryMarshal.GetArrayDataReference(_codes);
        ref var q = ref MemoryMarshal.GetArrayDataReference(query);
        var stride = _stride;
        if (Avx2.IsSupported)
        {
            var acc0 = Vector256<int>.Zero;
            var acc1 = Vector256<int>.Zero;
            var acc2 = Vector256<int>.Zero;
            var acc3 = Vector256<int>.Zero;
            var acc4 = Vector256<int>.Zero;
            var acc5 = Vector256<int>.Zero;
            var acc6 = Vector256<int>.Zero;
            var acc7 = Vector256<int>.Zero;
            var baseOffset = (nuint)((long)row * stride);
            for (var c = 0; c < stride; c += ChunkBytes)
            {
                var qLo = Vector256.LoadUnsafe(ref q, (nuint)c);
                var qHi = Vector256.LoadUnsafe(ref q, (nuint)(c + 16));
                var offset = baseOffset + (nuint)c;
                acc0 += Madd(ref codes, offset, qLo, qHi);
                acc1 += Madd(ref codes, offset + (nuint)stride, qLo, qHi);
                acc2 += Madd(ref codes, offset + (nuint)(2 * stride), qLo, qHi);
                acc3 += Madd(ref codes, offset + (nuint)(3 * stride), qLo, qHi);
                acc4 += Madd(ref codes, offset + (nuint)(4 * stride), qLo, qHi);
                acc5 += Madd(ref codes, offset + (nuint)(5 * stride), qLo, qHi);
                acc6 += Madd(ref codes, offset + (nuint)(6 * stride), qLo, qHi);
                acc7 += Madd(ref codes, offset + (nuint)(7 * stride), qLo, qHi);
            }

            // Pairwise horizontal adds reduce 8 accumulators to one vector of 8 row sums.
            var h0123 = Avx2.HorizontalAdd(Avx2.HorizontalAdd(acc0, acc1), Avx2.HorizontalAdd(acc2, acc3));
            var h4567 = Avx2.HorizontalAdd(Avx2.HorizontalAdd(acc4, acc5), Avx2.HorizontalAdd(acc6, acc7));
            return Avx2.Permute2x128(h0123, h4567, 0x20) + Avx2.Permute2x128(h0123, h4567, 0x31);
        }

        Span<int> scores = stackalloc int[RowBlock];

        for (var r = 0; r < RowBlock; r++)
        {
            var rowCodes = _codes.AsSpan((row + r) * stride, stride);
            var acc = Vector128<int>.Zero;
            for (var c = 0; c < stride; c += 16)
            {
                var (lo, hi) = Vector128.Widen(Vector128.Create(rowCodes.Slice(c, 16)));
                var (p0, p1) = Vector128.Widen(lo * Vector128.Create(query.AsSpan(c, 8)));
                var (p2, p3) = Vector128.Widen(hi * Vector128.Create(query.AsSpan(c + 8, 8)));
                acc += p0 + p1 + p2 + p3;
            }

            scores[r] = Vector128.Sum(acc);
        }

        return Vector256.Create<int>(scores);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Madd(ref sbyte codes, nuint offset, Vector256<short> qLo, Vector256<short> qHi)
    {
        var lo = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref codes, offset));
        var hi = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref codes, offset + 16));
        return Avx2.MultiplyAddAdjacent(lo, qLo) + Avx2.MultiplyAddAdjacent(hi, qHi);
    }
}
