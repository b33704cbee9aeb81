using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Training;

namespace ServerlessRec.Catalog;

/// <summary>
/// What the catalog API changed, applied to one live model version on one instance: a small <b>delta segment</b>
/// (an <see cref="EmbeddedItemIndex"/> of the items that need a vector the model does not have: ids unknown to it,
/// whose vectors come from the item tower's features alone, and known ids whose features or categories changed, which
/// keep their trained id embedding with the new features), searched beside the main index; the ids whose main-index
/// row must not be returned (changed, unavailable or deleted); and the new items that exposure gives slots to.
/// A model that was trained with the updates makes them no-ops (same features, same availability), so they fold into
/// the main matrix at the next activation without any bookkeeping.
/// </summary>
public sealed class CatalogOverlay
{
    private readonly HashSet<string> _hiddenInMain;
    private readonly HashSet<string> _hiddenWhenAvailableOnly;
    private readonly Dictionary<string, LiveItemState> _states;
    private readonly DateTimeOffset _latestFirstSeen;
    private readonly IItemIndex? _deltaSearch;

    // Delta items outside the main index's lists (beside an IVF main index only), scanned exactly.
    private readonly EmbeddedItemIndex? _deltaOutliers;

    // Delta rows by category, ascending: a request filtered to categories few delta items carry scores just those rows.
    private readonly Dictionary<string, int[]>? _deltaRowsByCategory;

    private CatalogOverlay(string version, long generation, int mainItems, IItemIndex? main, EmbeddedItemIndex? delta, HashSet<string> hiddenInMain, HashSet<string> hiddenWhenAvailableOnly, Dictionary<string, LiveItemState> states, Dictionary<string, float[]> vectors)
    {
        Version = version;
        Generation = generation;
        Delta = delta;
        (_deltaSearch, _deltaOutliers) = delta is null ? (null, null) : DeltaSearchIndex(delta, mainItems, main);
        _deltaRowsByCategory = delta?.RowsByCategory();
        _hiddenInMain = hiddenInMain;
        _hiddenWhenAvailableOnly = hiddenWhenAvailableOnly;
        _states = states;
        Vectors = vectors;
        _latestFirstSeen = states.Count == 0 ? DateTimeOffset.MinValue : states.Values.Max(s => s.FirstSeen);
    }

    /// <summary>Gets how the delta segment is searched, for benches and diagnostics (empty without a delta).</summary>
    public string DeltaSearchDescription => _deltaSearch switch
    {
        null => string.Empty,
        IvfItemIndex ivf => $"{ivf.Exact.Count:N0} items in the main index's {ivf.ListCount:N0} IVF lists (nprobe {ivf.Nprobe}), {_deltaOutliers?.Count ?? 0:N0} outside them scanned exactly",
        QuantizedItemIndex codes => $"{codes.Exact.Count:N0} items, int{codes.Bits} codes scanned with an exact re-rank",
        _ => $"{Delta!.Count:N0} items scanned exactly",
    };

    /// <summary>Gets the index the delta segment is searched through (null without a delta).</summary>
    internal IItemIndex? DeltaSearch => _deltaSearch;

    /// <summary>An overlay of a delta segment beside <paramref name="main"/> without a model: the delta's items as given, <paramref name="hiddenInMain"/> hidden in the main index.</summary>
    internal static CatalogOverlay Of(IItemIndex main, int mainItems, EmbeddedItemIndex delta, IEnumerable<string> hiddenInMain)
    {
        var hidden = new HashSet<string>(hiddenInMain, StringComparer.Ordinal);
        return new(main.Version, 0, mainItems, main, delta, hidden, new HashSet<string>(hidden, StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal));
    }

    /// <summary>Gets an overlay that changes nothing.</summary>
    public static CatalogOverlay Empty { get; } = EmptyFor(string.Empty, -1);

    /// <summary>Returns an overlay of a version that changes nothing (no updates yet).</summary>
    public static CatalogOverlay EmptyFor(string version, long generation) =>
        new(version, generation, 0, null, null, [], [], new(StringComparer.Ordinal), new(StringComparer.Ordinal));

