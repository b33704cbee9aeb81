using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>An event sent with a recommendation request: it changes this ranking but is not stored.</summary>
public sealed record RecentEvent
{
    /// <summary>Gets the item.</summary>
    [JsonPropertyName("itemId")]
    public required string ItemId { get; init; }

    /// <summary>Gets the event type, one of the server's configured types (<c>view</c>, <c>click</c>, <c>like</c>, <c>purchase</c>, …).</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>Gets when it happened; the server's clock when <see langword="null"/>.</summary>
    [JsonPropertyName("timestamp")]
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Gets an optional value (a rating, seconds of dwell time).</summary>
    [JsonPropertyName("value")]
    public double? Value { get; init; }
}
