using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>The answer of <c>PUT /api/items</c> and <c>DELETE /api/items/{itemId}</c>.</summary>
public sealed record CatalogUpdateResult
{
    /// <summary>Gets how many items were written.</summary>
    [JsonPropertyName("accepted")]
    public int Accepted { get; init; }

    /// <summary>Gets the update blob that holds them (<c>catalog/updates/…</c>).</summary>
    [JsonPropertyName("update")]
    public required string Update { get; init; }

    /// <summary>Gets how many were merged into the live Azure AI Search index (0 with the embedded index).</summary>
    [JsonPropertyName("indexed")]
    public int Indexed { get; init; }
}
