using System.Text.Json.Serialization;

namespace ServerlessRec.Serving;

/// <summary>One event kept in a user's stored history.</summary>
public sealed record HistoryEvent
{
    [JsonPropertyName("itemId")]
    public required string ItemId { get; init; }

    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("timestamp")]
    public required DateTimeOffset Timestamp { get; init; }

    [JsonPropertyName("value")]
    public double? Value { get; init; }
}

/// <summary><c>users/&lt;2-char hash&gt;/&lt;userId&gt;.json</c>: the most recent events of one user, oldest first.</summary>
public sealed record StoredUserHistory
{
    [JsonPropertyName("userId")]
    public required string UserId { get; init; }

    [JsonPropertyName("events")]
    public IReadOnlyList<HistoryEvent> Events { get; init; } = [];
}
