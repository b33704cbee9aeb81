using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

/// <summary>What the requests container keeps about one idempotency key of <c>POST /api/events</c>.</summary>
public sealed record IdempotencyMarker
{
    /// <summary>Gets the SHA-256 of the posted events, so the same key with other events is refused (422).</summary>
    [JsonPropertyName("bodySha256")]
    public required string BodySha256 { get; init; }

    /// <summary>Gets when the post was first received: the timestamp of events that had none, on every retry too.</summary>
    [JsonPropertyName("receivedAt")]
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Gets how far the post got.</summary>
    [JsonPropertyName("state")]
    [JsonConverter(typeof(JsonStringEnumConverter<IdempotentPostState>))]
    public required IdempotentPostState State { get; init; }

    /// <summary>Gets until when a <see cref="IdempotentPostState.Received"/> post is taken to be still in flight.</summary>
    [JsonPropertyName("leaseUntil")]
    public DateTimeOffset LeaseUntil { get; init; }

    /// <summary>Gets the log blob the events were appended to, once logged.</summary>
    [JsonPropertyName("logBlob")]
    public string? LogBlob { get; init; }

    /// <summary>Gets the answer's <c>accepted</c>, once complete.</summary>
    [JsonPropertyName("accepted")]
    public int Accepted { get; init; }

    /// <summary>Gets the answer's <c>users</c>, once complete.</summary>
    [JsonPropertyName("users")]
    public int Users { get; init; }
}
