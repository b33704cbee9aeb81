using System.Text.Json.Serialization;

namespace ServerlessRec.Serving;

/// <summary>One line of the impression log: one recommendation response as it was served.</summary>
public sealed record ImpressionRecord
{
    /// <summary>Gets the response's id.</summary>
    [JsonPropertyName("recommendationId")]
    public required string RecommendationId { get; init; }

    /// <summary>Gets when it was served.</summary>
    [JsonPropertyName("servedAt")]
    public required DateTimeOffset ServedAt { get; init; }

    /// <summary>Gets the keyed hash of the user (<see cref="UserIdHasher.Hash"/>); absent for similar items.</summary>
    [JsonPropertyName("userHash")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UserHash { get; init; }

    /// <summary>Gets the model version that answered.</summary>
    [JsonPropertyName("modelVersion")]
    public required string ModelVersion { get; init; }

    /// <summary>Gets the arm (<see cref="RecommendationArms"/>).</summary>
    [JsonPropertyName("arm")]
    public required string Arm { get; init; }

    /// <summary>Gets the response's <c>source</c> (<c>history</c>, <c>request</c>, <c>popular</c>, <c>item</c>, <c>fallback</c>).</summary>
    [JsonPropertyName("source")]
    public required string Source { get; init; }

    /// <summary>Gets the items in the order shown: an item's index is its position.</summary>
    [JsonPropertyName("itemIds")]
    public required IReadOnlyList<string> ItemIds { get; init; }
}
