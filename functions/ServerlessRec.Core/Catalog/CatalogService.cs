using System.Text.Json;
using ServerlessRec.Events;
using ServerlessRec.Http;
using ServerlessRec.Retrieval;
using ServerlessRec.Serving;
using ServerlessRec.Storage;
using ServerlessRec.Training;

namespace ServerlessRec.Catalog;

/// <summary>
/// The catalog API behind <c>PUT /api/items</c> and <c>DELETE /api/items/{itemId}</c>: validates the items, writes them
/// as one create-only update blob (the commit point: from then on retraining includes them and every instance sees them
/// within its refresh), applies them to this instance at once, and, when the live version is served from Azure AI
/// Search, merges their item-tower vectors into that version's index (mergeOrUpload).
/// </summary>
public sealed class CatalogService
{
    /// <summary>The most items one <c>PUT /api/items</c> may carry.</summary>
    public const int MaxItemsPerPut = 1000;

    /// <summary>The longest title, in characters.</summary>
    public const int MaxTitleLength = 1024;

    /// <summary>The most categories, and the most tags, of one item.</summary>
    public const int MaxLabelsPerItem = 64;

    /// <summary>The longest category or tag, in characters (as in catalog files).</summary>
    public const int MaxLabelLength = 128;

    /// <summary>The largest <c>attributes</c> object of one item, in UTF-8 bytes.</summary>
    public const int MaxAttributesBytes = 4096;

    private readonly LiveCatalog _catalog;
    private readonly ILiveModelSource _models;
    private readonly IBlobStore _store;
    private readonly IItemIndexPublisher? _remoteIndex;

    /// <summary>Creates the service.</summary>
    /// <param name="catalog">This instance's view of the updates.</param>
    /// <param name="models">The live model.</param>
    /// <param name="store">Where the models are (the item tower).</param>
    /// <param name="remoteIndex">The Azure AI Search publisher when serving from it; null with the embedded index.</param>
    public CatalogService(LiveCatalog catalog, ILiveModelSource models, IBlobStore store, IItemIndexPublisher? remoteIndex = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(store);
        _catalog = catalog;
        _models = models;
        _store = store;
        _remoteIndex = remoteIndex;
    }

