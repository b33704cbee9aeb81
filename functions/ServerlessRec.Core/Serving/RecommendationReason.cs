using System.Text.Json.Serialization;

namespace ServerlessRec.Serving;

/// <summary>Why an item is in a recommendation list (<c>reason</c>, when <c>explain</c> is on).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RecommendationReason>))]
public enum RecommendationReason
{
    /// <summary>History items explain it: <c>because</c> names them.</summary>
    [JsonStringEnumMemberName("history")]
    History,

    /// <summary>Similar to the user's session as a whole: the blend of the history ranks it, no single item does.</summary>
    [JsonStringEnumMemberName("session")]
    Session,

    /// <summary>A relevant but under-exposed item given an exploration slot.</summary>
    [JsonStringEnumMemberName("exploration")]
    Exploration,

    /// <summary>A new catalog item given one of the new-item slots (<c>Serving:NewItemShare</c>).</summary>
    [JsonStringEnumMemberName("newItem")]
    NewItem,

    /// <summary>A popular item: the user has no usable history, or the search failed and popular items answered.</summary>
    [JsonStringEnumMemberName("popular")]
    Popular,
}
