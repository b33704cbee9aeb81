using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>The 202 answer of <c>POST /api/retrain</c>.</summary>
public sealed record RetrainStart
{
    /// <summary>Gets the orchestration instance id to poll with <see cref="IServerlessRecClient.GetRetrainStatusAsync"/>.</summary>
    [JsonPropertyName("instanceId")]
    public required string InstanceId { get; init; }

    /// <summary>Gets the status URL, relative to the host.</summary>
    [JsonPropertyName("statusUrl")]
    public required string StatusUrl { get; init; }

    /// <summary>Gets a message for people.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; init; }
}
