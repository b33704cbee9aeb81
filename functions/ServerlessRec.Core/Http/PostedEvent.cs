using System.Text.Json.Serialization;
using ServerlessRec.Events;

namespace ServerlessRec.Http;

/// <summary>One event in the body of <c>POST /api/events</c>: the event contract of design.md.</summary>
public sealed record PostedEvent
{
    /// <summary>Gets the <c>userId</c>: the user who acted (required; 1–128 characters, no control characters).</summary>
    [JsonPropertyName("userId")]
    public string? UserId { get; init; }

    /// <summary>Gets the <c>itemId</c>: the catalog item acted on (required; 1–128 characters, no control characters).</summary>
    [JsonPropertyName("itemId")]
    public string? ItemId { get; init; }

    /// <summary>Gets the event <c>type</c>: one of the configured event types (required; e.g. <c>view</c>, <c>click</c>, <c>purchase</c>).</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>Gets when it happened (ISO-8601 with an offset, or Unix seconds); the server's clock when omitted.</summary>
    [JsonPropertyName("timestamp")]
    [JsonConverter(typeof(EventTimestampJsonConverter))]
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Gets the optional <c>value</c> (a rating, dwell seconds): a finite number from -1000000 to 1000000; null when the event has none.</summary>
    [JsonPropertyName("value")]
    public double? Value { get; init; }

    /// <summary>Gets the <c>recommendationId</c> of the response that showed the item, when the event answers one (attribution).</summary>
    [JsonPropertyName("recommendationId")]
    public string? RecommendationId { get; init; }

    /// <summary>Gets the item's 0-based position in that response's list; only with <see cref="RecommendationId"/>.</summary>
    [JsonPropertyName("position")]
    public int? Position { get; init; }
}
