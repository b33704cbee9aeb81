using System.Text.Json.Serialization;
using ServerlessRec.Events;

namespace ServerlessRec.Serving;

/// <summary>The answer of <c>POST /api/recommendations</c>.</summary>
public sealed record RecommendationResponse
{
    /// <summary>
    /// Gets the id of this response (<see cref="RecommendationIds"/>): send it back as <c>recommendationId</c>, with the
    /// item's 0-based <c>position</c>, on the events it leads to (impressions, clicks, purchases) so they are attributed to it.
    /// </summary>
    [JsonPropertyName("recommendationId")]
    public string RecommendationId { get; init; } = string.Empty;

    /// <summary>Gets the model version that answered.</summary>
    [JsonPropertyName("modelVersion")]
    public required string ModelVersion { get; init; }

    /// <summary>Gets the arm that answered (<see cref="RecommendationArms"/>): <c>champion</c>, the live model.</summary>
    [JsonPropertyName("arm")]
    public string Arm { get; init; } = RecommendationArms.Champion;

    /// <summary>Gets what the list was computed from (<c>history</c>, <c>request</c>, <c>popular</c>, <c>item</c> or <c>fallback</c>).</summary>
    [JsonPropertyName("source")]
    public required RecommendationSource Source { get; init; }

    /// <summary>Gets the recommended items in ranked order: at most <c>k</c>, fewer when the filters leave fewer.</summary>
    [JsonPropertyName("items")]
    public required IReadOnlyList<RecommendedItem> Items { get; init; }
}
