using System.Text.Json.Serialization;

namespace ServerlessRec.Onnx;

/// <summary>One line of <c>items.jsonl</c>: an item of the model's vocabulary.</summary>
public sealed record ModelItem
{
    /// <summary>The item index the towers use (1..ItemCount).</summary>
    [JsonPropertyName("index")]
    public required int Index { get; init; }

    /// <summary>Gets the catalog item id (<c>id</c>).</summary>
    [JsonPropertyName("id")]
    public required string ItemId { get; init; }

    /// <summary>Hashed category/tag feature indices (the item tower's <c>feature_idx</c>).</summary>
    [JsonPropertyName("features")]
    public int[] Features { get; init; } = [];

    /// <summary>Gets the item's categories, as <c>filter.categories</c> matches them.</summary>
    [JsonPropertyName("categories")]
    public string[] Categories { get; init; } = [];

    /// <summary>Gets a value indicating whether the item may be recommended (true when absent).</summary>
    [JsonPropertyName("available")]
    public bool Available { get; init; } = true;

    /// <summary>Positive events in the training data.</summary>
    [JsonPropertyName("popularity")]
    public long Popularity { get; init; }
}
