using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>The answer of <c>POST /api/recommendations</c> and of the similar-items routes.</summary>
public sealed record RecommendationResponse
{
    /// <summary>Gets the model version that ranked the items.</summary>
    [JsonPropertyName("modelVersion")]
    public required string ModelVersion { get; init; }

    /// <summary>Gets where the list came from: one of <see cref="RecommendationSources"/>.</summary>
    [JsonPropertyName("source")]
    public required string Source { get; init; }

    /// <summary>Gets the items, best first.</summary>
    [JsonPropertyName("items")]
    public required IReadOnlyList<RecommendedItem> Items { get; init; }
}