    /// <summary>Gets the model version the overlay applies to.</summary>
    public string Version { get; }

    /// <summary>Gets the update generation of <see cref="LiveCatalog"/> it was built from.</summary>
    public long Generation { get; }

    /// <summary>Gets the delta segment (embedded mode), or null when no item needs a vector of its own.</summary>
    public EmbeddedItemIndex? Delta { get; }

    /// <summary>Gets the delta items' vectors by id (reused by the next overlay of the same version).</summary>
    internal Dictionary<string, float[]> Vectors { get; }

    /// <summary>Gets a value indicating whether the overlay changes nothing.</summary>
    public bool IsEmpty => Delta is null && _hiddenInMain.Count == 0 && _hiddenWhenAvailableOnly.Count == 0 && _states.Count == 0;

    /// <summary>Gets the latest state of an item the API changed, or null.</summary>
    public LiveItemState? StateOf(string itemId) => _states.GetValueOrDefault(itemId);

    /// <summary>Gets the states of every item the API changed.</summary>
    public IEnumerable<LiveItemState> States => _states.Values;

    /// <summary>Returns the filter the main index is searched with: the request's, plus the rows the overlay replaces or hides.</summary>
    public ItemFilter MainFilter(ItemFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var hidden = filter.AvailableOnly ? _hiddenWhenAvailableOnly : _hiddenInMain;
        if (hidden.Count == 0)
        {
            return filter;
        }

        if (filter.ExcludedItemIds is not { Count: > 0 } requested)
        {
            // The overlay's own set, not a copy: the copy was a per-search cost proportional to the items the API changed.
            return filter with { ExcludedItemIds = hidden };
        }

        var excluded = new HashSet<string>(hidden, StringComparer.Ordinal);
        excluded.UnionWith(requested);
        return filter with { ExcludedItemIds = excluded };
    }

    /// <summary>Searches the main index (<paramref name="main"/>) and the delta segment, and merges the two best-first.</summary>
    public async ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(Func<ItemFilter, ValueTask<IReadOnlyList<ScoredItem>>> main, ReadOnlyMemory<float> query, int k, ItemFilter filter)
    {
        ArgumentNullException.ThrowIfNull(main);
        var fromMain = await main(MainFilter(filter)).ConfigureAwait(false);
        if (Delta is null)
        {
            return fromMain;
        }

        var fromDelta = SearchDeltaByCategory(query.Span, Math.Min(k, Delta.Count), filter)
            ?? await _deltaSearch!.SearchAsync(query, Math.Min(k, Delta.Count), filter).ConfigureAwait(false);
        if (_deltaOutliers is not null)
        {
            fromDelta = Merge(fromDelta, _deltaOutliers.Search(query.Span, Math.Min(k, _deltaOutliers.Count), filter), k);
        }

        if (fromDelta.Count == 0)
        {
            return fromMain;
        }

        return Merge(fromMain, fromDelta, k);
    }

    /// <summary>
    /// Searches <paramref name="main"/> (the instance's own index, the one the overlay was built on) and the delta
    /// segment, and merges the two best-first. When the main index is an <see cref="IvfItemIndex"/>, the delta lies
    /// in its lists and both are probed with one scoring of the centroids; otherwise as
    /// <see cref="SearchAsync(Func{ItemFilter, ValueTask{IReadOnlyList{ScoredItem}}}, ReadOnlyMemory{float}, int, ItemFilter)"/>.
    /// </summary>
    public ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(IItemIndex main, ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(main);
        ArgumentNullException.ThrowIfNull(filter);
        if (Delta is not null && _deltaSearch is IvfItemIndex delta && main is IvfItemIndex ivf && ivf.SharesListsWith(delta) && !HasFewDeltaRows(filter))
        {
            var (fromMain, fromDelta) = ivf.SearchWith(delta, query.Span, k, MainFilter(filter), Math.Min(k, delta.Exact.Count), filter);
            var merged = Merge(fromMain, fromDelta, k);
            return ValueTask.FromResult(_deltaOutliers is null ? merged : Merge(merged, _deltaOutliers.Search(query.Span, Math.Min(k, _deltaOutliers.Count), filter), k));
        }

        return SearchAsync(f => main.SearchAsync(query, k, f, cancellationToken), query, k, filter);
    }

