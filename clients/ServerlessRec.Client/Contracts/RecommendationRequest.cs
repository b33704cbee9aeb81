using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>The body of <c>POST /api/recommendations</c>.</summary>
public sealed record RecommendationRequest
{
    /// <summary>Gets the user to recommend for: the id your back end signed in (1–128 characters, no control characters).</summary>
    [JsonPropertyName("userId")]
    public required string UserId { get; init; }

    /// <summary>Gets events not stored yet that the ranking should take into account (at most 200), or <see langword="null"/>.</summary>
    [JsonPropertyName("recentEvents")]
    public IReadOnlyList<RecentEvent>? RecentEvents { get; init; }

    /// <summary>Gets how many items to return (1–200).</summary>
    /// <value>The default is 10.</value>
    [JsonPropertyName("k")]
    public int K { get; init; } = 10;

    /// <summary>Gets which items may be returned, or <see langword="null"/> for every available item.</summary>
    [JsonPropertyName("filter")]
    public RecommendationFilter? Filter { get; init; }

    /// <summary>Gets whether items in the user's history are left out.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    [JsonPropertyName("excludeSeen")]
    public bool ExcludeSeen { get; init; } = true;

    /// <summary>Gets whether each item says which history items it comes from (<see cref="RecommendedItem.Because"/>).</summary>
    [JsonPropertyName("explain")]
    public bool Explain { get; init; }

    /// <summary>Gets the diversity (0–1): 0 ranks by relevance only.</summary>
    [JsonPropertyName("diversity")]
    public double Diversity { get; init; }

    /// <summary>Gets the share of the list (0–0.5) given to relevant but under-exposed items.</summary>
    [JsonPropertyName("exploration")]
    public double Exploration { get; init; }
}
