using System.Runtime.InteropServices;
using ServerlessRec.Events;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Serving;

/// <summary>
/// One live model version, loaded once and shared by all requests. In <see cref="ServingMode.Embedded"/> mode: the ONNX
/// user tower (one session), the item vocabulary and vectors, and the embedded index over them. In
/// <see cref="ServingMode.RemoteIndex"/> mode (Azure AI Search) the catalog stays out of the process: the user tower's
/// head with its history rows read from a local file, a compact vocabulary with a popular list
/// (<see cref="CompactItemCatalog"/>), and item vectors read by row; the memory does not grow with the catalog.
/// </summary>
public sealed class ServingModel : IDisposable
{
    /// <summary>From this many items the embedded index is searched through its int8 codes (exact re-rank), a quarter of the bytes per query.</summary>
    public const int CompressedFromItems = 100_000;

    /// <summary>From this many items the codes are int4 (an eighth of the bytes, an eight times deeper exact re-rank).</summary>
    public const int Int4FromItems = 500_000;

    /// <summary>
    /// The default catalog size from which a version that carries an IVF quantiser (<see cref="ModelManifest.IvfFile"/>)
    /// is searched through its lists (<see cref="IvfItemIndex"/>) instead of an exhaustive scan: the crossover measured
    /// by <c>bench index</c> on trained item vectors (subsets of a 100k-item model, 2 shared cores): at 10k items the
    /// probe and the exact scan take about the same time (0.06–0.09 vs 0.10 ms), at 25k the probe is 2–3× faster, at
    /// 100k 3× faster than the int8 scan.
    /// </summary>
    public const int IvfFromItems = 20_000;

    /// <summary>
    /// The largest share of its lists a version's calibrated <c>nprobe</c> may cover for serving to search through them;
    /// above it the exhaustive int8/int4 scan is as fast, with every core and no list overhead.
    /// </summary>
    public const double MaxIvfProbeShare = 0.25;

    private readonly Dictionary<string, int>? _indexById;
    private readonly Lazy<long> _lowerQuartilePopularity;
    private readonly IReadOnlyList<ModelItem>? _items;
    private readonly EmbeddedItemIndex? _index;
    private readonly IItemIndex? _searchIndex;
    private readonly CompactItemCatalog? _catalog;
    private readonly VectorRowFile? _itemVectors;
    private readonly string? _folder;
    private readonly object _itemTowerLock = new();
    private Task<OnnxItemTower>? _itemTower;

    private ServingModel(ModelPackage package, int ivfFromItems)
    {
        Mode = ServingMode.Embedded;
        Manifest = package.Manifest;
        var items = ModelExporter.ReadItems(package.Artifact(ModelManifest.ItemsFile));
        _items = items;
        var vectorBytes = package.Artifact(ModelManifest.ItemVectorsFile);
        var d = Manifest.Dimensions;
        if (items.Count != Manifest.ItemCount || vectorBytes.Length != Manifest.ItemCount * d * sizeof(float))
        {
            throw new ModelIntegrityException($"model {Manifest.Version}: items and vectors do not match the manifest's {Manifest.ItemCount} items");
        }

        // The index keeps its own aligned copy; this one only lives while the index is built.
        var vectors = MemoryMarshal.Cast<byte, float>(vectorBytes).ToArray();
        _indexById = new Dictionary<string, int>(items.Count, StringComparer.Ordinal);
        var indexed = new IndexedItem[items.Count];
        for (var r = 0; r < items.Count; r++)
        {
            var item = items[r];
            if (item.Index != r + 1)
            {
                throw new ModelIntegrityException($"model {Manifest.Version}: items.jsonl is not in index order at line {r + 1}");
            }

            _indexById[item.ItemId] = item.Index;
            indexed[r] = new IndexedItem(item.ItemId, vectors.AsMemory(r * d, d), item.Categories, item.Available, item.Popularity);
        }

        _lowerQuartilePopularity = new Lazy<long>(() => LowerQuartileOf(items), LazyThreadSafetyMode.ExecutionAndPublication);
        _index = new EmbeddedItemIndex(Manifest.Version, d, indexed);
        _searchIndex = SearchIndexFor(_index, QuantiserOf(package, ivfFromItems), ivfFromItems);
        UserTower = new OnnxUserTower(package.Artifact(ModelManifest.UserTowerFile), Manifest.HistoryLength, d);
        EventTypes = EventTypesOf(Manifest);
        Window = WindowOf(Manifest);
    }

