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
    private const int Int4Depth = 8;

    // Up to this many excluded ids are removed at the re-rank instead of during the scan.
    private const int MaxDeferredExclusions = 1_000;

    // Below this many matrix bytes (~250k × 64) a parallel scan costs more in scheduling than it saves on 2 cores.
    private const long ParallelBytes = 16L << 20;
    private const int PartsPerThread = 4;

    // A part of a parallel scan picks up the shared bar every 1,024 rows (mask of the row index).
    private const int SyncRows = 1023;

    private readonly EmbeddedItemIndex _exact;
    private readonly sbyte[] _codes;
    private readonly float[] _scales;
    private readonly int _stride;
    private readonly int _paddedRows;

    // Code position → exact row (−1 for padding) when the codes are stored in another order than the rows (the lists
    // of an IvfItemIndex); null when position = row.
    private readonly int[]? _rowOf;

    /// <summary>Quantizes the vectors of <paramref name="exact"/>.</summary>
    /// <param name="exact">The exact index whose items, filters and float vectors are shared.</param>
    /// <param name="oversample">Candidates kept per requested item. <value>The default is 10.</value></param>
    /// <param name="minCandidates">The fewest candidates re-ranked. <value>The default is 100.</value></param>
    /// <param name="maxDegreeOfParallelism">Threads a search may use; 0 means one per core. <value>The default is 0.</value></param>
    /// <param name="bits">
    /// Bits per code: 8, or 4 for half the bytes scanned (then <paramref name="oversample"/> and
    /// <paramref name="minCandidates"/> are multiplied by 8). <value>The default is 8.</value>
    /// </param>
    public QuantizedItemIndex(EmbeddedItemIndex exact, int oversample = DefaultOversample, int minCandidates = DefaultMinCandidates, int maxDegreeOfParallelism = 0, int bits = 8)
        : this(exact, null, oversample, minCandidates, maxDegreeOfParallelism, bits)
    {
    }

    /// <summary>
    /// Quantizes the vectors of <paramref name="exact"/> in the order <paramref name="rowOf"/> gives (code position →
    /// exact row, −1 for an empty position; a multiple of 8 long), so that rows searched together lie together.
    /// </summary>
    internal QuantizedItemIndex(EmbeddedItemIndex exact, int[]? rowOf, int oversample = DefaultOversample, int minCandidates = DefaultMinCandidates, int maxDegreeOfParallelism = 0, int bits = 8)
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
        // int4 codes are coarse enough that tight clusters need a deeper re-rank: at 1M clustered vectors four times
        // the candidates gave recall@10 0.983, eight times 1.000 (bench index).
        Oversample = bits == 4 ? oversample * Int4Depth : oversample;
        MinCandidates = bits == 4 ? minCandidates * Int4Depth : minCandidates;
        MaxDegreeOfParallelism = maxDegreeOfParallelism == 0 ? Environment.ProcessorCount : maxDegreeOfParallelism;

        var d = exact.Dimensions;
        var n = exact.Count;
        if (rowOf is not null && (rowOf.Length % RowBlock != 0 || rowOf.Length < n))
        {
            throw new ArgumentException($"a code layout holds a multiple of {RowBlock} positions, at least one per row", nameof(rowOf));
        }

        _rowOf = rowOf;
        _paddedRows = rowOf?.Length ?? ((n + RowBlock - 1) / RowBlock * RowBlock);
        var vectors = exact.Vectors;
        _scales = bits == 8 ? MaxAbsScales(vectors, n, d, 127f) : ClippedScales(vectors, n, d);
        var limit = bits == 8 ? 127f : 7f;

        // int8: one code per byte, rows padded to 32 bytes. int4: each 32-byte chunk holds 64 dimensions, the low
        // nibbles dimensions 0–31 and the high nibbles 32–63, stored as code + 8 (0–15).
        _stride = bits == 8 ? (d + ChunkBytes - 1) / ChunkBytes * ChunkBytes : (d + (2 * ChunkBytes) - 1) / (2 * ChunkBytes) * ChunkBytes;

        // Padding columns and rows add nothing to a dot product: the query is zero there.
        _codes = new sbyte[(long)_paddedRows * _stride > int.MaxValue ? throw new ArgumentException("too many items for one quantized matrix", nameof(exact)) : _paddedRows * _stride];
        for (var i = 0; i < _paddedRows; i++)
        {
            var source = rowOf is null ? (i < n ? i : -1) : rowOf[i];
            if (source < 0)
            {
                continue;
            }

            var row = vectors.Slice(source * d, d);
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

    /// <summary>Gets whether a search splits the scan across threads (codes of 16 MB or more and more than one thread allowed).</summary>
    public bool ScansInParallel => _codes.LongLength >= ParallelBytes && MaxDegreeOfParallelism > 1;

    /// <summary>Gets the bits per code (8 or 4).</summary>
    public int Bits { get; }

    /// <summary>Gets the bytes one search scans (the code matrix).</summary>
    public long ScannedBytes => _codes.LongLength;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Search(query.Span, k, filter));

    /// <summary>Top-k by dot product among the items that pass the filter: int8 candidates, exact float re-rank.</summary>
    public IReadOnlyList<ScoredItem> Search(ReadOnlySpan<float> query, int k, ItemFilter filter) => Search(query, k, filter, ranges: null);

    /// <summary>
    /// The same search over the code positions of <paramref name="ranges"/> only (disjoint, multiples of 8, scanned
    /// serially in the order given), or over all of them when null.
    /// </summary>
    internal IReadOnlyList<ScoredItem> Search(ReadOnlySpan<float> query, int k, ItemFilter filter, IReadOnlyList<(int Start, int End)>? ranges)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var d = _exact.Dimensions;
        if (query.Length != d)
        {
            throw new ArgumentException($"query has {query.Length} values, expected {d}", nameof(query));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var compiled = _exact.CompileFilter(filter);
        var candidates = (long)Math.Max((long)k * Oversample, MinCandidates);

        // A user's seen items are a few hundred rows at most: rather than a hash look-up for each of the thousands of
        // rows a scan offers, keep that many more candidates and drop the excluded ones at the re-rank.
        var scanFilter = compiled;
        if (compiled.ExcludedCount is > 0 and <= MaxDeferredExclusions)
        {
            scanFilter = compiled.WithoutExclusions();
            candidates += compiled.ExcludedCount;
        }

        candidates = Math.Min(candidates, Math.Max(1, _exact.Count));
        var quantizedQuery = QuantizeQuery(query);
        var magnitudes = Bits == 8 ? Magnitudes(quantizedQuery) : null;

        // More row ranges than threads: on a busy machine the caller takes over ranges a descheduled worker has not started.
        var parts = ScansInParallel ? Math.Min(PartsPerThread * MaxDegreeOfParallelism, _paddedRows / RowBlock) : 1;
        CandidateBuffer merged;
        if (ranges is not null)
        {
            // One buffer across the ranges: the bar one range reached carries into the next.
            merged = new CandidateBuffer((int)candidates);
            foreach (var (start, end) in ranges)
            {
                Scan(quantizedQuery, magnitudes, start, end, merged, scanFilter, shared: null);
            }
        }
        else if (parts <= 1)
        {
            merged = new CandidateBuffer((int)candidates);
            Scan(quantizedQuery, magnitudes, 0, _paddedRows, merged, scanFilter, shared: null);
        }
        else
        {
            // One buffer per worker thread, kept across the parts it takes, and a bar shared by all: every buffer's
            // lowest kept score bounds the global one from below, so a part that starts late begins with the bar the
            // others have raised instead of refilling a buffer of its own.
            var shared = new SharedThreshold();
            var buffers = new List<CandidateBuffer>();
            var blocksPerPart = ((_paddedRows / RowBlock) + parts - 1) / parts;
            Parallel.For(
                0,
                parts,
                new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism },
                () => new CandidateBuffer((int)candidates),
                (p, _, buffer) =>
                {
                    var start = Math.Min(_paddedRows, p * blocksPerPart * RowBlock);
                    var end = Math.Min(_paddedRows, start + (blocksPerPart * RowBlock));
                    Scan(quantizedQuery, magnitudes, start, end, buffer, scanFilter, shared);
                    return buffer;
                },
                buffer =>
                {
                    lock (buffers)
                    {
                        buffers.Add(buffer);
                    }
                });

            // The threads' candidates merged into the global best by approximate score, so a parallel scan re-ranks
            // as many rows as a serial one.
            merged = buffers[0];
            for (var b = 1; b < buffers.Count; b++)
            {
                merged.AddFrom(buffers[b]);
            }
        }

        var rows = merged.Rows();

        // Ascending rows so that equal scores keep the lower row first, as the exact scan does.
        Array.Sort(rows);
        var best = new TopK(k);
        foreach (var row in rows)
        {
            if (!compiled.IsExcluded(row))
            {
                best.Add(row, _exact.Score(row, query));
            }
        }

        return _exact.ToResults(best);
    }

    /// <summary>
    /// Folds the per-dimension scales into the query and quantizes it to int8 (±127), in the layout of the codes: for
    /// int8 one value per code byte; for int4 per 32-byte chunk the 32 low-nibble then the 32 high-nibble dimensions.
    /// </summary>
    private sbyte[] QuantizeQuery(ReadOnlySpan<float> query)
    {
        var scaled = new float[query.Length];
        TensorPrimitives.Multiply(query, _scales, scaled);
        var max = MathF.Abs(TensorPrimitives.MaxMagnitude(scaled));
        var quantized = new sbyte[Bits == 8 ? _stride : _stride * 2];
        var factor = max > 0 && float.IsFinite(max) ? 127f / max : 0f;
        for (var j = 0; j < scaled.Length; j++)
        {
            quantized[j] = (sbyte)Math.Clamp(MathF.Round(scaled[j] * factor), -127f, 127f);
        }

        return quantized;
    }

    /// <summary>|q| of the int8 query: <c>vpmaddubsw</c> multiplies unsigned by signed bytes, so the int8 kernel feeds it |q| and code × sign(q).</summary>
    private static byte[] Magnitudes(sbyte[] query)
    {
        var magnitudes = new byte[query.Length];
        for (var j = 0; j < query.Length; j++)
        {
            magnitudes[j] = (byte)Math.Abs((int)query[j]);
        }

        return magnitudes;
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

    /// <summary>
    /// Scores rows [start, end) (multiples of 8) and keeps those that beat the running threshold and pass the filter.
    /// Each code width has its own loop, so the query, masks and eight accumulators stay in registers; at 64
    /// dimensions (one int4 chunk, two int8 chunks per row) the query chunks are loaded once per scan.
    /// </summary>
    private void Scan(sbyte[] query, byte[]? magnitudes, int start, int end, CandidateBuffer top, EmbeddedItemIndex.CompiledFilter filter, SharedThreshold? shared)
    {
        var bar = new Bar(top, filter, shared);
        if (!Avx2.IsSupported)
        {
            ScanPortable(query, start, end, ref bar);
        }
        else if (magnitudes is not null)
        {
            ScanInt8(query, magnitudes, start, end, ref bar);
        }
        else
        {
            ScanInt4(query, start, end, ref bar);
        }
    }

    /// <summary>
    /// int8: per 32 codes one <c>vpsignb</c> (code × sign(q)), one <c>vpmaddubsw</c> with |q| (pairs of products,
    /// at most 2 × 127², so never saturating) and one <c>vpmaddwd</c> by 1 to widen to int32. Rows are read front
    /// to back, one after the other.
    /// </summary>
    private void ScanInt8(sbyte[] query, byte[] magnitudes, int start, int end, ref Bar bar)
    {
        ref var codes = ref MemoryMarshal.GetArrayDataReference(_codes);
        ref var q = ref MemoryMarshal.GetArrayDataReference(query);
        ref var m = ref MemoryMarshal.GetArrayDataReference(magnitudes);
        var ones = Vector256.Create((short)1);
        var s = (nuint)_stride;
        if (s == 2 * ChunkBytes)
        {
            var q0 = Vector256.LoadUnsafe(ref q, 0);
            var q1 = Vector256.LoadUnsafe(ref q, ChunkBytes);
            var m0 = Vector256.LoadUnsafe(ref m, 0);
            var m1 = Vector256.LoadUnsafe(ref m, ChunkBytes);
            for (var row = start; row < end; row += RowBlock)
            {
                var o = (nuint)row * s;
                var scores = RowSums(
                    SignedDot64(ref codes, o, q0, q1, m0, m1, ones),
                    SignedDot64(ref codes, o + s, q0, q1, m0, m1, ones),
                    SignedDot64(ref codes, o + (2 * s), q0, q1, m0, m1, ones),
                    SignedDot64(ref codes, o + (3 * s), q0, q1, m0, m1, ones),
                    SignedDot64(ref codes, o + (4 * s), q0, q1, m0, m1, ones),
                    SignedDot64(ref codes, o + (5 * s), q0, q1, m0, m1, ones),
                    SignedDot64(ref codes, o + (6 * s), q0, q1, m0, m1, ones),
                    SignedDot64(ref codes, o + (7 * s), q0, q1, m0, m1, ones));
                Offer(scores, row, ref bar);
            }

            return;
        }

        for (var row = start; row < end; row += RowBlock)
        {
            var o = (nuint)row * s;
            var scores = RowSums(
                SignedDot(ref codes, o, s, ref q, ref m, ones),
                SignedDot(ref codes, o + s, s, ref q, ref m, ones),
                SignedDot(ref codes, o + (2 * s), s, ref q, ref m, ones),
                SignedDot(ref codes, o + (3 * s), s, ref q, ref m, ones),
                SignedDot(ref codes, o + (4 * s), s, ref q, ref m, ones),
                SignedDot(ref codes, o + (5 * s), s, ref q, ref m, ones),
                SignedDot(ref codes, o + (6 * s), s, ref q, ref m, ones),
                SignedDot(ref codes, o + (7 * s), s, ref q, ref m, ones));
            Offer(scores, row, ref bar);
        }
    }

    /// <summary>
    /// int4: nibbles split with a mask and a shift, multiplied by <c>vpmaddubsw</c> (unsigned codes × signed query)
    /// and widened by <c>vpmaddwd</c>. The codes are stored as code + 8, which adds 8 × Σ query to every row alike
    /// and so changes no ranking.
    /// </summary>
    private void ScanInt4(sbyte[] query, int start, int end, ref Bar bar)
    {
        ref var codes = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetArrayDataReference(_codes));
        ref var q = ref MemoryMarshal.GetArrayDataReference(query);
        var mask = Vector256.Create((byte)0x0F);
        var ones = Vector256.Create((short)1);
        var s = (nuint)_stride;
        if (s == ChunkBytes)
        {
            var qLo = Vector256.LoadUnsafe(ref q, 0);
            var qHi = Vector256.LoadUnsafe(ref q, ChunkBytes);
            for (var row = start; row < end; row += RowBlock)
            {
                var o = (nuint)row * s;
                var scores = RowSums(
                    Nibbles(ref codes, o, qLo, qHi, mask, ones),
                    Nibbles(ref codes, o + s, qLo, qHi, mask, ones),
                    Nibbles(ref codes, o + (2 * s), qLo, qHi, mask, ones),
                    Nibbles(ref codes, o + (3 * s), qLo, qHi, mask, ones),
                    Nibbles(ref codes, o + (4 * s), qLo, qHi, mask, ones),
                    Nibbles(ref codes, o + (5 * s), qLo, qHi, mask, ones),
                    Nibbles(ref codes, o + (6 * s), qLo, qHi, mask, ones),
                    Nibbles(ref codes, o + (7 * s), qLo, qHi, mask, ones));
                Offer(scores, row, ref bar);
            }

            return;
        }

        for (var row = start; row < end; row += RowBlock)
        {
            var o = (nuint)row * s;
            var scores = RowSums(
                NibbleDot(ref codes, o, s, ref q, mask, ones),
                NibbleDot(ref codes, o + s, s, ref q, mask, ones),
                NibbleDot(ref codes, o + (2 * s), s, ref q, mask, ones),
                NibbleDot(ref codes, o + (3 * s), s, ref q, mask, ones),
                NibbleDot(ref codes, o + (4 * s), s, ref q, mask, ones),
                NibbleDot(ref codes, o + (5 * s), s, ref q, mask, ones),
                NibbleDot(ref codes, o + (6 * s), s, ref q, mask, ones),
                NibbleDot(ref codes, o + (7 * s), s, ref q, mask, ones));
            Offer(scores, row, ref bar);
        }
    }

    /// <summary>Without AVX2: the same integer dot products, one code at a time.</summary>
    private void ScanPortable(sbyte[] query, int start, int end, ref Bar bar)
    {
        var stride = _stride;
        Span<int> scores = stackalloc int[RowBlock];
        for (var row = start; row < end; row += RowBlock)
        {
            for (var r = 0; r < RowBlock; r++)
            {
                var rowCodes = _codes.AsSpan((row + r) * stride, stride);
                var sum = 0;
                for (var b = 0; b < stride; b++)
                {
                    if (Bits == 8)
                    {
                        sum += rowCodes[b] * query[b];
                    }
                    else
                    {
                        var value = (byte)rowCodes[b];
                        var chunk = b / ChunkBytes * 2 * ChunkBytes;
                        var within = b % ChunkBytes;
                        sum += ((value & 0x0F) * query[chunk + within]) + ((value >> 4) * query[chunk + ChunkBytes + within]);
                    }
                }

                scores[r] = sum;
            }

            Offer(Vector256.Create<int>(scores), row, ref bar);
        }
    }

    /// <summary>Adds the rows of a block whose approximate score beats the running threshold and that pass the filter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Offer(Vector256<int> scores, int row, ref Bar bar)
    {
        // One vector compare rejects a whole block: after the first few thousand rows almost every block.
        var beats = Vector256.GreaterThan(scores, Vector256.Create(bar.Threshold)).ExtractMostSignificantBits();
        if (beats != 0)
        {
            OfferRows(scores, row, beats, ref bar);
        }
        else if ((row & SyncRows) == 0 && bar.Shared is not null)
        {
            bar.Threshold = Math.Max(bar.Threshold, bar.Shared.Value);
        }
    }

    /// <summary>The rare path of <see cref="Offer"/>, kept out of the scan loop.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OfferRows(Vector256<int> scores, int row, uint beats, ref Bar bar)
    {
        while (beats != 0)
        {
            var r = BitOperations.TrailingZeroCount(beats);
            beats &= beats - 1;
            var i = _rowOf is null ? row + r : _rowOf[row + r];
            var score = scores.GetElement(r);
            if (score > bar.Threshold && (uint)i < (uint)_exact.Count && bar.Filter.Passes(_exact, i))
            {
                bar.Top.Add(i, score);
                if (bar.Top.Bar > bar.Threshold)
                {
                    // Both bars only rise, so the higher of the two is still a valid bar.
                    bar.Threshold = Math.Max(bar.Threshold, bar.Shared?.Raise(bar.Top.Bar) ?? bar.Top.Bar);
                }
            }
        }
    }

    /// <summary>One row's int8 dot product at 64 dimensions as eight int32 lanes, the query in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> SignedDot64(ref sbyte codes, nuint offset, Vector256<sbyte> q0, Vector256<sbyte> q1, Vector256<byte> m0, Vector256<byte> m1, Vector256<short> ones)
    {
        var a = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(m0, Avx2.Sign(Vector256.LoadUnsafe(ref codes, offset), q0)), ones);
        return a + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(m1, Avx2.Sign(Vector256.LoadUnsafe(ref codes, offset + ChunkBytes), q1)), ones);
    }

    /// <summary>One row's int8 dot product as eight int32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> SignedDot(ref sbyte codes, nuint offset, nuint stride, ref sbyte q, ref byte magnitudes, Vector256<short> ones)
    {
        var acc = Vector256<int>.Zero;
        for (nuint c = 0; c < stride; c += ChunkBytes)
        {
            var signed = Avx2.Sign(Vector256.LoadUnsafe(ref codes, offset + c), Vector256.LoadUnsafe(ref q, c));
            acc += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref magnitudes, c), signed), ones);
        }

        return acc;
    }

    /// <summary>One row's int4 dot product as eight int32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> NibbleDot(ref byte codes, nuint offset, nuint stride, ref sbyte q, Vector256<byte> mask, Vector256<short> ones)
    {
        var acc = Vector256<int>.Zero;
        for (nuint c = 0; c < stride; c += ChunkBytes)
        {
            acc += Nibbles(ref codes, offset + c, Vector256.LoadUnsafe(ref q, 2 * c), Vector256.LoadUnsafe(ref q, (2 * c) + ChunkBytes), mask, ones);
        }

        return acc;
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

    /// <summary>The state a scan carries from block to block: its heap, its filter and the score a row must beat.</summary>
    private struct Bar(CandidateBuffer top, EmbeddedItemIndex.CompiledFilter filter, SharedThreshold? shared)
    {
        public readonly CandidateBuffer Top = top;
        public readonly EmbeddedItemIndex.CompiledFilter Filter = filter;
        public readonly SharedThreshold? Shared = shared;
        // A buffer that carries over from an earlier range (the lists of an IVF search) starts at the bar it reached.
        public int Threshold = Math.Max(top.Bar, shared?.Value ?? int.MinValue);
    }

    /// <summary>The highest k-th approximate score any part of a parallel scan has reached.</summary>
    private sealed class SharedThreshold
    {
        private int _value = int.MinValue;

        public int Value => Volatile.Read(ref _value);

        /// <summary>Raises the shared bar to at least <paramref name="bar"/> and returns it.</summary>
        public int Raise(int bar)
        {
            var current = Volatile.Read(ref _value);
            while (bar > current)
            {
                var seen = Interlocked.CompareExchange(ref _value, bar, current);
                if (seen == current)
                {
                    return bar;
                }

                current = seen;
            }

            return current;
        }
    }
}