    /// <summary>
    /// Whether the filter's categories hold fewer than <see cref="DeltaRowsByCategoryBelowShare"/> of the delta's items:
    /// then the delta is searched through its category rows (<see cref="SearchDeltaByCategory"/>).
    /// </summary>
    private bool HasFewDeltaRows(ItemFilter filter)
    {
        if (Delta is null || filter.Categories is not { Count: > 0 } categories)
        {
            return false;
        }

        var rows = 0L;
        foreach (var category in categories)
        {
            rows += _deltaRowsByCategory!.TryGetValue(category, out var list) ? list.Length : 0;
        }

        return rows < Delta.Count * DeltaRowsByCategoryBelowShare;
    }

    /// <summary>
    /// The delta's top k for a filter whose categories few delta items carry, scored exactly on those rows only; null
    /// when the filter has no categories or they hold a larger share (the delta's index then). Beside a main index
    /// that scans every row for such a filter, scanning all delta rows made the delta cost its full share of rows
    /// (a 10% delta: +10–13% per search); the rows of one category in twenty cost a twentieth, and the scores are exact.
    /// </summary>
    private IReadOnlyList<ScoredItem>? SearchDeltaByCategory(ReadOnlySpan<float> query, int k, ItemFilter filter)
    {
        if (!HasFewDeltaRows(filter))
        {
            return null;
        }

        var delta = Delta!;
        var categories = filter.Categories!;
        IEnumerable<int> rows = categories.Count == 1
            ? _deltaRowsByCategory!.GetValueOrDefault(categories.First(), [])
            : categories.SelectMany(c => _deltaRowsByCategory!.GetValueOrDefault(c, [])).Distinct().Order();
        var compiled = delta.CompileFilter(filter);
        var best = new TopK(k);

        // Ascending rows, so equal scores keep the lower row first as the exact scan does.
        foreach (var row in rows)
        {
            if (compiled.Passes(delta, row))
            {
                best.Add(row, delta.Score(row, query));
            }
        }

        return delta.ToResults(best);
    }

    /// <summary>The best <paramref name="k"/> of two best-first lists (the main index's first on equal scores).</summary>
    private static IReadOnlyList<ScoredItem> Merge(IReadOnlyList<ScoredItem> fromMain, IReadOnlyList<ScoredItem> fromDelta, int k)
    {
        if (fromDelta.Count == 0)
        {
            return fromMain;
        }

        var merged = new List<ScoredItem>(Math.Min(k, fromMain.Count + fromDelta.Count));
        int m = 0, d = 0;
        while (merged.Count < k && (m < fromMain.Count || d < fromDelta.Count))
        {
            merged.Add(d >= fromDelta.Count || (m < fromMain.Count && fromMain[m].Score >= fromDelta[d].Score) ? fromMain[m++] : fromDelta[d++]);
        }

        return merged;
    }

    /// <summary>
    /// Returns whether an item counts as new for exposure: the API first named it less than <paramref name="maxAge"/>
    /// ago, or the model saw fewer than <paramref name="maxInteractions"/> positive events of it.
    /// </summary>
    public bool IsNew(string itemId, long popularity, DateTimeOffset now, TimeSpan maxAge, int maxInteractions) =>
        (_states.TryGetValue(itemId, out var state) && !state.Item.Deleted && now - state.FirstSeen < maxAge) || popularity < maxInteractions;

    /// <summary>Returns whether any item the API named is younger than <paramref name="maxAge"/> (a cheap test before exposure searches).</summary>
    public bool HasNewItems(DateTimeOffset now, TimeSpan maxAge) => _states.Count > 0 && now - _latestFirstSeen < maxAge;

