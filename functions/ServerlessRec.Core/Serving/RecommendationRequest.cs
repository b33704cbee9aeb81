using System.Text.Json.Serialization;

namespace ServerlessRec.Serving;

/// <summary>The body of <c>POST /api/recommendations</c>.</summary>
public sealed record RecommendationRequest
{
    /// <summary>Gets the <c>userId</c> to recommend for (required; 1–128 characters, no control characters); their stored history is read.</summary>
    [JsonPropertyName("userId")]
    public string? UserId { get; init; }

    /// <summary>Gets <c>recentEvents</c>: at most 200 events not yet stored, used with the stored history for this request only; null or empty when there are none.</summary>
    [JsonPropertyName("recentEvents")]
    public IReadOnlyList<RequestEvent>? RecentEvents { get; init; }

    /// <summary>Gets <c>k</c>: how many items to return, 1 to 200 (default 10).</summary>
    [JsonPropertyName("k")]
    public int K { get; init; } = 10;

    /// <summary>Gets the <c>filter</c> every returned item must pass; null: available items only, no other restriction.</summary>
    [JsonPropertyName("filter")]
    public RecommendationFilter? Filter { get; init; }

    /// <summary>Gets <c>excludeSeen</c>: whether items in the user's history are left out (default true).</summary>
    [JsonPropertyName("excludeSeen")]
    public bool ExcludeSeen { get; init; } = true;

    /// <summary>Gets <c>explain</c>: whether each item carries its <c>reason</c> and <c>because</c> (default false).</summary>
    [JsonPropertyName("explain")]
    public bool Explain { get; init; }

    /// <summary>Gets the diversity (0–1): 0 ranks by relevance only; higher values re-rank with maximal marginal relevance.</summary>
    [JsonPropertyName("diversity")]
    public double Diversity { get; init; }

    /// <summary>Gets the share of the list (0–0.5) given to relevant but under-exposed items.</summary>
    [JsonPropertyName("exploration")]
    public double Exploration { get; init; }
}
