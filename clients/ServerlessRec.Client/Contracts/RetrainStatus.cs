using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>The answer of <c>GET /api/retrain/{instanceId}</c>.</summary>
public sealed record RetrainStatus
{
    /// <summary>Gets the orchestration instance id.</summary>
    [JsonPropertyName("instanceId")]
    public required string InstanceId { get; init; }

    /// <summary>Gets the runtime status: pending, running, completed, failed, terminated or suspended.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>Gets when the run was created.</summary>
    [JsonPropertyName("createdAt")]
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the run last changed.</summary>
    [JsonPropertyName("lastUpdatedAt")]
    public DateTimeOffset LastUpdatedAt { get; init; }

    /// <summary>Gets the step in progress, or the one a failed or terminated run stopped in.</summary>
    [JsonPropertyName("step")]
    public string? Step { get; init; }

    /// <summary>Gets the run id (<c>runs/&lt;runId&gt;.json</c>), from the first step on.</summary>
    [JsonPropertyName("runId")]
    public string? RunId { get; init; }

    /// <summary>Gets the outcome of an ended run: activated, rejected, no-data, failed or terminated; <see langword="null"/> while it runs.</summary>
    [JsonPropertyName("outcome")]
    public string? Outcome { get; init; }

    /// <summary>Gets the version that went live, when one did.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    /// <summary>Gets why: the gate's decision, or the failed step and its error.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <summary>Gets whether the run has ended (an <see cref="Outcome"/> is set).</summary>
    [JsonIgnore]
    public bool HasEnded => Outcome is not null;
}
