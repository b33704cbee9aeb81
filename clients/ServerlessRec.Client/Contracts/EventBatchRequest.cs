using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

internal sealed record EventBatchRequest
{
    [JsonPropertyName("events")]
    public required IReadOnlyList<UserEvent> Events { get; init; }
}