    private ServingModel(ModelManifest manifest, CompactItemCatalog catalog, OnnxUserTower userTower, VectorRowFile itemVectors, string folder)
    {
        Mode = ServingMode.RemoteIndex;
        Manifest = manifest;
        _catalog = catalog;
        _itemVectors = itemVectors;
        _folder = folder;
        _lowerQuartilePopularity = new Lazy<long>(catalog.LowerQuartile, LazyThreadSafetyMode.ExecutionAndPublication);
        UserTower = userTower;
        EventTypes = EventTypesOf(manifest);
        Window = WindowOf(manifest);
    }

    /// <summary>Gets how much of the version this instance holds.</summary>
    public ServingMode Mode { get; }

    /// <summary>Gets the number of items in the model's vocabulary.</summary>
    public int ItemCount => Manifest.ItemCount;

    /// <summary>Gets the manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Gets the model version.</summary>
    public string Version => Manifest.Version;

    /// <summary>Gets the vocabulary in index order (row r is item index r + 1); embedded mode only.</summary>
    /// <exception cref="InvalidOperationException">The model is served in <see cref="ServingMode.RemoteIndex"/> mode.</exception>
    public IReadOnlyList<ModelItem> Items => _items ?? throw EmbeddedOnly(nameof(Items));

    /// <summary>Gets the embedded index over the item vectors (rows in vocabulary order); embedded mode only.</summary>
    /// <exception cref="InvalidOperationException">The model is served in <see cref="ServingMode.RemoteIndex"/> mode.</exception>
    public EmbeddedItemIndex Index => _index ?? throw EmbeddedOnly(nameof(Index));

    /// <summary>
    /// Gets the index requests search (see <see cref="SearchIndexFor(EmbeddedItemIndex, IvfQuantiser?, int)"/>), or null in <see cref="ServingMode.RemoteIndex"/> mode,
    /// where the instance holds no vectors to search.
    /// </summary>
    public IItemIndex? SearchIndex => _searchIndex;

    /// <summary>
    /// The index a catalog is searched through: the exact scan below <see cref="CompressedFromItems"/> items, then
    /// an int8 <see cref="QuantizedItemIndex"/>, and int4 from <see cref="Int4FromItems"/> (same filters, exact
    /// scores of the re-ranked candidates). At a million items int8 codes are 64 MB per query, more than the memory
    /// bus moves in the 5 ms a request may take on a busy 2-core host; int4 codes are 32 MB.
    /// </summary>
    public static IItemIndex SearchIndexFor(EmbeddedItemIndex index) => SearchIndexFor(index, quantiser: null);

    /// <summary>
    /// The index a catalog is searched through when the version carries an IVF <paramref name="quantiser"/>: its lists
    /// (<see cref="IvfItemIndex"/>) from <paramref name="ivfFromItems"/> items when its nprobe covers at most
    /// <see cref="MaxIvfProbeShare"/> of the lists, otherwise as <see cref="SearchIndexFor(EmbeddedItemIndex)"/>.
    /// </summary>
    public static IItemIndex SearchIndexFor(EmbeddedItemIndex index, IvfQuantiser? quantiser, int ivfFromItems = IvfFromItems)
    {
        ArgumentNullException.ThrowIfNull(index);
        // Lists help only when a query probes few of them: on item vectors without structure (an untrained model) the
        // calibrated nprobe covers about half the lists, and one thread scanning them loses to the exhaustive codes
        // (measured: serve-http at 100k untrained items, 1,585 req/s through the lists against 3,563 through int8).
        if (quantiser is not null && index.Count >= ivfFromItems && quantiser.Nprobe <= quantiser.ListCount * MaxIvfProbeShare)
        {
            return new IvfItemIndex(index, quantiser);
        }

        var bits = CodeBitsFor(index.Count);
        return bits == 0 ? index : new QuantizedItemIndex(index, bits: bits);
    }

    /// <summary>The version's IVF quantiser when serving will use it (else null, so the lists are not read for nothing).</summary>
    private static IvfQuantiser? QuantiserOf(ModelPackage package, int ivfFromItems)
    {
        if (package.Manifest.ItemCount < ivfFromItems || !package.Artifacts.TryGetValue(ModelManifest.IvfFile, out var bytes))
        {
            return null;
        }

        try
        {
            return IvfQuantiser.Read(bytes, package.Manifest.ItemCount, package.Manifest.Dimensions);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelIntegrityException($"model {package.Manifest.Version}: {ModelManifest.IvfFile}: {ex.Message}");
        }
    }

    /// <summary>The bits per code <see cref="SearchIndexFor(EmbeddedItemIndex, IvfQuantiser?, int)"/> uses for a catalog of this size: 0 (the exact scan), 8 or 4.</summary>
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