    /// <summary>Returns whether an item passes a filter by its live state (unknown to the overlay: null, the model decides).</summary>
    public bool? Passes(string itemId, ItemFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (!_states.TryGetValue(itemId, out var state))
        {
            return null;
        }

        var item = state.Item;
        return !item.Deleted
            && (!filter.AvailableOnly || item.Available)
            && (filter.ExcludedItemIds is null || !filter.ExcludedItemIds.Contains(itemId))
            && (filter.Categories is not { Count: > 0 } categories || item.Categories.Any(categories.Contains));
    }

    /// <summary>
    /// Builds the overlay of <paramref name="states"/> on <paramref name="model"/>. In embedded mode the items that need a
    /// vector get one from the item tower (<paramref name="itemTower"/>, loaded only when some item needs it), reusing the
    /// vectors of <paramref name="previous"/> for items whose state did not change; in AI Search mode no delta is built
    /// (the writer merged the vectors into the version's index) and only availability is applied.
    /// </summary>
    public static async Task<CatalogOverlay> BuildAsync(ServingModel model, long generation, IReadOnlyDictionary<string, LiveItemState> states, CatalogOverlay? previous, Func<CancellationToken, Task<OnnxItemTower>> itemTower, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(itemTower);
        var hiddenInMain = new HashSet<string>(StringComparer.Ordinal);
        var hiddenWhenAvailableOnly = new HashSet<string>(StringComparer.Ordinal);
        var needVectors = new List<(LiveItemState State, int Index, int[] Features)>();
        var reuse = previous is not null && previous.Version == model.Version ? previous : null;
        var hasher = new ItemFeatureHasher(model.Manifest.FeatureBuckets);
        var embedded = model.Mode == ServingMode.Embedded;
        foreach (var state in states.Values)
        {
            var item = state.Item;
            var index = model.IndexOf(item.ItemId);
            if (item.Deleted)
            {
                hiddenInMain.Add(item.ItemId);
                hiddenWhenAvailableOnly.Add(item.ItemId);
                continue;
            }

            if (!item.Available)
            {
                hiddenWhenAvailableOnly.Add(item.ItemId);
            }

            if (!embedded)
            {
                continue;
            }

            var features = FeaturesOf(hasher, item);
            if (index > 0)
            {
                var trained = model.Items[index - 1];
                var sameFeatures = trained.Features.AsSpan().SequenceEqual(features) && trained.Categories.AsSpan().SequenceEqual(item.Categories.Distinct(StringComparer.Ordinal).ToArray());
                if (sameFeatures && (trained.Available || !item.Available))
                {
                    // The model already has this item as written (or the update only takes it out of stock).
                    continue;
                }

                hiddenInMain.Add(item.ItemId);
                hiddenWhenAvailableOnly.Add(item.ItemId);
            }

            needVectors.Add((state, index, features));
        }

        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        EmbeddedItemIndex? delta = null;
        if (needVectors.Count > 0)
        {
            var d = model.Manifest.Dimensions;
            var missing = needVectors.Where(n => !(reuse is not null && reuse.Vectors.ContainsKey(n.State.Item.ItemId) && reuse._states.TryGetValue(n.State.Item.ItemId, out var old) && SameFeatures(old.Item, n.State.Item))).ToList();
            foreach (var n in needVectors.Except(missing))
            {
                vectors[n.State.Item.ItemId] = reuse!.Vectors[n.State.Item.ItemId];
            }

            if (missing.Count > 0)
            {
                var tower = await itemTower(cancellationToken).ConfigureAwait(false);
                var width = Math.Max(1, missing.Max(m => m.Features.Length));
                var indices = new long[missing.Count];
                var featureIndices = new long[missing.Count * width];
                for (var i = 0; i < missing.Count; i++)
                {
                    indices[i] = missing[i].Index;
                    for (var f = 0; f < missing[i].Features.Length; f++)
                    {
                        featureIndices[(i * width) + f] = missing[i].Features[f];
                    }
                }

                var output = new float[missing.Count * d];
                tower.Compute(indices, featureIndices, width, output);
                for (var i = 0; i < missing.Count; i++)
                {
                    vectors[missing[i].State.Item.ItemId] = output.AsSpan(i * d, d).ToArray();
                }
            }

            var indexed = needVectors.Select(n => new IndexedItem(
                n.State.Item.ItemId,
                vectors[n.State.Item.ItemId],
                n.State.Item.Categories.Distinct(StringComparer.Ordinal).ToArray(),
                n.State.Item.Available,
                n.Index > 0 ? model.PopularityOf(n.Index) : 0)).ToList();
            delta = new EmbeddedItemIndex(model.Version, d, indexed);
        }

        return new CatalogOverlay(model.Version, generation, model.ItemCount, model.Mode == ServingMode.Embedded ? model.SearchIndex : null, delta, hiddenInMain, hiddenWhenAvailableOnly, new Dictionary<string, LiveItemState>(states, StringComparer.Ordinal), vectors);
    }

