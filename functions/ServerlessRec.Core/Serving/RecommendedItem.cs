using System.Text.Json.Serialization;

namespace ServerlessRec.Serving;

/// <summary>One recommended item.</summary>
public sealed record RecommendedItem
{
    /// <summary>Gets the recommended item's <c>itemId</c>.</summary>
    [JsonPropertyName("itemId")]
    public required string ItemId { get; init; }

    /// <summary>Gets the item's <c>score</c>: higher is more relevant; its scale depends on <c>source</c>, so compare scores only within one response.</summary>
    [JsonPropertyName("score")]
    public required float Score { get; init; }

    /// <summary>Gets the history items that contributed most (when <c>explain</c> is on; empty when no single item did, see <see cref="Reason"/>).</summary>
    [JsonPropertyName("because")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Because { get; init; }

    /// <summary>Gets why the item is in the list (when <c>explain</c> is on): its history items, or a kind when no single item explains it.</summary>
    [JsonPropertyName("reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RecommendationReason? Reason { get; init; }

    /// <summary>Gets a value indicating whether the item was mixed in for exploration.</summary>
    [JsonPropertyName("exploration")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Exploration { get; init; }
}
