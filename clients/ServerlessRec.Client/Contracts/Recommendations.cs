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

/// <summary>An event sent with a recommendation request: it changes this ranking but is not stored.</summary>
public sealed record RecentEvent
{
    /// <summary>Gets the item.</summary>
    [JsonPropertyName("itemId")]
    public required string ItemId { get; init; }

    /// <summary>Gets the event type, one of the server's configured types (<c>view</c>, <c>click</c>, <c>like</c>, <c>purchase</c>, …).</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>Gets when it happened; the server's clock when <see langword="null"/>.</summary>
    [JsonPropertyName("timestamp")]
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Gets an optional value (a rating, seconds of dwell time).</summary>
    [JsonPropertyName("value")]
    public double? Value { get; init; }
}

/// <summary>Which items a recommendation may return.</summary>
public sealed record RecommendationFilter
{
    /// <summary>Gets categories: an item must have at least one of them (at most 50), or <see langword="null"/> for any.</summary>
    [JsonPropertyName("categories")]
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>Gets item ids never to return (at most 1000).</summary>
    [JsonPropertyName("excludeItemIds")]
    public IReadOnlyList<string>? ExcludeItemIds { get; init; }

    /// <summary>Gets whether items the catalog marks unavailable may be returned.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    [JsonPropertyName("includeUnavailable")]
    public bool IncludeUnavailable { get; init; }
}

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

/// <summary>The values of <see cref="RecommendationResponse.Source"/>: a string, so a value added by a newer server still reads.</summary>
public static class RecommendationSources
{
    /// <summary>The user's stored history (and the request's events).</summary>
    public const string History = "history";

    /// <summary>Only the events sent with the request.</summary>
    public const string Request = "request";

    /// <summary>No usable history: the most popular items.</summary>
    public const string Popular = "popular";

    /// <summary>The vector of an item (similar items).</summary>
    public const string Item = "item";

    /// <summary>The remote index failed or missed its time budget; the instance's own copy of the vectors answered.</summary>
    public const string Fallback = "fallback";
}
