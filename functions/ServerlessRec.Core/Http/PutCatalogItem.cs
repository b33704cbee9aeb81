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
