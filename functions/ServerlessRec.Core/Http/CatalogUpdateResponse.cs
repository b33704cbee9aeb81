using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

/// <summary>The answer of <c>PUT /api/items</c> and <c>DELETE /api/items/{itemId}</c>.</summary>
public sealed record CatalogUpdateResponse
{
    /// <summary>Gets how many items were written.</summary>
    [JsonPropertyName("accepted")]
    public required int Accepted { get; init; }

    /// <summary>Gets the update blob that holds them (<c>catalog/updates/…</c>).</summary>
    [JsonPropertyName("update")]
    public required string Update { get; init; }

    /// <summary>Gets how many of them were merged into the live version's Azure AI Search index (0 with the embedded index, whose instances compute their own).</summary>
    [JsonPropertyName("indexed")]
    public required int Indexed { get; init; }
}
