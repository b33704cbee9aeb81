using System.Runtime.InteropServices;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Serving;

/// <summary>
/// One live model version, loaded once and shared by all requests: the ONNX user tower (one session),
/// the item vocabulary and vectors, and the embedded index over them.
/// </summary>
public sealed class ServingModel : IDisposable
{
    /// <summary>From this many items the embedded index is searched through its int8 codes (exact re-rank), a quarter of the bytes per query.</summary>
    public const int CompressedFromItems = 100_000;

    /// <summary>From this many items the codes are int4 (an eighth of the bytes, an eight times deeper exact re-rank).</summary>
    public const int Int4FromItems = 500_000;

    private readonly Dictionary<string, int> _indexById;
    private readonly Lazy<long> _lowerQuartilePopularity;

    private ServingModel(ModelPackage package)
    {
        Manifest = package.Manifest;
        Items = ModelExporter.ReadItems(package.Artifact(ModelManifest.ItemsFile));
        var vectorBytes = package.Artifact(ModelManifest.ItemVectorsFile);
        var d = Manifest.Dimensions;
        if (Items.Count != Manifest.ItemCount || vectorBytes.Length != Manifest.ItemCount * d * sizeof(float))
        {
            throw new ModelIntegrityException($"model {Manifest.Version}: items and vectors do not match the manifest's {Manifest.ItemCount} items");
        }

        // The index keeps its own aligned copy; this one only lives while the index is built.
        var vectors = MemoryMarshal.Cast<byte, float>(vectorBytes).ToArray();
        _indexById = new Dictionary<string, int>(Items.Count, StringComparer.Ordinal);
        var indexed = new IndexedItem[Items.Count];
        for (var r = 0; r < Items.Count; r++)
        {
            var item = Items[r];
            if (item.Index != r + 1)
            {
                throw new ModelIntegrityException($"model {Manifest.Version}: items.jsonl is not in index order at line {r + 1}");
            }

            _indexById[item.ItemId] = item.Index;
            indexed[r] = new IndexedItem(item.ItemId, vectors.AsMemory(r * d, d), item.Categories, item.Available, item.Popularity);
        }

        _lowerQuartilePopularity = new Lazy<long>(() => LowerQuartileOf(Items), LazyThreadSafetyMode.ExecutionAndPublication);
        Index = new EmbeddedItemIndex(Manifest.Version, d, indexed);
        SearchIndex = SearchIndexFor(Index);
        UserTower = new OnnxUserTower(package.Artifact(ModelManifest.UserTowerFile), Manifest.HistoryLength, d);
        EventTypes = new EventTypeOptions { Types = new Dictionary<string, EventTypeDefinition>(Manifest.EventTypes, StringComparer.OrdinalIgnoreCase) };
        Weighting = new HistoryWeighting(new TwoTowerOptions
        {
            HistoryLength = Manifest.HistoryLength,
            DecayHalfLifeDays = Manifest.DecayHalfLifeDays,
            SessionGapMinutes = Manifest.SessionGapMinutes,
            SessionMaxEvents = Manifest.SessionMaxEvents,
        });
    }

    /// <summary>Gets the manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Gets the model version.</summary>
    public string Version => Manifest.Version;

    /// <summary>Gets the vocabulary in index order (row r is item index r + 1).</summary>
    public IReadOnlyList<ModelItem> Items { get; }

    /// <summary>Gets the embedded index over the item vectors (rows in vocabulary order).</summary>
    public EmbeddedItemIndex Index { get; }

    /// <summary>
    /// Gets the index requests search: see <see cref="SearchIndexFor"/>.
    /// </summary>
    public IItemIndex SearchIndex { get; }

    /// <summary>
    /// The index a catalog is searched through: the exact scan below <see cref="CompressedFromItems"/> items, then
    /// an int8 <see cref="QuantizedItemIndex"/>, and int4 from <see cref="Int4FromItems"/> (same filters, exact
    /// scores of the re-ranked candidates). At a million items int8 codes are 64 MB per query, more than the memory
    /// bus moves in the 5 ms a request may take on a busy 2-core host; int4 codes are 32 MB.
    /// </summary>
    public static IItemIndex SearchIndexFor(EmbeddedItemIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var bits = CodeBitsFor(index.Count);
        return bits == 0 ? index : new QuantizedItemIndex(index, bits: bits);
    }

    /// <summary>The bits per code <see cref="SearchIndexFor"/> uses for a catalog of this size: 0 (the exact scan), 8 or 4.</summary>
    public static int CodeBitsFor(int items) => items >= Int4FromItems ? 4 : items >= CompressedFromItems ? 8 : 0;

    /// <summary>
    /// Gets the popularity at the catalog's lower quartile: items at or below it are under-exposed, the ones
    /// <c>exploration</c> mixes in. Sorting the catalog costs O(n log n), so it is done once per loaded model, on the
    /// first request that asks for exploration, and shared by every later one.
    /// </summary>
    public long LowerQuartilePopularity => _lowerQuartilePopularity.Value;

    /// <summary>Gets the ONNX user tower.</summary>
    public OnnxUserTower UserTower { get; }

    /// <summary>Gets the event types the model was trained with (weights, negatives).</summary>
    public EventTypeOptions EventTypes { get; }

    /// <summary>Gets the history weighting the model was trained with.</summary>
    public HistoryWeighting Weighting { get; }

    /// <summary>Loads and verifies a model version from the store.</summary>
    public static async Task<ServingModel> LoadAsync(IBlobStore store, string version, CancellationToken cancellationToken = default) =>
        new(await ModelPackage.ReadAsync(store, version, cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>Creates a serving model from a package already in memory (verified by its producer).</summary>
    public static ServingModel FromPackage(ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        return new ServingModel(package);
    }

    /// <summary>Returns the vocabulary index of an item (0 when unknown to this model).</summary>
    public int IndexOf(string itemId) => _indexById.TryGetValue(itemId, out var index) ? index : 0;

    /// <summary>Gets the vector of a vocabulary index (1..ItemCount).</summary>
    public ReadOnlySpan<float> VectorOf(int index) => Index.VectorOf(index - 1);

    private static long LowerQuartileOf(IReadOnlyList<ModelItem> items)
    {
        if (items.Count == 0)
        {
            return 0;
        }

        var popularity = new long[items.Count];
        for (var i = 0; i < popularity.Length; i++)
        {
            popularity[i] = items[i].Popularity;
        }

        Array.Sort(popularity);
        return popularity[popularity.Length / 4];
    }

    /// <inheritdoc/>
    public void Dispose() => UserTower.Dispose();
}
