using System.Numerics;
using System.Numerics.Tensors;
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

    private readonly float[] _vectors;
    private readonly string[] _ids;
    private readonly Dictionary<string, int> _indexById;
    private readonly bool[] _available;
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
        _vectors = new float[items.Count * dimensions];
        _ids = new string[items.Count];
        _available = new bool[items.Count];
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

            item.Vector.Span.CopyTo(_vectors.AsSpan(i * dimensions, dimensions));
            _ids[i] = item.ItemId;
            _available[i] = item.Available;
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
    public ReadOnlySpan<float> Vectors => _vectors;

    /// <summary>Gets the item ids in row order.</summary>
    public IReadOnlyList<string> ItemIds => _ids;

    /// <summary>Returns the row of an item id, or −1.</summary>
    public int RowOf(string itemId) => _indexById.TryGetValue(itemId, out var row) ? row : -1;

    /// <summary>Gets the vector of a row.</summary>
    public ReadOnlySpan<float> VectorOf(int row) => _vectors.AsSpan(row * Dimensions, Dimensions);

    /// <summary>Gets the popularity of a row.</summary>
    public long PopularityOf(int row) => _popularity[row];

    /// <summary>Gets whether a row is available.</summary>
    public bool IsAvailable(int row) => _available[row];

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
            return TensorPrimitives.Dot(_vectors.AsSpan(row * d, d), query);
        }

        ref var v = ref MemoryMarshal.GetArrayDataReference(_vectors);
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
    /// The exact scan's kernel: eight rows at a time, each 8-float chunk of the query loaded once and multiplied into
    /// eight accumulators, reduced by horizontal adds into one vector of eight scores that a single compare tests
    /// against the current k-th score. Memory-bound: it streams the matrix at close to the machine's read bandwidth.
    /// </summary>
    private void ScanBlocks(ReadOnlySpan<float> query, int rows, ref TopK top, CompiledFilter filter)
    {
        ref var v = ref MemoryMarshal.GetArrayDataReference(_vectors);
        ref var q = ref MemoryMarshal.GetReference(query);
        var d = Dimensions;
        var threshold = float.NegativeInfinity;
        for (var row = 0; row < rows; row += RowBlock)
        {
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            var a2 = Vector256<float>.Zero;
            var a3 = Vector256<float>.Zero;
            var a4 = Vector256<float>.Zero;
            var a5 = Vector256<float>.Zero;
            var a6 = Vector256<float>.Zero;
            var a7 = Vector256<float>.Zero;
            var offset = (nuint)row * (nuint)d;
            for (var c = 0; c < d; c += Vector256<float>.Count)
            {
                var qc = Vector256.LoadUnsafe(ref q, (nuint)c);
                var o = offset + (nuint)c;
                a0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o), qc, a0);
                a1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + (nuint)d), qc, a1);
                a2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + (nuint)(2 * d)), qc, a2);
                a3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + (nuint)(3 * d)), qc, a3);
                a4 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + (nuint)(4 * d)), qc, a4);
                a5 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + (nuint)(5 * d)), qc, a5);
                a6 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + (nuint)(6 * d)), qc, a6);
                a7 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref v, o + (nuint)(7 * d)), qc, a7);
            }

            var h0123 = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
            var h4567 = Avx.HorizontalAdd(Avx.HorizontalAdd(a4, a5), Avx.HorizontalAdd(a6, a7));
            var scores = Avx.Permute2x128(h0123, h4567, 0x20) + Avx.Permute2x128(h0123, h4567, 0x31);
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
        public bool Passes(EmbeddedItemIndex index, int row)
        {
            if (impossible || (availableOnly && !index._available[row]) || (excluded is not null && excluded.Contains(row)))
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
