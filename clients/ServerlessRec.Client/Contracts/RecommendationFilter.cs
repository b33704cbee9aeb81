using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

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
