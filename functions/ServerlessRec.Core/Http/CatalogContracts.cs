using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

/// <summary>One item in the body of <c>PUT /api/items</c>: the catalog contract (<c>catalog/items.jsonl</c> in design.md).</summary>
public sealed record PutCatalogItem
{
    /// <summary>Gets the <c>itemId</c> of the item to create or replace (required; 1–128 characters, no control characters); unique within one request.</summary>
    [JsonPropertyName("itemId")]
    public string? ItemId { get; init; }

    /// <summary>Gets the item's <c>title</c>: at most 1024 characters, no control characters; null when it has none.</summary>
    [JsonPropertyName("title")]
    public string? Title { get; init; }

    /// <summary>Gets the item's <c>categories</c> (at most 64, each at most 128 characters): features of the item tower and what <c>filter.categories</c> matches; null or empty when it has none.</summary>
    [JsonPropertyName("categories")]
    public IReadOnlyList<string?>? Categories { get; init; }

    /// <summary>Gets the item's <c>tags</c> (at most 64, each at most 128 characters): features of the item tower; null or empty when it has none.</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyList<string?>? Tags { get; init; }

    /// <summary>Gets whether the item may be recommended; true when omitted.</summary>
    [JsonPropertyName("available")]
    public bool? Available { get; init; }

    /// <summary>Gets free attributes (a JSON object), kept with the item and returned by nothing today.</summary>
    [JsonPropertyName("attributes")]
    public JsonElement? Attributes { get; init; }
}

/// <summary>The body of <c>PUT /api/items</c>: <c>{ "items": [ {itemId, title?, categories?, tags?, available?, attributes?}, ... ] }</c>.</summary>
public sealed record PutCatalogRequest
{
    /// <summary>Gets the <c>items</c> to create or replace: 1 to 1000 items, none of them null.</summary>
    [JsonPropertyName("items")]
    public IReadOnlyList<PutCatalogItem?>? Items { get; init; }
}

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
