using System.Text.Json.Serialization;
using ServerlessRec.Events;

namespace ServerlessRec.Serving;

/// <summary>An event sent with a request (not yet stored) or posted to <c>/api/events</c>.</summary>
public sealed record RequestEvent
{
    /// <summary>Gets the <c>itemId</c> of the item acted on (required; 1–128 characters, no control characters).</summary>
    [JsonPropertyName("itemId")]
    public string? ItemId { get; init; }

    /// <summary>Gets the event <c>type</c>: one of the live model's event types (required).</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>Gets when it happened (ISO-8601 with an offset, or Unix seconds); the server's clock when omitted.</summary>
    [JsonPropertyName("timestamp")]
    [JsonConverter(typeof(EventTimestampJsonConverter))]
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Gets the optional <c>value</c> (a rating, dwell seconds): a finite number from -1000000 to 1000000; null when the event has none.</summary>
    [JsonPropertyName("value")]
    public double? Value { get; init; }
}
