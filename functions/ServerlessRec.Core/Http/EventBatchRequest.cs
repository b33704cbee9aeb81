using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

/// <summary>The body of <c>POST /api/events</c>: <c>{ "events": [ {userId, itemId, type, timestamp?, value?}, ... ] }</c>.</summary>
public sealed record EventBatchRequest
{
    /// <summary>Gets the <c>events</c> to log: 1 to 1000 events, none of them null.</summary>
    [JsonPropertyName("events")]
    public IReadOnlyList<PostedEvent?>? Events { get; init; }
}