    /// <summary>From this many delta items the delta is scanned through codes (as the main index) when the main index is compressed.</summary>
    public const int CompressedDeltaFromItems = 4_096;

    /// <summary>Below this share of the delta's items passing a category filter, the delta is searched through its category rows.</summary>
    public const double DeltaRowsByCategoryBelowShare = 0.1;

    /// <summary>From this many delta items the delta is put into the main index's IVF lists when the main index has them.</summary>
    public const int IvfDeltaFromItems = 512;

    /// <summary>
    /// How the delta is searched. Beside an <see cref="IvfItemIndex"/> (from <see cref="IvfDeltaFromItems"/> items) each
    /// delta item goes to the list of its nearest main centroid and a query probes the same lists in both, so the
    /// delta adds about nprobe / lists of its rows: scanned whole, a 10% delta added 8–13% to an IVF search, whose
    /// probe reads only a few percent of the main rows. Beside an exhaustive compressed index the delta is scanned
    /// through codes with an exact re-rank when it is large enough for the codes to pay (an exact float scan of a 10%
    /// delta beside an int8 main index added about 40% to a search); otherwise it is scanned exactly.
    /// </summary>
    private static (IItemIndex Search, EmbeddedItemIndex? Outliers) DeltaSearchIndex(EmbeddedItemIndex delta, int mainItems, IItemIndex? main)
    {
        // A shallower re-rank than the main index's (4 candidates per requested item, at least 32): the delta only adds
        // its best k beside the main index's. Measured in bench catalog against the default re-rank (100) and against
        // int4 codes, this was the cheapest.
        if (main is IvfItemIndex ivf && delta.Count >= IvfDeltaFromItems)
        {
            // Items far from every main centroid would be found by a probe only by chance (recall@10 0.75 in a test
            // where half the delta lay around centres of its own): they are scanned exactly beside the probe.
            var floor = ivf.OutlierCosine;
            var inside = new List<int>(delta.Count);
            var outside = new List<int>();
            for (var row = 0; row < delta.Count; row++)
            {
                (ivf.NearestCentroidCosine(delta.VectorOf(row)) >= floor ? inside : outside).Add(row);
            }

            if (inside.Count >= IvfDeltaFromItems)
            {
                var lists = ivf.WithSameLists(outside.Count == 0 ? delta : delta.Subset(inside), oversample: 4, minCandidates: 32);
                return (lists, outside.Count == 0 ? null : delta.Subset(outside));
            }
        }

        var bits = ServingModel.CodeBitsFor(mainItems);
        return (bits > 0 && delta.Count >= CompressedDeltaFromItems ? new QuantizedItemIndex(delta, oversample: 4, minCandidates: 32, bits: bits) : delta, null);
    }

    /// <summary>The item tower's feature indices of an item, exactly as the dataset builder computes them.</summary>
    public static int[] FeaturesOf(ItemFeatureHasher hasher, CatalogItem item)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(item);
        return item.Categories.Distinct(StringComparer.Ordinal).Select(hasher.Category)
            .Concat(item.Tags.Select(hasher.Tag))
            .Distinct()
            .Order()
            .ToArray();
    }

    private static bool SameFeatures(CatalogItem a, CatalogItem b) =>
        a.Categories.SequenceEqual(b.Categories, StringComparer.Ordinal) && a.Tags.SequenceEqual(b.Tags, StringComparer.Ordinal);
}
