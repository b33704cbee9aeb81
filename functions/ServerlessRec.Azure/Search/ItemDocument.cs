using System.Text.Json.Serialization;

namespace ServerlessRec.Azure.Search;

/// <summary>One item as an Azure AI Search document (see <see cref="ItemIndexSchema"/>).</summary>
internal sealed class ItemDocument
{
    [JsonPropertyName(ItemIndexSchema.IdField)]
    public required string Id { get; init; }

    [JsonPropertyName(ItemIndexSchema.ItemIdField)]
    public required string ItemId { get; init; }

    [JsonPropertyName(ItemIndexSchema.EmbeddingField)]
    public required float[] Embedding { get; init; }

    [JsonPropertyName(ItemIndexSchema.CategoriesField)]
    public required IReadOnlyList<string> Categories { get; init; }

    [JsonPropertyName(ItemIndexSchema.AvailableField)]
    public required bool Available { get; init; }

    [JsonPropertyName(ItemIndexSchema.PopularityField)]
    public required long Popularity { get; init; }
}
