using Azure.Search.Documents.Indexes.Models;
using ServerlessRec.Retrieval;

namespace ServerlessRec.Azure.Search;

/// <summary>
/// The index definition of one model version. The metric is cosine: item vectors are L2-normalised, so the
/// ranking equals the dot product's for any query, and cosine's <c>@search.score</c> is documented
/// (1 / (2 − cos)), which lets <see cref="CosineScore"/> give back the exact dot product.
/// </summary>
internal static class ItemIndexSchema
{
    public const string IdField = "id";
    public const string ItemIdField = "itemId";
    public const string EmbeddingField = "embedding";
    public const string CategoriesField = "categories";
    public const string AvailableField = "available";
    public const string PopularityField = "popularity";
    public const string ProfileName = "embedding-profile";
    public const string AlgorithmName = "embedding-hnsw";

    public static SearchIndex Build(string indexName, int dimensions, SearchOptions options)
    {
        var index = new SearchIndex(indexName)
        {
            Fields =
            {
                new SimpleField(IdField, SearchFieldDataType.String) { IsKey = true, IsFilterable = true },
                new SimpleField(ItemIdField, SearchFieldDataType.String),
                new VectorSearchField(EmbeddingField, dimensions, ProfileName) { IsHidden = true },
                new SimpleField(CategoriesField, SearchFieldDataType.Collection(SearchFieldDataType.String)) { IsFilterable = true },
                new SimpleField(AvailableField, SearchFieldDataType.Boolean) { IsFilterable = true },
                new SimpleField(PopularityField, SearchFieldDataType.Int64) { IsSortable = true, IsFilterable = true },
            },
            VectorSearch = new VectorSearch
            {
                Profiles = { new VectorSearchProfile(ProfileName, AlgorithmName) },
                Algorithms =
                {
                    new HnswAlgorithmConfiguration(AlgorithmName)
                    {
                        Parameters = new HnswParameters
                        {
                            M = options.HnswM,
                            EfConstruction = options.EfConstruction,
                            EfSearch = options.EfSearch,
                            Metric = VectorSearchAlgorithmMetric.Cosine,
                        },
                    },
                },
            },
        };
        return index;
    }
}
