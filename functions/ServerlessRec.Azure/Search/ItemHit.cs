using System.Text.Json.Serialization;

namespace ServerlessRec.Azure.Search;

/// <summary>The fields a query selects.</summary>
internal sealed class ItemHit
{
    [JsonPropertyName(ItemIndexSchema.IdField)]
    public string Id { get; init; } = string.Empty;

    [JsonPropertyName(ItemIndexSchema.ItemIdField)]
    public string ItemId { get; init; } = string.Empty;
}
