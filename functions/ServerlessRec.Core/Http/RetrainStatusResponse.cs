using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

/// <summary>The answer of <c>GET /api/retrain/{instanceId}</c>.</summary>
public sealed record RetrainStatusResponse
{
    /// <summary>Gets the orchestration instance id asked for.</summary>
    [JsonPropertyName("instanceId")]
    public required string InstanceId { get; init; }

    /// <summary>Gets the runtime status: pending, running, completed, failed, terminated, suspended.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>Gets when the run was created (ISO-8601).</summary>
    [JsonPropertyName("createdAt")]
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the run's state last changed (ISO-8601).</summary>
    [JsonPropertyName("lastUpdatedAt")]
    public required DateTimeOffset LastUpdatedAt { get; init; }

    /// <summary>Gets the step in progress while running (e.g. <c>train</c>), or the one a failed or terminated run stopped in.</summary>
    [JsonPropertyName("step")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Step { get; init; }

    /// <summary>Gets the run id (the run record is <c>runs/&lt;runId&gt;.json</c> once written), from the first step on.</summary>
    [JsonPropertyName("runId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RunId { get; init; }

    /// <summary>Gets the outcome of an ended run: activated, rejected or no-data when completed; failed or terminated otherwise.</summary>
    [JsonPropertyName("outcome")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Outcome { get; init; }

    /// <summary>Gets the version that went live, when one did.</summary>
    [JsonPropertyName("version")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Version { get; init; }

    /// <summary>Gets why: the gate's decision, or the failed step and its error.</summary>
    [JsonPropertyName("reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }
}
