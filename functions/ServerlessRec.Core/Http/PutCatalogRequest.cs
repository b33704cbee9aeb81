using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

/// <summary>The body of <c>PUT /api/items</c>: <c>{ "items": [ {itemId, title?, categories?, tags?, available?, attributes?}, ... ] }</c>.</summary>
public sealed record PutCatalogRequest
{
    /// <summary>Gets the <c>items</c> to create or replace: 1 to 1000 items, none of them null.</summary>
    [JsonPropertyName("items")]
    public IReadOnlyList<PutCatalogItem?>? Items { get; init; }
}
