using System.Text.Json.Serialization;

namespace ServerlessRec.Serving;

/// <summary>Filters of a recommendation request.</summary>
public sealed record RecommendationFilter
{
    /// <summary>Gets categories: an item must have at least one of them.</summary>
    [JsonPropertyName("categories")]
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>Gets a value indicating whether unavailable items are allowed (default: no).</summary>
    [JsonPropertyName("includeUnavailable")]
    public bool IncludeUnavailable { get; init; }

    /// <summary>Gets item ids the caller never wants back.</summary>
    [JsonPropertyName("excludeItemIds")]
    public IReadOnlyList<string>? ExcludeItemIds { get; init; }
}
