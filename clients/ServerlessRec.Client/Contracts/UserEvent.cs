using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>One event for <c>POST /api/events</c>: a user did something with an item.</summary>
public sealed record UserEvent
{
    /// <summary>Gets the user (1–128 characters, no control characters).</summary>
    [JsonPropertyName("userId")]
    public required string UserId { get; init; }

    /// <summary>Gets the item (1–128 characters, no control characters).</summary>
    [JsonPropertyName("itemId")]
    public required string ItemId { get; init; }

    /// <summary>Gets the event type, one of the server's configured types (<c>view</c>, <c>click</c>, <c>like</c>, <c>purchase</c>, <c>skip</c>, …).</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>
    /// Gets when it happened; when <see langword="null"/> the server uses the time it first received the post (the same
    /// time on every retry of one post).
    /// </summary>
    [JsonPropertyName("timestamp")]
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Gets an optional value (a rating, seconds of dwell time).</summary>
    [JsonPropertyName("value")]
    public double? Value { get; init; }
}
