using System.Text.Json.Serialization;

namespace ServerlessRec.Serving;

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
