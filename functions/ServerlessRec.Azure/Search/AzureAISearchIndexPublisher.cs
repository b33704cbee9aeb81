using System.Text;
using Azure;
using Azure.Search.Documents;
using Azure.Search.Documents.Indexes;
using Azure.Search.Documents.Indexes.Models;
using Azure.Search.Documents.Models;
using Microsoft.Extensions.Logging;
using ServerlessRec.Retrieval;
using SearchOptions = ServerlessRec.Retrieval.SearchOptions;

namespace ServerlessRec.Azure.Search;

/// <summary>
/// Publishes each model version's item vectors to its own Azure AI Search index (<c>prefix + version</c>).
/// Uploads go in batches of at most <see cref="SearchOptions.UploadBatchSize"/> documents and 16 MB; a
/// throttled or unavailable request is retried by the client pipeline, and documents that a partial
/// success (207) reports as throttled or unavailable are re-sent alone, with exponential backoff and jitter.
/// Create it with <see cref="SearchIndexBackendFactory"/>.
/// </summary>
public sealed class AzureAISearchIndexPublisher : IItemIndexPublisher
{
    /// <summary>The largest indexing request the service accepts.</summary>
    internal const long MaxRequestBytes = 16L * 1024 * 1024;

    // Per document the batch adds "@search.action":"mergeOrUpload", and a comma; the batch adds {"value":[]}.
    private const int DocumentEnvelopeBytes = 40;
    private const int BatchEnvelopeBytes = 16;