    /// <summary>Gets the history window (length, decay, session) the model was trained with.</summary>
    public HistoryWindow Window { get; }

    /// <summary>Loads and verifies a model version from the store, whole (the embedded index).</summary>
    public static Task<ServingModel> LoadAsync(IBlobStore store, string version, CancellationToken cancellationToken = default) =>
        LoadAsync(store, version, ServingMode.Embedded, cancellationToken);

    /// <summary>
    /// Loads and verifies a model version from the store. In <see cref="ServingMode.RemoteIndex"/> mode the large
    /// artefacts (item vectors, history embeddings, items) are streamed into a temporary folder and hash-checked on the
    /// way, never held whole; a version exported before <c>user_head.onnx</c> existed is loaded whole instead.
    /// </summary>
    public static Task<ServingModel> LoadAsync(IBlobStore store, string version, ServingMode mode, CancellationToken cancellationToken = default) =>
        LoadAsync(store, version, mode, IvfFromItems, cancellationToken);

    /// <summary>
    /// Loads and verifies a model version from the store (see <see cref="LoadAsync(IBlobStore, string, ServingMode, CancellationToken)"/>);
    /// in embedded mode a catalog of at least <paramref name="ivfFromItems"/> items is searched through the version's IVF lists.
    /// </summary>
    public static async Task<ServingModel> LoadAsync(IBlobStore store, string version, ServingMode mode, int ivfFromItems, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (mode == ServingMode.RemoteIndex)
        {
            var manifest = await ModelPackage.ReadManifestAsync(store, version, cancellationToken: cancellationToken).ConfigureAwait(false)
                ?? throw new ModelIntegrityException($"model {version} does not exist (no {ModelManifest.FileName})");
            if (manifest.Artifacts.ContainsKey(ModelManifest.UserHeadFile) && manifest.Artifacts.ContainsKey(ModelManifest.HistoryEmbeddingsFile))
            {
                return await LoadRemoteAsync(store, manifest, cancellationToken).ConfigureAwait(false);
            }
        }

        return new(await ModelPackage.ReadAsync(store, version, cancellationToken: cancellationToken).ConfigureAwait(false), ivfFromItems);
    }

    /// <summary>Creates a serving model from a package already in memory (verified by its producer).</summary>
    public static ServingModel FromPackage(ModelPackage package) => FromPackage(package, IvfFromItems);

    /// <summary>Creates a serving model from a package in memory, searched through its IVF lists from <paramref name="ivfFromItems"/> items.</summary>
    public static ServingModel FromPackage(ModelPackage package, int ivfFromItems)
    {
        ArgumentNullException.ThrowIfNull(package);
        return new ServingModel(package, ivfFromItems);
    }

    /// <summary>Returns the vocabulary index of an item (0 when unknown to this model).</summary>
    public int IndexOf(string itemId) => _indexById is not null
        ? (_indexById.TryGetValue(itemId, out var index) ? index : 0)
        : _catalog!.IndexOf(itemId);

    /// <summary>Gets the vector of a vocabulary index (1..ItemCount) in memory; embedded mode only (see <see cref="ReadVector"/>).</summary>
    /// <exception cref="InvalidOperationException">The model is served in <see cref="ServingMode.RemoteIndex"/> mode.</exception>
    public ReadOnlySpan<float> VectorOf(int index) => Index.VectorOf(index - 1);

    /// <summary>Copies the vector of a vocabulary index (1..ItemCount) into <paramref name="destination"/>, in either mode.</summary>
    public void ReadVector(int index, Span<float> destination)
    {
        if (_itemVectors is not null)
        {
            _itemVectors.Read(index - 1, destination);
        }
        else
        {
            VectorOf(index).CopyTo(destination);
        }
    }

    /// <summary>
    /// Computes the user vector of a stored history through the ONNX user tower, as a recommendation without request
    /// events would; false when the history holds no event the model can use.
    /// </summary>
    public bool TryComputeUserVector(IReadOnlyList<HistoryEvent> events, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(events);
        var history = RecommenderService.BuildHistory(this, string.Empty, new StoredUserHistory { UserId = string.Empty, Events = events }, []);
        if (history.Count == 0)
        {
            return false;
        }

        UserTower.Compute(history.Items, history.LongTerm, history.Session, destination);
        return true;
    }

    /// <summary>Gets the popularity (positive training events) of a vocabulary index (1..ItemCount).</summary>
    public long PopularityOf(int index) => _catalog is not null ? _catalog.PopularityOf(index) : Index.PopularityOf(index - 1);

