using System.Text.Json.Serialization;

namespace ServerlessRec.Serving;

/// <summary>One event kept in a user's stored history.</summary>
public sealed record HistoryEvent
{
    /// <summary>Gets the item acted on.</summary>
    [JsonPropertyName("itemId")]
    public required string ItemId { get; init; }

    /// <summary>Gets the event type.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>Gets when the event happened (whole seconds, UTC).</summary>
    [JsonPropertyName("timestamp")]
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the event's value (a rating, dwell seconds); null when it had none.</summary>
    [JsonPropertyName("value")]
    public double? Value { get; init; }
}

/// <summary>
/// <c>users/&lt;2 hex&gt;/&lt;hmac(userId)&gt;.json</c>: the most recent events of one user, oldest first, and when the
/// user was last forgotten (events at or before it are never stored again).
/// </summary>
public sealed record StoredUserHistory
{
    /// <summary>Gets the user id.</summary>
    [JsonPropertyName("userId")]
    public required string UserId { get; init; }

    /// <summary>Gets when the user was last forgotten, or null: the history holds only events after it.</summary>
    [JsonPropertyName("forgottenAt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ForgottenAt { get; init; }

    /// <summary>Gets the events, oldest first.</summary>
    [JsonPropertyName("events")]
    public IReadOnlyList<HistoryEvent> Events { get; init; } = [];
}
