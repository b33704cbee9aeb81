using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>One event of a stored history.</summary>
public sealed record HistoryEvent
{
    /// <summary>Gets the item.</summary>
    [JsonPropertyName("itemId")]
    public required string ItemId { get; init; }

    /// <summary>Gets the event type.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>Gets when it happened (whole UTC seconds).</summary>
    [JsonPropertyName("timestamp")]
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the value, if any.</summary>
    [JsonPropertyName("value")]
    public double? Value { get; init; }
}
