using System.Text.Json.Serialization;

namespace ServerlessRec.Serving;

/// <summary>Where a recommendation list came from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RecommendationSource>))]
public enum RecommendationSource
{
    /// <summary>The user's stored history (possibly with request events).</summary>
    [JsonStringEnumMemberName("history")]
    History,

    /// <summary>Only the events sent with the request.</summary>
    [JsonStringEnumMemberName("request")]
    Request,

    /// <summary>No usable history: the most popular items.</summary>
    [JsonStringEnumMemberName("popular")]
    Popular,

    /// <summary>The vector of a given item (similar items).</summary>
    [JsonStringEnumMemberName("item")]
    Item,

    /// <summary>The remote index (Azure AI Search) failed or missed its time budget: the instance's own copy of the vectors answered.</summary>
    [JsonStringEnumMemberName("fallback")]
    Fallback,
}