    private readonly SearchIndexClient _indexClient;
    private readonly SearchOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    internal AzureAISearchIndexPublisher(SearchIndexClient indexClient, SearchOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _indexClient = indexClient;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Gets the document statuses of a partial success that are worth re-sending (the service's own list, plus 429).</summary>
    internal static IReadOnlySet<int> TransientDocumentStatuses { get; } = new HashSet<int> { 409, 422, 429, 503 };

    /// <inheritdoc/>
    public async Task CreateVersionAsync(string version, int dimensions, CancellationToken cancellationToken = default)
    {
        var indexName = IndexNameOf(version);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        await DeleteIndexAsync(indexName, cancellationToken).ConfigureAwait(false);
        await _indexClient.CreateIndexAsync(ItemIndexSchema.Build(indexName, dimensions, _options), cancellationToken).ConfigureAwait(false);
        _logger.IndexCreated(indexName, dimensions);
    }

    /// <inheritdoc/>
    public async Task UploadAsync(string version, IReadOnlyList<IndexedItem> items, CancellationToken cancellationToken = default)
    {
        var indexName = IndexNameOf(version);
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return;
        }

        var documents = ToDocuments(items);
        var client = _indexClient.GetSearchClient(indexName);
        foreach (var (batch, bytes) in SplitIntoBatches(documents, _options.UploadBatchSize))
        {
            await UploadBatchAsync(client, indexName, batch, cancellationToken).ConfigureAwait(false);
            _logger.BatchUploaded(batch.Count, bytes, indexName);
        }
    }

    /// <inheritdoc/>
    public async Task<long> CountAsync(string version, CancellationToken cancellationToken = default)
    {
        var client = _indexClient.GetSearchClient(IndexNameOf(version));
        return (await client.GetDocumentCountAsync(cancellationToken).ConfigureAwait(false)).Value;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListVersionsAsync(CancellationToken cancellationToken = default)
    {
        var versions = new List<string>();
        await foreach (var indexName in _indexClient.GetIndexNamesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (ItemIndexName.TryGetVersion(_options.IndexPrefix, indexName, out var version))
            {
                versions.Add(version);
            }
        }

        versions.Sort(StringComparer.Ordinal);
        return versions;
    }

    /// <inheritdoc/>
    public Task<bool> DeleteVersionAsync(string version, CancellationToken cancellationToken = default) =>
        DeleteIndexAsync(IndexNameOf(version), cancellationToken);

    /// <inheritdoc/>
    public async Task<IItemIndex> OpenAsync(string version, CancellationToken cancellationToken = default)
    {
        var indexName = IndexNameOf(version);
        SearchIndex index;
        try
        {
            index = (await _indexClient.GetIndexAsync(indexName, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new InvalidOperationException($"model version \"{version}\" has no Azure AI Search index \"{indexName}\"", e);
        }

        var embedding = index.Fields.FirstOrDefault(f => f.Name == ItemIndexSchema.EmbeddingField);
        if (embedding?.VectorSearchDimensions is not { } dimensions)
        {
            throw new InvalidOperationException($"Azure AI Search index \"{indexName}\" has no \"{ItemIndexSchema.EmbeddingField}\" vector field: it was not created by this publisher");
        }

        return new AzureAISearchItemIndex(version, _indexClient.GetSearchClient(indexName), dimensions, _options.ExhaustiveKnn);
    }

    private static List<(ItemDocument Document, long Bytes)> ToDocuments(IReadOnlyList<IndexedItem> items)
    {
        var documents = new List<(ItemDocument, long)>(items.Count);
        var keys = new HashSet<string>(items.Count, StringComparer.Ordinal);
        var dimensions = items[0].Vector.Length;
        if (dimensions == 0)
        {
            throw new ArgumentException($"item \"{items[0].ItemId}\" has an empty vector", nameof(items));
        }

        foreach (var item in items)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(items));
            if (item.Vector.Length != dimensions)
            {
                throw new ArgumentException($"item \"{item.ItemId}\" has a vector of {item.Vector.Length} values, expected {dimensions} like the first item", nameof(items));
            }

            var document = new ItemDocument
            {
                Id = ItemDocumentKey.Encode(item.ItemId),
                ItemId = item.ItemId,
                Embedding = item.Vector.ToArray(),
                Categories = item.Categories,
                Available = item.Available,
                Popularity = item.Popularity,
            };
            if (!keys.Add(document.Id))
            {
                throw new ArgumentException($"item \"{item.ItemId}\" appears twice", nameof(items));
            }

            var bytes = ItemDocumentJson.MaxBytes(document) + DocumentEnvelopeBytes;
            if (bytes + BatchEnvelopeBytes > MaxRequestBytes)
            {
                throw new ArgumentException($"item \"{item.ItemId}\" serializes to {bytes} bytes, more than one indexing request may carry ({MaxRequestBytes})", nameof(items));
            }

            documents.Add((document, bytes));
        }

        return documents;
    }

    private static IEnumerable<(List<ItemDocument> Documents, long Bytes)> SplitIntoBatches(List<(ItemDocument Document, long Bytes)> documents, int maxCount)
    {
        var batch = new List<ItemDocument>(Math.Min(maxCount, documents.Count));
        long bytes = BatchEnvelopeBytes;
        foreach (var (document, size) in documents)
        {
            if (batch.Count == maxCount || bytes + size > MaxRequestBytes)
            {
                yield return (batch, bytes);
                batch = new List<ItemDocument>(maxCount);
                bytes = BatchEnvelopeBytes;
            }

            batch.Add(document);
            bytes += size;
        }

        yield return (batch, bytes);
    }

    private static string Describe(IEnumerable<IndexingResult> failures, Dictionary<string, ItemDocument> byKey)
    {
        var text = new StringBuilder();
        foreach (var failure in failures.Take(10))
        {
            var itemId = byKey.TryGetValue(failure.Key, out var document) ? document.ItemId : failure.Key;
            text.Append(text.Length == 0 ? string.Empty : "; ")
                .Append("item \"").Append(itemId).Append("\" (")
                .Append(failure.Status).Append(": ").Append(failure.ErrorMessage ?? "no message").Append(')');
        }

        return text.ToString();
    }

    private async Task UploadBatchAsync(SearchClient client, string indexName, List<ItemDocument> batch, CancellationToken cancellationToken)
    {
        var byKey = batch.ToDictionary(d => d.Id, StringComparer.Ordinal);
        var pending = batch;
        for (var attempt = 0; ; attempt++)
        {
            var response = await client.IndexDocumentsAsync(
                IndexDocumentsBatch.MergeOrUpload(pending),
                new IndexDocumentsOptions { ThrowOnAnyError = false },
                cancellationToken).ConfigureAwait(false);
            var failed = response.Value.Results.Where(r => !r.Succeeded).ToList();
            if (failed.Count == 0)
            {
                return;
            }

            var permanent = failed.Where(r => !TransientDocumentStatuses.Contains(r.Status)).ToList();
            if (permanent.Count > 0)
            {
                throw new RequestFailedException(
                    permanent[0].Status,
                    $"Azure AI Search index \"{indexName}\" rejected {permanent.Count} of {pending.Count} items: {Describe(permanent, byKey)}");
            }

            if (attempt >= _options.MaxRetries)
            {
                throw new RequestFailedException(
                    failed[0].Status,
                    $"Azure AI Search index \"{indexName}\" still refused {failed.Count} items after {attempt + 1} attempts: {Describe(failed, byKey)}");
            }

            var delay = Backoff(attempt);
            _logger.DocumentsRetried(failed.Count, pending.Count, indexName, failed[0].Status, attempt + 1, delay);
            await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            pending = failed.Where(r => byKey.ContainsKey(r.Key)).Select(r => byKey[r.Key]).ToList();
            if (pending.Count == 0)
            {
                throw new RequestFailedException(failed[0].Status, $"Azure AI Search index \"{indexName}\" reported failures for keys it was not sent: {Describe(failed, byKey)}");
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _options.RetryDelay.TotalMilliseconds * Math.Pow(2, attempt);
        var capped = Math.Min(exponential, _options.MaxRetryDelay.TotalMilliseconds);
        var jitter = 0.8 + (0.4 * Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(capped * jitter);
    }

    private async Task<bool> DeleteIndexAsync(string indexName, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _indexClient.DeleteIndexAsync(indexName, cancellationToken).ConfigureAwait(false);
            if (response.Status == 404)
            {
                return false;
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }

        _logger.IndexDeleted(indexName);
        return true;
    }

    private string IndexNameOf(string version) => ItemIndexName.For(_options.IndexPrefix, version);
}
