using System.Numerics.Tensors;

namespace ServerlessRec.Retrieval;

/// <summary>
/// The inverted-file index over the items of an <see cref="EmbeddedItemIndex"/>: the int8 codes of
/// <see cref="QuantizedItemIndex"/> stored list by list (the lists of an <see cref="IvfQuantiser"/>), so a query
/// scores the centroids, scans only the codes of its <see cref="Nprobe"/> best lists with the same SIMD kernels, and
/// re-ranks the candidates exactly with the float vectors. Category, availability and exclusion filters are checked
/// on every candidate as in the exhaustive scans; a filter that few items pass would leave the probed lists short of
/// matches, so such a query scans all lists (the same codes, so no second copy) instead.
/// </summary>
public sealed class IvfItemIndex : IItemIndex
{
    /// <summary>The default share of the catalog a filter must pass for the lists to be probed (below it: the exhaustive scan).</summary>
    public const double DefaultMinFilterSelectivity = 0.1;

    private const int RowBlock = 8;

    // How many rows, evenly spaced, estimate the share a category filter passes.
    private const int SelectivitySample = 1_024;
    private const double GoldenRatioFraction = 0.6180339887498949;

    private readonly EmbeddedItemIndex _exact;
    private readonly QuantizedItemIndex _codes;
    // Half precision: the centroids only choose the lists to probe (their scores are never returned), and at 4·√N lists
    // of 64 floats they would add 5% to the int8 codes at 100k items; half of that keeps the index within 1.1×.
    private readonly Half[] _centroids;
    private readonly int[] _listStart;
    /// <summary>
    /// The fewest candidates the IVF path re-ranks exactly: twice the exhaustive int8 scan's. The calibration's nprobe counts
    /// list coverage only, so the int8 ranking inside the probed lists must lose as little as possible on top of it; the
    /// extra 100 float dot products cost far less than the lists' scan.
    /// </summary>
    public const int DefaultMinCandidates = 2 * QuantizedItemIndex.DefaultMinCandidates;

    private readonly double _availableShare;
    private readonly Lazy<float> _outlierCosine;

    /// <summary>Builds the index from a quantiser trained on the same items (same rows, same order).</summary>
    /// <param name="exact">The exact index whose items, filters and float vectors are shared.</param>
    /// <param name="quantiser">The lists; its <see cref="IvfQuantiser.Nprobe"/> unless <paramref name="nprobe"/> is given.</param>
    /// <param name="nprobe">Lists probed per query; 0 means the quantiser's. <value>The default is 0.</value></param>
    /// <param name="minFilterSelectivity">
    /// Below this estimated share of items passing the filter a query scans every list. <value>The default is 0.1.</value>
    /// </param>
    /// <param name="maxDegreeOfParallelism">Threads the exhaustive fallback may use; 0 means one per core. <value>The default is 0.</value></param>
    public IvfItemIndex(EmbeddedItemIndex exact, IvfQuantiser quantiser, int nprobe = 0, double minFilterSelectivity = DefaultMinFilterSelectivity, int maxDegreeOfParallelism = 0)
        : this(exact, HalfPrecision(Checked(exact, quantiser).Centroids), quantiser.Lists, nprobe == 0 ? quantiser.Nprobe : nprobe, minFilterSelectivity, maxDegreeOfParallelism, QuantizedItemIndex.DefaultOversample, DefaultMinCandidates)
    {
    }

    private static Half[] HalfPrecision(ReadOnlySpan<float> centroids)
    {
        var half = new Half[centroids.Length];
        TensorPrimitives.ConvertToHalf(centroids, half);
        return half;
    }

