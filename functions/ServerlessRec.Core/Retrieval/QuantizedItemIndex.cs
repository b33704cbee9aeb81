using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ServerlessRec.Retrieval;

/// <summary>
/// The compressed in-process index over the items of an <see cref="EmbeddedItemIndex"/>: vectors stored
/// as int8 with a symmetric per-dimension scale (a quarter of the bytes) or as int4 (an eighth, two codes per
/// byte, clipped at 4 standard deviations per dimension), scanned with integer SIMD to pick
/// <c>k × oversample</c> candidates, which are then re-ranked exactly with the float vectors. Filters, ids and
/// scores come from the embedded index, so results carry the exact dot products.
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
    /// <param name="bits">
    /// Bits per code: 8, or 4 for half the bytes scanned (then <paramref name="oversample"/> and
    /// <paramref name="minCandidates"/> are multiplied by 4). <value>The default is 8.</value>
    /// </param>
    public QuantizedItemIndex(EmbeddedItemIndex exact, int oversample = DefaultOversample, int minCandidates = DefaultMinCandidates, int maxDegreeOfParallelism = 0, int bits = 8)
    {
        if (bits is not (8 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "bits must be 8 or 4");
        }

        ArgumentNullException.ThrowIfNull(exact);
        Bits = bits;
        ArgumentOutOfRangeException.ThrowIfLessThan(oversample, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCandidates, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDegreeOfParallelism);
        _exact = exact;
        // int4 codes are coarse enough that tight clusters need a deeper re-rank: four times the candidates.
        Oversample = bits == 4 ? oversample * 4 : oversample;
        MinCandidates = bits == 4 ? minCandidates * 4 : minCandidates;
        MaxDegreeOfParallelism = maxDegreeOfParallelism == 0 ? Environment.ProcessorCount : maxDegreeOfParallelism;

        var d = exact.Dimensions;
        var n = exact.Count;
        _paddedRows = (n + RowBlock - 1) / RowBlock * RowBlock;
        var vectors = exact.Vectors;
        _scales = bits == 8 ? MaxAbsScales(vectors, n, d, 127f) : ClippedScales(vectors, n, d);
        var limit = bits == 8 ? 127f : 7f;

        // int8: one code per byte, rows padded to 32 bytes. int4: each 32-byte chunk holds 64 dimensions, the low
        // nibbles dimensions 0–31 and the high nibbles 32–63, stored as code + 8 (0–15).
        _stride = bits == 8 ? (d + ChunkBytes - 1) / ChunkBytes * ChunkBytes : (d + (2 * ChunkBytes) - 1) / (2 * ChunkBytes) * ChunkBytes;

        // Padding columns and rows add nothing to a dot product: the query is zero there.
        _codes = new sbyte[(long)_paddedRows * _stride > int.MaxValue ? throw new ArgumentException("too many items for one quantized matrix", nameof(exact)) : _paddedRows * _stride];
        for (var i = 0; i < n; i++)
        {
            var row = vectors.Slice(i * d, d);
            var codes = _codes.AsSpan(i * _stride, _stride);
            for (var j = 0; j < d; j++)
            {
                var code = (int)Math.Clamp(MathF.Round(row[j] / _scales[j]), -limit - (bits == 4 ? 1 : 0), limit);
                if (bits == 8)
                {
                    codes[j] = (sbyte)code;
                }
                else
                {
                    var chunk = j / (2 * ChunkBytes) * ChunkBytes;
                    var within = j % (2 * ChunkBytes);
                    var at = chunk + (within % ChunkBytes);
                    var nibble = (byte)(code + 8);
                    codes[at] = (sbyte)(within < ChunkBytes ? (byte)((byte)codes[at] & 0xF0) | nibble : (byte)((byte)codes[at] & 0x0F) | (nibble << 4));
                }
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

    /// <summary>Gets the bits per code (8 or 4).</summary>
    public int Bits { get; }

    /// <summary>Gets the bytes one search scans (the code matrix).</summary>
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
        var packedQuery = Bits == 4 ? PackQuery(quantizedQuery) : null;

        // More row ranges than threads: on a busy machine the caller takes over ranges a descheduled worker has not started.
        var parts = _codes.LongLength >= ParallelBytes && MaxDegreeOfParallelism > 1 ? Math.Min(PartsPerThread * MaxDegreeOfParallelism, _paddedRows / RowBlock) : 1;
        var tops = new CandidateHeap[Math.Max(1, parts)];
        if (parts <= 1)
        {
            tops[0] = new CandidateHeap(candidates);
            Scan(quantizedQuery, packedQuery, 0, _paddedRows, tops[0], compiled);
        }
        else
        {
            var blocksPerPart = ((_paddedRows / RowBlock) + parts - 1) / parts;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism }, p =>
            {
                var start = Math.Min(_paddedRows, p * blocksPerPart * RowBlock);
                var end = Math.Min(_paddedRows, start + (blocksPerPart * RowBlock));
                tops[p] = new CandidateHeap(candidates);
                Scan(quantizedQuery, packedQuery, start, end, tops[p], compiled);
            });
        }

        // The parts' candidates merged into the global best by approximate score, so a parallel scan re-ranks as
        // many rows as a serial one instead of one full candidate set per part.
        var merged = tops[0];
        if (tops.Length > 1)
        {
            merged = new CandidateHeap(candidates);
            foreach (var top in tops)
            {
                for (var i = 0; i < top.Count; i++)
                {
                    merged.Add(top.Indices[i], top.Scores[i]);
                }
            }
        }

        var rows = merged.Indices.ToArray();

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
        var quantized = new short[Bits == 8 ? _stride : _stride * 2];
        var factor = max > 0 && float.IsFinite(max) ? 127f / max : 0f;
        for (var j = 0; j < scaled.Length; j++)
        {
            quantized[j] = (short)Math.Clamp(MathF.Round(scaled[j] * factor), -127f, 127f);
        }

        return quantized;
    }

    /// <summary>Scores rows [start, end) (multiples of 8) and keeps those that beat the running threshold and pass the filter.</summary>
    /// <summary>The int4 kernel's query: int8 values in the nibble layout (per 32-byte chunk, 32 low then 32 high dimensions).</summary>
    private static sbyte[] PackQuery(short[] quantized)
    {
        var packed = new sbyte[quantized.Length];
        for (var j = 0; j < quantized.Length; j++)
        {
            packed[j] = (sbyte)quantized[j];
        }

        return packed;
    }

    private static float[] MaxAbsScales(ReadOnlySpan<float> vectors, int n, int d, float limit)
    {
        var scales = new float[d];
        for (var i = 0; i < n; i++)
        {
            var row = vectors.Slice(i * d, d);
            for (var j = 0; j < d; j++)
            {
                scales[j] = MathF.Max(scales[j], MathF.Abs(row[j]));
            }
        }

        for (var j = 0; j < d; j++)
        {
            scales[j] = scales[j] > 0 ? scales[j] / limit : 1f;
        }

        return scales;
    }

    /// <summary>int4 scales: ±7 spans the smaller of the largest magnitude and 4 standard deviations, so rare outliers do not coarsen every code.</summary>
    private static float[] ClippedScales(ReadOnlySpan<float> vectors, int n, int d)
    {
        var max = MaxAbsScales(vectors, n, d, 1f);
        var squares = new double[d];
        for (var i = 0; i < n; i++)
        {
            var row = vectors.Slice(i * d, d);
            for (var j = 0; j < d; j++)
            {
                squares[j] += (double)row[j] * row[j];
            }
        }

        var scales = new float[d];
        for (var j = 0; j < d; j++)
        {
            var clip = MathF.Min(max[j], 4f * (float)Math.Sqrt(squares[j] / Math.Max(1, n)));
            scales[j] = clip > 0 ? clip / 7f : 1f;
        }

        return scales;
    }

    private void Scan(short[] query, sbyte[]? packed, int start, int end, CandidateHeap top, EmbeddedItemIndex.CompiledFilter filter)
    {
        var count = _exact.Count;
        var threshold = int.MinValue;
        for (var row = start; row < end; row += RowBlock)
        {
            // One vector compare rejects a whole block: after the first few thousand rows almost every block.
            var scores = packed is null ? ScoreBlock(row, query) : ScoreBlock4(row, packed);
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
                    threshold = float.IsNegativeInfinity(top.Threshold) ? int.MinValue : (int)top.Threshold;
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

            return RowSums(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
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

    /// <summary>
    /// Eight rows of int4 codes against the int8 query: nibbles split with a mask and a shift, multiplied by
    /// <c>vpmaddubsw</c> (unsigned codes × signed query) and widened by <c>vpmaddwd</c>. The codes are stored as
    /// code + 8, which adds 8 × Σ query to every row alike and so changes no ranking.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> ScoreBlock4(int row, sbyte[] query)
    {
        var stride = _stride;
        if (Avx2.IsSupported)
        {
            ref var codes = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetArrayDataReference(_codes));
            ref var q = ref MemoryMarshal.GetArrayDataReference(query);
            var mask = Vector256.Create((byte)0x0F);
            var ones = Vector256.Create((short)1);
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
                var qLo = Vector256.LoadUnsafe(ref q, (nuint)(2 * c));
                var qHi = Vector256.LoadUnsafe(ref q, (nuint)((2 * c) + ChunkBytes));
                var offset = baseOffset + (nuint)c;
                acc0 += Nibbles(ref codes, offset, qLo, qHi, mask, ones);
                acc1 += Nibbles(ref codes, offset + (nuint)stride, qLo, qHi, mask, ones);
                acc2 += Nibbles(ref codes, offset + (nuint)(2 * stride), qLo, qHi, mask, ones);
                acc3 += Nibbles(ref codes, offset + (nuint)(3 * stride), qLo, qHi, mask, ones);
                acc4 += Nibbles(ref codes, offset + (nuint)(4 * stride), qLo, qHi, mask, ones);
                acc5 += Nibbles(ref codes, offset + (nuint)(5 * stride), qLo, qHi, mask, ones);
                acc6 += Nibbles(ref codes, offset + (nuint)(6 * stride), qLo, qHi, mask, ones);
                acc7 += Nibbles(ref codes, offset + (nuint)(7 * stride), qLo, qHi, mask, ones);
            }

            return RowSums(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
        }

        Span<int> scores = stackalloc int[RowBlock];
        for (var r = 0; r < RowBlock; r++)
        {
            var rowCodes = _codes.AsSpan((row + r) * stride, stride);
            var sum = 0;
            for (var b = 0; b < stride; b++)
            {
                var value = (byte)rowCodes[b];
                var chunk = b / ChunkBytes * 2 * ChunkBytes;
                var within = b % ChunkBytes;
                sum += ((value & 0x0F) * query[chunk + within]) + ((value >> 4) * query[chunk + ChunkBytes + within]);
            }

            scores[r] = sum;
        }

        return Vector256.Create<int>(scores);
    }

    /// <summary>Pairwise horizontal adds reduce 8 row accumulators to one vector of the 8 row sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> RowSums(Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3, Vector256<int> a4, Vector256<int> a5, Vector256<int> a6, Vector256<int> a7)
    {
        var h0123 = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a0, a1), Avx2.HorizontalAdd(a2, a3));
        var h4567 = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a4, a5), Avx2.HorizontalAdd(a6, a7));
        return Avx2.Permute2x128(h0123, h4567, 0x20) + Avx2.Permute2x128(h0123, h4567, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Nibbles(ref byte codes, nuint offset, Vector256<sbyte> qLo, Vector256<sbyte> qHi, Vector256<byte> mask, Vector256<short> ones)
    {
        var bytes = Vector256.LoadUnsafe(ref codes, offset);
        var lo = bytes & mask;
        var hi = Avx2.ShiftRightLogical(bytes.AsUInt16(), 4).AsByte() & mask;
        var products = Avx2.MultiplyAddAdjacent(lo, qLo) + Avx2.MultiplyAddAdjacent(hi, qHi);
        return Avx2.MultiplyAddAdjacent(products, ones);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Madd(ref sbyte codes, nuint offset, Vector256<short> qLo, Vector256<short> qHi)
    {
        var lo = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref codes, offset));
        var hi = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref codes, offset + 16));
        return Avx2.MultiplyAddAdjacent(lo, qLo) + Avx2.MultiplyAddAdjacent(hi, qHi);
    }
}
