using System.Text.Json.Serialization;

namespace ServerlessRec.Onnx;

/// <summary>One line of <c>items.jsonl</c>: an item of the model's vocabulary.</summary>
public sealed record ModelItem
{
    /// <summary>The item index the towers use (1..ItemCount).</summary>
    [JsonPropertyName("index")]
    public required int Index { get; init; }

    [JsonPropertyName("id")]
    public required string ItemId { get; init; }

    /// <summary>Hashed category/tag feature indices (the item tower's <c>feature_idx</c>).</summary>
    [JsonPropertyName("features")]
    public int[] Features { get; init; } = [];

    [JsonPropertyName("categories")]
    public string[] Categories { get; init; } = [];

    [JsonPropertyName("available")]
    public bool Available { get; init; } = true;

    /// <summary>Positive events in the training data.</summary>
    [JsonPropertyName("popularity")]
    public long Popularity { get; init; }
}
