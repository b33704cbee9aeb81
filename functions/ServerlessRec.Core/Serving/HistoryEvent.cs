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