    private IvfItemIndex(EmbeddedItemIndex exact, Half[] centroids, ReadOnlySpan<int> lists, int nprobe, double minFilterSelectivity, int maxDegreeOfParallelism, int oversample, int minCandidates)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nprobe);
        ArgumentOutOfRangeException.ThrowIfNegative(minFilterSelectivity);
        _exact = exact;
        ListCount = centroids.Length / exact.Dimensions;
        Nprobe = Math.Min(nprobe, ListCount);
        MinFilterSelectivity = minFilterSelectivity;
        _centroids = centroids;

        // Rows sorted by list (a counting sort, stable so rows keep their order within a list). Lists are not padded to
        // the kernels' 8-row blocks: a probe rounds its range out to whole blocks and merges neighbours, so the extra rows
        // it reads are real items of adjacent lists, and only the end of the matrix is padded.
        _listStart = new int[ListCount + 1];
        foreach (var list in lists)
        {
            _listStart[list + 1]++;
        }

        for (var l = 0; l < ListCount; l++)
        {
            _listStart[l + 1] += _listStart[l];
        }

        var rowOf = new int[(exact.Count + RowBlock - 1) / RowBlock * RowBlock];
        Array.Fill(rowOf, -1);
        var next = _listStart[..^1];
        for (var row = 0; row < lists.Length; row++)
        {
            rowOf[next[lists[row]]++] = row;
        }

        _codes = new QuantizedItemIndex(exact, rowOf, oversample, minCandidates, maxDegreeOfParallelism);
        var available = 0;
        for (var row = 0; row < exact.Count; row++)
        {
            available += exact.IsAvailable(row) ? 1 : 0;
        }

        _availableShare = exact.Count == 0 ? 0 : (double)available / exact.Count;
        _outlierCosine = new Lazy<float>(OutlierCosineOfSample, LazyThreadSafetyMode.ExecutionAndPublication);
        MemoryBytes = _codes.ScannedBytes + (rowOf.LongLength * sizeof(int)) + ((long)_centroids.Length * 2) + (_listStart.LongLength * sizeof(int));
    }

    /// <inheritdoc/>
    public string Version => _exact.Version;

    /// <summary>Gets the exact index this one searches.</summary>
    public EmbeddedItemIndex Exact => _exact;

    /// <summary>Gets the number of lists.</summary>
    public int ListCount { get; }

    /// <summary>Gets how many lists a query probes.</summary>
    public int Nprobe { get; }

    /// <summary>Gets the share of the catalog a filter must be estimated to pass for the lists to be probed.</summary>
    public double MinFilterSelectivity { get; }

    /// <summary>Gets the bytes the index holds beyond the exact one: int8 codes, row map, centroids, list offsets.</summary>
    public long MemoryBytes { get; }

    /// <summary>Gets the bytes of the int8 codes (what an exhaustive int8 scan reads).</summary>
    public long CodeBytes => _codes.ScannedBytes;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Search(query.Span, k, filter));

    /// <summary>Top-k by dot product among the items that pass the filter: probed lists' int8 candidates, exact float re-rank.</summary>
    public IReadOnlyList<ScoredItem> Search(ReadOnlySpan<float> query, int k, ItemFilter filter)
    {
        CheckQuery(query, k, filter);
        var nprobe = ProbesFor(filter);
        return SearchProbed(query, k, filter, nprobe, nprobe == 0 ? [] : RankLists(query, nprobe));
    }

    /// <summary>
    /// Builds an index over other items (a catalog's delta segment) on this index's lists: each item goes to the list of
    /// its nearest centroid, and the new index probes as many lists. <see cref="SearchWith"/> then searches both with one
    /// scoring of the centroids, so the other items add about <c>Nprobe / ListCount</c> of their number to a query
    /// instead of all of it.
    /// </summary>
    /// <param name="items">The items; same dimension.</param>
    /// <param name="oversample">Candidates kept per requested item before the exact re-rank. <value>The default is 10.</value></param>
    /// <param name="minCandidates">The fewest candidates re-ranked. <value>The default is 200.</value></param>
    public IvfItemIndex WithSameLists(EmbeddedItemIndex items, int oversample = QuantizedItemIndex.DefaultOversample, int minCandidates = DefaultMinCandidates)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Dimensions != _exact.Dimensions)
        {
            throw new ArgumentException($"the items have dimension {items.Dimensions}, the lists {_exact.Dimensions}", nameof(items));
        }

        var d = items.Dimensions;
        var vectors = items.Vectors;
        var lists = new int[items.Count];
        var scores = new float[ListCount];
        for (var row = 0; row < lists.Length; row++)
        {
            ScoreCentroids(vectors.Slice(row * d, d), scores);
            lists[row] = TensorPrimitives.IndexOfMax(scores);
        }

        return new IvfItemIndex(items, _centroids, lists, Nprobe, MinFilterSelectivity, maxDegreeOfParallelism: 1, oversample, minCandidates);
    }

    /// <summary>
    /// Gets the cosine to its nearest centroid below which a vector lies outside these lists: the 1st percentile over a
    /// sample of this index's own items (computed once). Other items below it (new items the item tower places away
    /// from the trained ones) would be found by a probe only by chance, so they are searched exhaustively instead.
    /// </summary>
    public float OutlierCosine => _outlierCosine.Value;

    /// <summary>Gets the cosine between a vector and its nearest centroid (the centroids are unit vectors).</summary>
    public float NearestCentroidCosine(ReadOnlySpan<float> vector)
    {
        var scores = ListCount <= 4_096 ? stackalloc float[ListCount] : new float[ListCount];
        ScoreCentroids(vector, scores);
        var best = TensorPrimitives.Max(scores);
        var norm = TensorPrimitives.Norm(vector);
        return norm > 0 ? best / norm : 0;
    }

    private float OutlierCosineOfSample()
    {
        var n = _exact.Count;
        var d = _exact.Dimensions;
        var sampled = Math.Min(n, SelectivitySample);
        var cosines = new float[sampled];
        for (var s = 0; s < sampled; s++)
        {
            var row = sampled == n ? s : (int)(((s + 1) * GoldenRatioFraction % 1.0) * n);
            cosines[s] = NearestCentroidCosine(_exact.Vectors.Slice(row * d, d));
        }

        Array.Sort(cosines);
        return sampled == 0 ? 0 : cosines[sampled / 100];
    }

    /// <summary>Gets whether <paramref name="other"/> was built on this index's lists (<see cref="WithSameLists"/>), or this one on its.</summary>
    public bool SharesListsWith(IvfItemIndex other) => other is not null && ReferenceEquals(other._centroids, _centroids);

    /// <summary>
    /// Searches this index (<paramref name="k"/>, <paramref name="filter"/>) and <paramref name="other"/>, built on the
    /// same lists (<paramref name="otherK"/>, <paramref name="otherFilter"/>), scoring the centroids once: each probes
    /// the lists its own filter needs, the best of the same ranking, and each falls back to scanning all its lists on
    /// its own terms, exactly as <see cref="Search(ReadOnlySpan{float}, int, ItemFilter)"/> would.
    /// </summary>
    public (IReadOnlyList<ScoredItem> Own, IReadOnlyList<ScoredItem> Other) SearchWith(IvfItemIndex other, ReadOnlySpan<float> query, int k, ItemFilter filter, int otherK, ItemFilter otherFilter)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!SharesListsWith(other))
        {
            throw new ArgumentException("the other index is not built on this index's lists", nameof(other));
        }

        CheckQuery(query, k, filter);
        other.CheckQuery(query, otherK, otherFilter);
        var own = ProbesFor(filter);
        var theirs = other.ProbesFor(otherFilter);
        var ranked = Math.Max(own, theirs) == 0 ? [] : RankLists(query, Math.Max(own, theirs));
        return (SearchProbed(query, k, filter, own, ranked), other.SearchProbed(query, otherK, otherFilter, theirs, ranked));
    }

    private static IvfQuantiser Checked(EmbeddedItemIndex exact, IvfQuantiser quantiser)
    {
        ArgumentNullException.ThrowIfNull(exact);
        ArgumentNullException.ThrowIfNull(quantiser);
        if (quantiser.ItemCount != exact.Count || quantiser.Dimensions != exact.Dimensions)
        {
            throw new ArgumentException($"the quantiser is for {quantiser.ItemCount} items of dimension {quantiser.Dimensions}, the index has {exact.Count} of dimension {exact.Dimensions}", nameof(quantiser));
        }

        return quantiser;
    }

    private void CheckQuery(ReadOnlySpan<float> query, int k, ItemFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (query.Length != _exact.Dimensions)
        {
            throw new ArgumentException($"query has {query.Length} values, expected {_exact.Dimensions}", nameof(query));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
    }

    /// <summary>The lists a query with this filter probes, or 0 when it scans all of them.</summary>
    private int ProbesFor(ItemFilter filter)
    {
        var share = PassingShare(filter);
        if (share < MinFilterSelectivity)
        {
            return 0;
        }

        // nprobe was chosen for unfiltered queries; a filter that passes a share s of the items needs about 1/s as many
        // rows probed to hold as many matches.
        return share >= 1 ? Nprobe : (int)Math.Min(ListCount, Math.Ceiling(Nprobe / share));
    }

    /// <summary>The search over the first <paramref name="nprobe"/> of <paramref name="ranked"/> (all lists when 0).</summary>
    private IReadOnlyList<ScoredItem> SearchProbed(ReadOnlySpan<float> query, int k, ItemFilter filter, int nprobe, ReadOnlySpan<int> ranked)
    {
        if (nprobe == 0)
        {
            return _codes.Search(query, k, filter);
        }

        var found = _codes.Search(query, k, filter, RangesOf(ranked[..nprobe]));

        // Fewer matches than asked in the probed lists: the filter is more selective there than the estimate said, and
        // the exhaustive scan finds the rest (or confirms there are no more).
        return found.Count < k && found.Count < _exact.Count ? _codes.Search(query, k, filter) : found;
    }

    /// <summary>
    /// Whether a query with this filter scans every list instead of probing: when the filter is estimated to pass
    /// fewer than <see cref="MinFilterSelectivity"/> of the items.
    /// </summary>
    public bool ScansAllLists(ItemFilter filter) => PassingShare(filter) < MinFilterSelectivity;

    /// <summary>
    /// The estimated share of items a filter passes: categories checked on a fixed low-discrepancy sample of rows
    /// (golden-ratio steps, so no period in the row order aliases with it), availability counted, excluded ids subtracted.
    /// </summary>
    private double PassingShare(ItemFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var hasCategories = filter.Categories is { Count: > 0 };
        var excluded = filter.ExcludedItemIds?.Count ?? 0;
        if (!hasCategories && !filter.AvailableOnly && excluded == 0)
        {
            return 1;
        }

        var n = _exact.Count;
        double share;
        if (hasCategories)
        {
            var compiled = _exact.CompileFilter(filter with { ExcludedItemIds = null });
            var sampled = Math.Min(n, SelectivitySample);
            var passed = 0;
            for (var s = 0; s < sampled; s++)
            {
                var row = sampled == n ? s : (int)(((s + 1) * GoldenRatioFraction % 1.0) * n);
                passed += compiled.Passes(_exact, row) ? 1 : 0;
            }

            share = sampled == 0 ? 0 : (double)passed / sampled;
        }
        else
        {
            share = filter.AvailableOnly ? _availableShare : 1;
        }

        return Math.Max(0, share - ((double)excluded / Math.Max(1, n)));
    }

    /// <summary>The <paramref name="count"/> lists whose centroids score highest for the query, best first.</summary>
    private int[] RankLists(ReadOnlySpan<float> query, int count)
    {
        var scores = ListCount <= 4_096 ? stackalloc float[ListCount] : new float[ListCount];
        ScoreCentroids(query, scores);
        var best = new TopK(count);
        for (var l = 0; l < ListCount; l++)
        {
            best.Add(l, scores[l]);
        }

        return best.Indices.ToArray();
    }

    /// <summary>The dot product of a vector with every centroid, widened from half precision a block of lists at a time.</summary>
    private void ScoreCentroids(ReadOnlySpan<float> vector, Span<float> scores)
    {
        var d = _exact.Dimensions;
        const int block = 16;
        var buffer = d * block <= 4_096 ? stackalloc float[d * block] : new float[d * block];
        for (var first = 0; first < ListCount; first += block)
        {
            var count = Math.Min(block, ListCount - first);
            var widened = buffer[..(count * d)];
            TensorPrimitives.ConvertToSingle(_centroids.AsSpan(first * d, count * d), widened);
            for (var l = 0; l < count; l++)
            {
                scores[first + l] = TensorPrimitives.Dot(vector, widened.Slice(l * d, d));
            }
        }
    }

    /// <summary>The code ranges of the lists, rounded out to whole 8-row blocks and merged where they meet, in position order.</summary>
    private List<(int Start, int End)> RangesOf(ReadOnlySpan<int> lists)
    {
        var ranges = new List<(int Start, int End)>(lists.Length);
        foreach (var list in lists)
        {
            if (_listStart[list + 1] > _listStart[list])
            {
                ranges.Add((_listStart[list] / RowBlock * RowBlock, (_listStart[list + 1] + RowBlock - 1) / RowBlock * RowBlock));
            }
        }

        ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<(int Start, int End)>(ranges.Count);
        foreach (var range in ranges)
        {
            if (merged.Count > 0 && range.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, range.End));
            }
            else
            {
                merged.Add(range);
            }
        }

        return merged;
    }
}