    /// <summary>Validates and stores items (one bad item rejects the request: 400 naming the field).</summary>
    public async Task<CatalogUpdateResponse> PutAsync(IReadOnlyList<PutCatalogItem?>? items, CancellationToken cancellationToken = default)
    {
        var validated = Validate(items);
        return await StoreAsync(validated, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes an item: it is never recommended again; retraining keeps it as an unavailable vocabulary entry.</summary>
    public Task<CatalogUpdateResponse> DeleteAsync(string? itemId, CancellationToken cancellationToken = default)
    {
        var id = RequestRules.Id(itemId, "itemId");
        return StoreAsync([new CatalogItem(id, null, [], [], Available: false) { Deleted = true }], cancellationToken);
    }

    /// <summary>Stores items read from a catalog file (<c>items import</c>), in batches of <see cref="MaxItemsPerPut"/>.</summary>
    public async Task<int> ImportAsync(IEnumerable<CatalogItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var written = 0;
        foreach (var batch in items.Chunk(MaxItemsPerPut))
        {
            var response = await StoreAsync(batch, cancellationToken).ConfigureAwait(false);
            written += response.Accepted;
        }

        return written;
    }

    /// <summary>Validates the body of <c>PUT /api/items</c>.</summary>
    /// <exception cref="RequestValidationException">An item or field is invalid; the exception names it.</exception>
    public static List<CatalogItem> Validate(IReadOnlyList<PutCatalogItem?>? items)
    {
        if (items is null)
        {
            throw new RequestValidationException("items", "items is required");
        }

        if (items.Count == 0 || items.Count > MaxItemsPerPut)
        {
            throw new RequestValidationException("items", $"items must hold between 1 and {MaxItemsPerPut} items");
        }

        var result = new List<CatalogItem>(items.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var field = $"items[{i}]";
            var item = items[i] ?? throw new RequestValidationException(field, $"{field} must be an object");
            var id = RequestRules.Id(item.ItemId, $"{field}.itemId");
            if (!ids.Add(id))
            {
                throw new RequestValidationException($"{field}.itemId", $"{field}.itemId \"{id}\" appears twice in this request");
            }

            if (item.Title is { } title && (title.Length > MaxTitleLength || title.Any(char.IsControl)))
            {
                throw new RequestValidationException($"{field}.title", $"{field}.title must be at most {MaxTitleLength} characters without control characters");
            }

            var categories = Labels(item.Categories, $"{field}.categories");
            var tags = Labels(item.Tags, $"{field}.tags");
            JsonElement? attributes = null;
            if (item.Attributes is { } raw && raw.ValueKind != JsonValueKind.Null)
            {
                if (raw.ValueKind != JsonValueKind.Object)
                {
                    throw new RequestValidationException($"{field}.attributes", $"{field}.attributes must be a JSON object");
                }

                if (System.Text.Encoding.UTF8.GetByteCount(raw.GetRawText()) > MaxAttributesBytes)
                {
                    throw new RequestValidationException($"{field}.attributes", $"{field}.attributes must be at most {MaxAttributesBytes} bytes of JSON");
                }

                attributes = raw.Clone();
            }

            result.Add(new CatalogItem(id, item.Title, categories, tags, item.Available ?? true) { Attributes = attributes });
        }

        return result;
    }

    private static List<string> Labels(IReadOnlyList<string?>? labels, string field)
    {
        if (labels is null)
        {
            return [];
        }

        if (labels.Count > MaxLabelsPerItem)
        {
            throw new RequestValidationException(field, $"{field} may hold at most {MaxLabelsPerItem} entries");
        }

        var result = new List<string>(labels.Count);
        for (var j = 0; j < labels.Count; j++)
        {
            var label = labels[j]?.Trim();
            if (string.IsNullOrEmpty(label) || label.Length > MaxLabelLength || label.Any(char.IsControl))
            {
                throw new RequestValidationException($"{field}[{j}]", $"{field}[{j}] must be 1 to {MaxLabelLength} characters without control characters");
            }

            result.Add(label);
        }

        return result;
    }

    private async Task<CatalogUpdateResponse> StoreAsync(IReadOnlyList<CatalogItem> items, CancellationToken cancellationToken)
    {
        var blob = await _catalog.Updates.WriteAsync(items, cancellationToken).ConfigureAwait(false);
        _catalog.Apply(blob);
        var indexed = await MergeIntoRemoteIndexAsync(items, cancellationToken).ConfigureAwait(false);
        return new CatalogUpdateResponse { Accepted = items.Count, Update = $"{ContainerNames.Catalog}/{blob.Name}", Indexed = indexed };
    }

    /// <summary>
    /// Merges the items into the live version's Azure AI Search index with their item-tower vectors (features only for ids
    /// the model does not know; a known id keeps its trained embedding with the new features). Deletes are not sent: every
    /// instance hides a deleted item itself, exactly, and a document cannot be merged without its vector.
    /// </summary>
    private async Task<int> MergeIntoRemoteIndexAsync(IReadOnlyList<CatalogItem> items, CancellationToken cancellationToken)
    {
        var live = items.Where(i => !i.Deleted).ToList();
        if (_remoteIndex is null || live.Count == 0 || await _models.GetCurrentAsync(cancellationToken).ConfigureAwait(false) is not { } model)
        {
            return 0;
        }

        var indexed = await VectorsAsync(model, _store, live, cancellationToken).ConfigureAwait(false);
        await _remoteIndex.UploadAsync(model.Version, indexed, cancellationToken).ConfigureAwait(false);
        return indexed.Count;
    }

    /// <summary>Computes the item-tower vectors of catalog items on a model version, as indexed items.</summary>
    public static async Task<List<IndexedItem>> VectorsAsync(ServingModel model, IBlobStore store, IReadOnlyList<CatalogItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(items);
        var tower = await model.ItemTowerAsync(store, cancellationToken).ConfigureAwait(false);
        var hasher = new ItemFeatureHasher(model.Manifest.FeatureBuckets);
        var features = items.Select(i => CatalogOverlay.FeaturesOf(hasher, i)).ToList();
        var width = Math.Max(1, features.Max(f => f.Length));
        var indices = new long[items.Count];
        var featureIndices = new long[items.Count * width];
        for (var i = 0; i < items.Count; i++)
        {
            indices[i] = model.IndexOf(items[i].ItemId);
            for (var f = 0; f < features[i].Length; f++)
            {
                featureIndices[(i * width) + f] = features[i][f];
            }
        }

        var d = model.Manifest.Dimensions;
        var vectors = new float[items.Count * d];
        tower.Compute(indices, featureIndices, width, vectors);
        return items.Select((item, i) => new IndexedItem(
            item.ItemId,
            vectors.AsMemory(i * d, d),
            item.Categories.Distinct(StringComparer.Ordinal).ToArray(),
            item.Available,
            indices[i] > 0 ? model.PopularityOf((int)indices[i]) : 0)).ToList();
    }
}
