using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

/// <summary>The 202 answer of <c>POST /api/retrain</c>.</summary>
public sealed record RetrainStartResponse
{
    /// <summary>Gets the orchestration instance id (the singleton id).</summary>
    [JsonPropertyName("instanceId")]
    public required string InstanceId { get; init; }

    /// <summary>Gets the status URL, relative to the host (also in the <c>Location</c> header).</summary>
    [JsonPropertyName("statusUrl")]
    public required string StatusUrl { get; init; }

    /// <summary>Gets what happened, in words (a new run started, or the one already in progress).</summary>
    [JsonPropertyName("message")]
    public required string Message { get; init; }
}