    /// <summary>
    /// Returns the most popular items that pass the filter: from the whole catalog in embedded mode, from the
    /// <see cref="CompactItemCatalog.PopularListSize"/> most popular items in <see cref="ServingMode.RemoteIndex"/> mode
    /// (a filter that few of them pass can return fewer than <paramref name="k"/>).
    /// </summary>
    public IReadOnlyList<ScoredItem> MostPopular(int k, ItemFilter filter) =>
        _catalog is not null ? _catalog.MostPopular(k, filter) : Index.MostPopular(k, filter);

    /// <summary>
    /// Returns the version's ONNX item tower, read from <paramref name="store"/> (hash-checked) the first time an item
    /// needs a vector the model does not have (the catalog API's new or changed items), then kept with the model: a
    /// version that never sees a catalog update never holds the tower's id embedding table.
    /// </summary>
    public Task<OnnxItemTower> ItemTowerAsync(IBlobStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        lock (_itemTowerLock)
        {
            if (_itemTower is null || _itemTower.IsFaulted || _itemTower.IsCanceled)
            {
                _itemTower = LoadItemTowerAsync(store, cancellationToken);
            }

            return _itemTower;
        }
    }

    private async Task<OnnxItemTower> LoadItemTowerAsync(IBlobStore store, CancellationToken cancellationToken)
    {
        var bytes = await ModelPackage.ReadArtifactAsync(store, Manifest, ModelManifest.ItemTowerFile, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new OnnxItemTower(bytes, Manifest.Dimensions);
    }

    private static async Task<ServingModel> LoadRemoteAsync(IBlobStore store, ModelManifest manifest, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Path.GetTempPath(), "serverlessrec-serving", $"{manifest.Version}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var owned = new List<IDisposable>();
        try
        {
            var itemsPath = Path.Combine(folder, ModelManifest.ItemsFile);
            await ModelPackage.DownloadArtifactAsync(store, manifest, ModelManifest.ItemsFile, itemsPath, cancellationToken: cancellationToken).ConfigureAwait(false);
            var catalog = CompactItemCatalog.Read(itemsPath, manifest.ItemCount, manifest.Version);
            File.Delete(itemsPath);

            var vectorsPath = Path.Combine(folder, ModelManifest.ItemVectorsFile);
            await ModelPackage.DownloadArtifactAsync(store, manifest, ModelManifest.ItemVectorsFile, vectorsPath, cancellationToken: cancellationToken).ConfigureAwait(false);
            var itemVectors = new VectorRowFile(vectorsPath, manifest.ItemCount, manifest.Dimensions);
            owned.Add(itemVectors);

            var historyPath = Path.Combine(folder, ModelManifest.HistoryEmbeddingsFile);
            await ModelPackage.DownloadArtifactAsync(store, manifest, ModelManifest.HistoryEmbeddingsFile, historyPath, cancellationToken: cancellationToken).ConfigureAwait(false);
            var historyRows = new VectorRowFile(historyPath, manifest.ItemCount + 1L, manifest.Dimensions);
            owned.Add(historyRows);

            var head = await ModelPackage.ReadArtifactAsync(store, manifest, ModelManifest.UserHeadFile, cancellationToken: cancellationToken).ConfigureAwait(false);
            var tower = new OnnxUserTower(head, manifest.HistoryLength, manifest.Dimensions, historyRows);
            return new ServingModel(manifest, catalog, tower, itemVectors, folder);
        }
        catch
        {
            // Nothing of a version that failed to load may stay behind: not its open files, not its folder.
            owned.ForEach(o => o.Dispose());
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    private static InvalidOperationException EmbeddedOnly(string member) =>
        new($"ServingModel.{member} exists only in the embedded serving mode; in AI Search mode the catalog is not held in memory");

    private static EventTypeOptions EventTypesOf(ModelManifest manifest) =>
        new() { Types = new Dictionary<string, EventTypeDefinition>(manifest.EventTypes, StringComparer.OrdinalIgnoreCase) };

    private static HistoryWindow WindowOf(ModelManifest manifest) => new(new TwoTowerOptions
    {
        HistoryLength = manifest.HistoryLength,
        DecayHalfLifeDays = manifest.DecayHalfLifeDays,
        SessionGapMinutes = manifest.SessionGapMinutes,
        SessionMaxEvents = manifest.SessionMaxEvents,
        SessionPositionDecay = manifest.SessionPositionDecay,
    });

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
    public void Dispose()
    {
        UserTower.Dispose();
        lock (_itemTowerLock)
        {
            if (_itemTower is { IsCompletedSuccessfully: true } tower)
            {
                tower.Result.Dispose();
            }
        }

        _itemVectors?.Dispose();
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
