using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>One recommended item.</summary>
public sealed record RecommendedItem
{
    /// <summary>Gets the item id.</summary>
    [JsonPropertyName("itemId")]
    public required string ItemId { get; init; }

    /// <summary>Gets the model's score (higher is better; comparable within one list only).</summary>
    [JsonPropertyName("score")]
    public float Score { get; init; }

    /// <summary>Gets the history items that contributed most, when the request asked to explain.</summary>
    [JsonPropertyName("because")]
    public IReadOnlyList<string>? Because { get; init; }

    /// <summary>Gets whether the item was placed for exploration (a new or under-exposed item).</summary>
    [JsonPropertyName("exploration")]
    public bool Exploration { get; init; }
}
