using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

internal sealed record PutItemsRequest
{
    [JsonPropertyName("items")]
    public required IReadOnlyList<CatalogItem> Items { get; init; }
}
