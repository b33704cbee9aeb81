using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>One item for <c>PUT /api/items</c>: the catalog contract.</summary>
public sealed record CatalogItem
{
    /// <summary>Gets the item id (1–128 characters, no control characters).</summary>
    [JsonPropertyName("itemId")]
    public required string ItemId { get; init; }

    /// <summary>Gets the title (at most 1,024 characters), or <see langword="null"/>.</summary>
    [JsonPropertyName("title")]
    public string? Title { get; init; }

    /// <summary>Gets the categories (at most 64), or <see langword="null"/>.</summary>
    [JsonPropertyName("categories")]
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>Gets the tags (at most 64), or <see langword="null"/>.</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Gets whether the item may be recommended; the server takes <see langword="true"/> when <see langword="null"/>.</summary>
    [JsonPropertyName("available")]
    public bool? Available { get; init; }

    /// <summary>Gets free attributes (a JSON object of at most 4 KB) kept with the item, or <see langword="null"/>.</summary>
    [JsonPropertyName("attributes")]
    public JsonElement? Attributes { get; init; }
}
