using System.Numerics.Tensors;
using Azure.Search.Documents;
using Azure.Search.Documents.Models;
using ServerlessRec.Retrieval;
using QueryOptions = Azure.Search.Documents.SearchOptions;

namespace ServerlessRec.Azure.Search;

/// <summary>
/// The query side of one model version's Azure AI Search index: a vector query with the same filter
/// semantics as <see cref="EmbeddedItemIndex"/> (categories any-of, available only, excluded ids), filters
/// applied before the nearest-neighbour search, and scores turned back into dot products.
/// Obtain it from <see cref="AzureAISearchIndexPublisher.OpenAsync"/>.
/// </summary>
public sealed class AzureAISearchItemIndex : IItemIndex
{
    /// <summary>
    /// Exclusions beyond this many are not written into the filter; the query then asks for that many more
    /// neighbours and drops them from the results instead, so k items still come back.
    /// </summary>
    internal const int MaxExclusionsInFilter = 1000;

    private readonly SearchClient _client;
    private readonly bool _exhaustive;

    internal AzureAISearchItemIndex(string version, SearchClient client, int dimensions, bool exhaustive)
    {
        Version = version;
        Dimensions = dimensions;
        _client = client;
        _exhaustive = exhaustive;
    }

    /// <inheritdoc/>
    public string Version { get; }

    /// <summary>Gets the vector dimension of the index.</summary>
    public int Dimensions { get; }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<ScoredItem>> SearchAsync(ReadOnlyMemory<float> query, int k, ItemFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (query.Length != Dimensions)
        {
            throw new ArgumentException($"query has {query.Length} values, expected {Dimensions}", nameof(query));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var (filterText, unfilteredExclusions) = BuildFilter(filter);
        var neighbours = k + unfilteredExclusions;
        var vectorQuery = new VectorizedQuery(query) { KNearestNeighborsCount = neighbours, Exhaustive = _exhaustive ? true : null };
        vectorQuery.Fields.Add(ItemIndexSchema.EmbeddingField);
        var options = new QueryOptions
        {
            Filter = filterText,
            Size = neighbours,
            VectorSearch = new VectorSearchOptions { FilterMode = VectorFilterMode.PreFilter },
        };
        options.VectorSearch.Queries.Add(vectorQuery);
        options.Select.Add(ItemIndexSchema.IdField);
        options.Select.Add(ItemIndexSchema.ItemIdField);

        var response = await _client.SearchAsync<ItemHit>(options, cancellationToken).ConfigureAwait(false);
        var queryNorm = TensorPrimitives.Norm(query.Span);
        var excluded = filter.ExcludedItemIds;
        var results = new List<ScoredItem>(k);
        await foreach (var hit in response.Value.GetResultsAsync().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            // The filter already excludes these; checking again keeps the guarantee if the filter was capped.
            if (excluded is not null && excluded.Contains(hit.Document.ItemId))
            {
                continue;
            }

            results.Add(new ScoredItem(hit.Document.ItemId, CosineScore.ToDotProduct(hit.Score ?? 0, queryNorm)));
            if (results.Count == k)
            {
                break;
            }
        }

        return results;
    }

    /// <summary>Builds the OData filter; returns it with the number of exclusions left out of it.</summary>
    internal static (string? Filter, int UnfilteredExclusions) BuildFilter(ItemFilter filter)
    {
        var builder = new ODataFilterBuilder();
        if (filter.AvailableOnly)
        {
            builder.IsTrue(ItemIndexSchema.AvailableField);
        }

        if (filter.Categories is { Count: > 0 } categories)
        {
            builder.AnyEquals(ItemIndexSchema.CategoriesField, categories);
        }

        var unfiltered = 0;
        if (filter.ExcludedItemIds is { Count: > 0 } excluded)
        {
            // Keys are URL-safe base64, so the search.in list needs no escaping and ',' is a safe delimiter.
            var keys = new List<string>(Math.Min(excluded.Count, MaxExclusionsInFilter));
            foreach (var itemId in excluded)
            {
                if (keys.Count == MaxExclusionsInFilter)
                {
                    unfiltered++;
                }
                else if (ItemDocumentKey.TryEncode(itemId, out var key))
                {
                    keys.Add(key);
                }
            }

            builder.NotIn(ItemIndexSchema.IdField, keys);
        }

        return (builder.Build(), unfiltered);
    }
}
