using Azure;
using Azure.Search.Documents.Indexes;
using ServerlessRec.Onnx;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Azure.Search;

/// <summary>
/// The rollback check of a version's Azure AI Search index (<c>prefix + version</c>): the index exists and holds one
/// document per item of the version's manifest. Create it with <see cref="SearchIndexBackendFactory.CreateIndexVerifier"/>.
/// </summary>
public sealed class AzureAISearchIndexVerifier : IModelIndexVerifier
{
    private readonly SearchIndexClient _indexClient;
    private readonly string _prefix;

    internal AzureAISearchIndexVerifier(SearchIndexClient indexClient, string prefix)
    {
        _indexClient = indexClient;
        _prefix = prefix;
    }

    /// <inheritdoc/>
    public async Task<string?> FindProblemAsync(ModelManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        string indexName;
        try
        {
            indexName = ItemIndexName.For(_prefix, manifest.Version);
        }
        catch (ArgumentException e)
        {
            // A version named before Azure AI Search was configured may not be a valid index name: it has no index.
            return e.Message;
        }

        long count;
        try
        {
            count = (await _indexClient.GetSearchClient(indexName).GetDocumentCountAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return $"its Azure AI Search index \"{indexName}\" does not exist (deleted by cleanup, or never built)";
        }

        return count == manifest.ItemCount
            ? null
            : $"its Azure AI Search index \"{indexName}\" holds {count} documents, the version has {manifest.ItemCount} items: the index is incomplete";
    }
}
