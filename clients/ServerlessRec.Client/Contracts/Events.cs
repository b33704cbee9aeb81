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

/// <summary>The 202 answer of <c>POST /api/events</c>.</summary>
public sealed record EventBatchResult
{
    /// <summary>Gets how many events were logged and added to histories.</summary>
    [JsonPropertyName("accepted")]
    public int Accepted { get; init; }

    /// <summary>Gets how many users' histories were updated.</summary>
    [JsonPropertyName("users")]
    public int Users { get; init; }

    /// <summary>Gets the <c>Idempotency-Key</c> the post was sent with (given or generated): reuse it to repeat this very post later.</summary>
    [JsonIgnore]
    public string IdempotencyKey { get; init; } = string.Empty;

    /// <summary>Gets whether the server had already completed a post with this key and stored nothing again (<c>Idempotent-Replayed: true</c>).</summary>
    [JsonIgnore]
    public bool Replayed { get; init; }
}

internal sealed record EventBatchRequest
{
    [JsonPropertyName("events")]
    public required IReadOnlyList<UserEvent> Events { get; init; }
}
