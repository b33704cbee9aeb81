using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ServerlessRec.Retrieval;

/// <summary>
/// The in-process index: item vectors in one contiguous matrix, searched by an exact scan (dot product
/// with SIMD, memory-bandwidth bound) with category, availability and exclusion filters. It is the
/// reference ("brute-force oracle") the compressed path and Azure AI Search are tested against.
/// </summary>
public sealed class EmbeddedItemIndex : IItemIndex
{
    private const int RowBlock = 8;
    private const int CacheLine = 64;

    // The matrix lives in a pinned array whose first row starts on a cache line (_start floats in), so no 32-byte
    // load of the scan straddles two lines.
    private readonly float[] _vectors;
    private readonly int _start;
    private readonly string[] _ids;
    private readonly Dictionary<string, int> _indexById;
    // One bit per row (125 KB at a million items, so it stays in L2): a compressed scan checks availability for
    // thousands of candidates per query, and a bool per row cost a cache miss each.
    private readonly ulong[] _available;
    private readonly long[] _popularity;
    private readonly Dictionary<string, int> _categoryIds;
    private readonly int _categoryWords;
    private readonly ulong[] _categoryBits;

    /// <summary>Builds the index of a model version from its items.</summary>
    public EmbeddedItemIndex(string version, int dimensions, IReadOnlyList<IndexedItem> items)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Version = version;
        Dimensions = dimensions;
        Count = items.Count;
        (_vectors, _start) = AllocateAligned((long)items.Count * dimensions);
        _ids = new string[items.Count];
        _available = new ulong[(items.Count + 63) / 64];
        _popularity = new long[items.Count];
        _indexById = new Dictionary<string, int>(items.Count, StringComparer.Ordinal);
        _categoryIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            foreach (var category in item.Categories)
            {
                _categoryIds.TryAdd(category, _categoryIds.Count);
            }
        }

        _categoryWords = Math.Max(1, (_categoryIds.Count + 63) / 64);
        _categoryBits = new ulong[items.Count * _categoryWords];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item.Vector.Length != dimensions)
            {
                throw new ArgumentException($"item \"{item.ItemId}\" has a vector of {item.Vector.Length} values, expected {dimensions}", nameof(items));
            }

            if (!_indexById.TryAdd(item.ItemId, i))
            {
                throw new ArgumentException($"item \"{item.ItemId}\" appears twice", nameof(items));
            }

            item.Vector.Span.CopyTo(_vectors.AsSpan(_start + (i * dimensions), dimensions));
            _ids[i] = item.ItemId;
            if (item.Available)
            {
                _available[i >> 6] |= 1UL << (i & 63);
            }
            _popularity[i] = item.Popularity;
            foreach (var category in item.Categories)
            {
                var bit = _categoryIds[category];
                _categoryBits[(i * _categoryWords) + (bit / 64)] |= 1UL << (bit % 64);
            }
        }
    }

    /// <inheritdoc/>
    public string Version { get; }

    /// <summary>Gets the vector dimension.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the number of items.</summary>
    public int Count { get; }

    /// <summary>Gets the item vectors, [Count × Dimensions] row-major.</summary>
    public ReadOnlySpan<float> Vectors => _vectors.AsSpan(_start, Count * Dimensions);

    /// <summary>Gets the item vectors as memory (for work that crosses threads).</summary>
    internal ReadOnlyMemory<float> VectorMemory => _vectors.AsMemory(_start, Count * Dimensions);

    /// <summary>Gets the item ids in row order.</summary>
    public IReadOnlyList<string> ItemIds => _ids;

    /// <summary>Returns the row of an item id, or −1.</summary>
    public int RowOf(string itemId) => _indexById.TryGetValue(itemId, out var row) ? row : -1;

    /// <summary>Gets the vector of a row.</summary>
    public ReadOnlySpan<float> VectorOf(int row) => _vectors.AsSpan(_start + (row * Dimensions), Dimensions);

    /// <summary>Gets the popularity of a row.</summary>
    public long PopularityOf(int row) => _popularity[row];

    /// <summary>Gets whether a row is available.</summary>
    public bool IsAvailable(int row) => (uint)row < (uint)Count ? (_available[row >> 6] & (1UL << (row & 63))) != 0 : throw new ArgumentOutOfRangeException(nameof(row));

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Search(query.Span, k, filter));

    /// <summary>Exact top-k by dot product among the items that pass the filter.</summary>
    public IReadOnlyList<ScoredItem> Search(ReadOnlySpan<float> query, int k, ItemFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (query.Length != Dimensions)
        {
            throw new ArgumentException($"query has {query.Length} values, expected {Dimensions}", nameof(query));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var compiled = CompileFilter(filter);
        var top = new TopK(k);
        var d = Dimensions;
        var blocked = Fma.IsSupported && Avx.IsSupported && d % Vector256<float>.Count == 0 ? Count / RowBlock * RowBlock : 0;
        if (blocked > 0)
        {
            ScanBlocks(query, blocked, ref top, compiled);
        }

        for (var i = blocked; i < Count; i++)
        {
            // Score first: most rows cannot enter the top k, so most filter look-ups are skipped.
            var score = Score(i, query);
            if ((top.Count < top.Capacity || score > top.Threshold) && compiled.Passes(this, i))
            {
                top.Add(i, score);
            }
        }

        return ToResults(top);
    }

    /// <summary>
    /// The exact score of one row, bit for bit the value the blocked scan computes (same FMA chains per lane, same
    /// pairwise reduction), so a re-rank or a tail row never disagrees with the scan by an ulp.
    /// </summary>
    internal float Score(int row, ReadOnlySpan<float> query)
    {
        var d = Dimensions;
        if (!(Fma.IsSupported && Avx.IsSupported && d % Vector256<float>.Count == 0))
        {
            return TensorPrimitives.Dot(VectorOf(row), query);
        }

        ref var v = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_vectors), _start);
        ref var q = ref MemoryMarshal.GetReference(query);
        var offset = (nuint)row * (nuint)d;
        var a = Vector256<float>.Zero;
        for (var c = 0; c < d; c += Vector256<float>.Count)
        {
            a = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, offset + (nuint)c), Vector256.LoadUnsafe(ref q, (nuint)c), a);
        }

        return ((a.GetElement(0) + a.GetElement(1)) + (a.GetElement(2) + a.GetElement(3))) + ((a.GetElement(4) + a.GetElement(5)) + (a.GetElement(6) + a.GetElement(7)));
    }

    /// <summary>
    /// The exact scan's kernel: blocks of eight rows, each row's dot product accumulated in one register in the same
    /// FMA order as <see cref="Score"/>, the eight accumulators reduced by horizontal adds into one vector of scores
    /// that a single compare tests against the current k-th score. Rows are read front to back, one after the other:
    /// interleaving the eight rows' loads (row 0 chunk 0, row 1 chunk 0, …) cost a quarter of the bandwidth, because
    /// the hardware prefetchers see eight strided streams instead of one. At 64 dimensions the query stays in eight
    /// registers.
    /// </summary>
    private void ScanBlocks(ReadOnlySpan<float> query, int rows, ref TopK top, CompiledFilter filter)
    {
        ref var v = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_vectors), _start);
        ref var q = ref MemoryMarshal.GetReference(query);
        var d = (nuint)Dimensions;
        var threshold = float.NegativeInfinity;
        if (d == 64)
        {
            var q0 = Vector256.LoadUnsafe(ref q, 0);
            var q1 = Vector256.LoadUnsafe(ref q, 8);
            var q2 = Vector256.LoadUnsafe(ref q, 16);
            var q3 = Vector256.LoadUnsafe(ref q, 24);
            var q4 = Vector256.LoadUnsafe(ref q, 32);
            var q5 = Vector256.LoadUnsafe(ref q, 40);
            var q6 = Vector256.LoadUnsafe(ref q, 48);
            var q7 = Vector256.LoadUnsafe(ref q, 56);
            for (var row = 0; row < rows; row += RowBlock)
            {
                var o = (nuint)row * 64;
                var scores = RowSums(
                    Dot64(ref v, o, q0, q1, q2, q3, q4, q5, q6, q7),
                    Dot64(ref v, o + 64, q0, q1, q2, q3, q4, q5, q6, q7),
                    Dot64(ref v, o + 128, q0, q1, q2, q3, q4, q5, q6, q7),
                    Dot64(ref v, o + 192, q0, q1, q2, q3, q4, q5, q6, q7),
                    Dot64(ref v, o + 256, q0, q1, q2, q3, q4, q5, q6, q7),
                    Dot64(ref v, o + 320, q0, q1, q2, q3, q4, q5, q6, q7),
                    Dot64(ref v, o + 384, q0, q1, q2, q3, q4, q5, q6, q7),
                    Dot64(ref v, o + 448, q0, q1, q2, q3, q4, q5, q6, q7));
                Offer(scores, row, ref threshold, ref top, filter);
            }

            return;
        }

        for (var row = 0; row < rows; row += RowBlock)
        {
            var o = (nuint)row * d;
            var scores = RowSums(
                Dot(ref v, ref q, o, d),
                Dot(ref v, ref q, o + d, d),
                Dot(ref v, ref q, o + (2 * d), d),
                Dot(ref v, ref q, o + (3 * d), d),
                Dot(ref v, ref q, o + (4 * d), d),
                Dot(ref v, ref q, o + (5 * d), d),
                Dot(ref v, ref q, o + (6 * d), d),
                Dot(ref v, ref q, o + (7 * d), d));
            Offer(scores, row, ref threshold, ref top, filter);
        }
    }

    /// <summary>Adds the rows of a block that beat the k-th score and pass the filter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Offer(Vector256<float> scores, int row, ref float threshold, ref TopK top, CompiledFilter filter)
    {
        var beats = Vector256.GreaterThan(scores, Vector256.Create(threshold)).ExtractMostSignificantBits();
        while (beats != 0)
        {
            var r = BitOperations.TrailingZeroCount(beats);
            beats &= beats - 1;
            var score = scores.GetElement(r);
            if (score > threshold && filter.Passes(this, row + r))
            {
                top.Add(row + r, score);
                threshold = top.Count < top.Capacity ? float.NegativeInfinity : top.Threshold;
            }
        }
    }

    /// <summary>One row's 8-lane FMA accumulator at 64 dimensions, the query in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Dot64(ref float v, nuint o, Vector256<float> q0, Vector256<float> q1, Vector256<float> q2, Vector256<float> q3, Vector256<float> q4, Vector256<float> q5, Vector256<float> q6, Vector256<float> q7)
    {
        var a = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o), q0, Vector256<float>.Zero);
        a = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + 8), q1, a);
        a = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + 16), q2, a);
        a = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + 24), q3, a);
        a = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + 32), q4, a);
        a = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + 40), q5, a);
        a = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + 48), q6, a);
        return Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + 56), q7, a);
    }

    /// <summary>One row's 8-lane FMA accumulator at any multiple of 8 dimensions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Dot(ref float v, ref float q, nuint o, nuint d)
    {
        var a = Vector256<float>.Zero;
        for (nuint c = 0; c < d; c += (nuint)Vector256<float>.Count)
        {
            a = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + c), Vector256.LoadUnsafe(ref q, c), a);
        }

        return a;
    }

    /// <summary>Pairwise horizontal adds reduce 8 row accumulators to one vector of the 8 row sums (the order <see cref="Score"/> uses).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> RowSums(Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3, Vector256<float> a4, Vector256<float> a5, Vector256<float> a6, Vector256<float> a7)
    {
        var h0123 = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
        var h4567 = Avx.HorizontalAdd(Avx.HorizontalAdd(a4, a5), Avx.HorizontalAdd(a6, a7));
        return Avx.Permute2x128(h0123, h4567, 0x20) + Avx.Permute2x128(h0123, h4567, 0x31);
    }

    /// <summary>A pinned array holding <paramref name="length"/> floats from a cache-line boundary, and that boundary's index.</summary>
    private static (float[] Array, int Start) AllocateAligned(long length)
    {
        if (length > Array.MaxLength - (CacheLine / sizeof(float)))
        {
            throw new ArgumentException($"{length:N0} vector values do not fit in one index matrix");
        }

        var array = GC.AllocateArray<float>((int)length + (CacheLine / sizeof(float)), pinned: true);
        var misalignment = (int)(Marshal.UnsafeAddrOfPinnedArrayElement(array, 0) % CacheLine);
        var start = misalignment == 0 ? 0 : (CacheLine - misalignment) / sizeof(float);
        return (array, start);
    }

    /// <summary>Returns the most popular items that pass the filter (the fallback when a user has no usable history).</summary>
    public IReadOnlyList<ScoredItem> MostPopular(int k, ItemFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var compiled = CompileFilter(filter);
        var top = new TopK(k);
        for (var i = 0; i < Count; i++)
        {
            if (compiled.Passes(this, i))
            {
                top.Add(i, _popularity[i]);
            }
        }

        return ToResults(top);
    }

    /// <summary>A new index of some of this one's rows (in the order given), with their ids, vectors, categories, availability and popularity.</summary>
    internal EmbeddedItemIndex Subset(IEnumerable<int> rows)
    {
        var names = new string[_categoryIds.Count];
        foreach (var (category, bit) in _categoryIds)
        {
            names[bit] = category;
        }

        var items = new List<IndexedItem>();
        foreach (var row in rows)
        {
            var categories = new List<string>();
            for (var w = 0; w < _categoryWords; w++)
            {
                var bits = _categoryBits[(row * _categoryWords) + w];
                while (bits != 0)
                {
                    categories.Add(names[(w * 64) + System.Numerics.BitOperations.TrailingZeroCount(bits)]);
                    bits &= bits - 1;
                }
            }

            items.Add(new IndexedItem(_ids[row], VectorOf(row).ToArray(), categories, IsAvailable(row), PopularityOf(row)));
        }

        return new EmbeddedItemIndex(Version, Dimensions, items);
    }

    /// <summary>The rows of each category, ascending (one pass over the rows' category bits).</summary>
    internal Dictionary<string, int[]> RowsByCategory()
    {
        var lists = new List<int>[_categoryIds.Count];
        for (var row = 0; row < Count; row++)
        {
            for (var w = 0; w < _categoryWords; w++)
            {
                var bits = _categoryBits[(row * _categoryWords) + w];
                while (bits != 0)
                {
                    var bit = (w * 64) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                    (lists[bit] ??= []).Add(row);
                    bits &= bits - 1;
                }
            }
        }

        return _categoryIds.ToDictionary(c => c.Key, c => lists[c.Value] is { } list ? list.ToArray() : [], StringComparer.Ordinal);
    }

    internal CompiledFilter CompileFilter(ItemFilter filter)
    {
        ulong[]? mask = null;
        var impossible = false;
        if (filter.Categories is { Count: > 0 } categories)
        {
            mask = new ulong[_categoryWords];
            foreach (var category in categories)
            {
                if (_categoryIds.TryGetValue(category, out var bit))
                {
                    mask[bit / 64] |= 1UL << (bit % 64);
                }
            }

            impossible = Array.TrueForAll(mask, w => w == 0);
        }

        HashSet<int>? excluded = null;
        if (filter.ExcludedItemIds is { Count: > 0 } ids)
        {
            excluded = [];
            foreach (var id in ids)
            {
                if (_indexById.TryGetValue(id, out var row))
                {
                    excluded.Add(row);
                }
            }
        }

        return new CompiledFilter(mask, filter.AvailableOnly, excluded, impossible);
    }

    internal IReadOnlyList<ScoredItem> ToResults(TopK top)
    {
        var results = new ScoredItem[top.Count];
        for (var r = 0; r < top.Count; r++)
        {
            results[r] = new ScoredItem(_ids[top.Indices[r]], top.Scores[r]);
        }

        return results;
    }

    /// <summary>A filter resolved against this index's rows.</summary>
    internal sealed class CompiledFilter(ulong[]? categoryMask, bool availableOnly, HashSet<int>? excluded, bool impossible)
    {
        /// <summary>Gets how many rows the filter excludes by id.</summary>
        public int ExcludedCount => excluded?.Count ?? 0;

        /// <summary>Gets whether a row is excluded by id.</summary>
        public bool IsExcluded(int row) => excluded is not null && excluded.Contains(row);

        /// <summary>The same filter without its excluded ids (the caller removes those rows itself).</summary>
        public CompiledFilter WithoutExclusions() => new(categoryMask, availableOnly, null, impossible);

        public bool Passes(EmbeddedItemIndex index, int row)
        {
            if (impossible || (availableOnly && (index._available[row >> 6] & (1UL << (row & 63))) == 0) || (excluded is not null && excluded.Contains(row)))
            {
                return false;
            }

            if (categoryMask is null)
            {
                return true;
            }

            var words = index._categoryWords;
            var bits = index._categoryBits.AsSpan(row * words, words);
            for (var w = 0; w < words; w++)
            {
                if ((bits[w] & categoryMask[w]) != 0)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
