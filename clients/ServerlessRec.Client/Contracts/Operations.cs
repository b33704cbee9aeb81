using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>The answer of <c>GET /api/health</c> while a model is live.</summary>
public sealed record HealthStatus
{
    /// <summary>Gets <c>ok</c> or <c>degraded</c> (requests are still answered, from a fallback).</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>Gets the live model version.</summary>
    [JsonPropertyName("modelVersion")]
    public required string ModelVersion { get; init; }

    /// <summary>Gets why the status is <c>degraded</c>, or <see langword="null"/> when it is <c>ok</c>.</summary>
    [JsonPropertyName("reasons")]
    public IReadOnlyList<string>? Reasons { get; init; }
}

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

/// <summary>The answer of <c>POST /api/models/{version}/activate</c>: the live pointer after the activation.</summary>
public sealed record ModelActivation
{
    /// <summary>Gets the live version.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>Gets the version live before.</summary>
    [JsonPropertyName("previousVersion")]
    public string? PreviousVersion { get; init; }

    /// <summary>Gets when the version was made live.</summary>
    [JsonPropertyName("activatedAt")]
    public DateTimeOffset ActivatedAt { get; init; }

    /// <summary>Gets what made it live (<c>rollback</c> here).</summary>
    [JsonPropertyName("trigger")]
    public string? Trigger { get; init; }

    /// <summary>Gets who asked.</summary>
    [JsonPropertyName("activatedBy")]
    public string? ActivatedBy { get; init; }

    /// <summary>Gets why.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <summary>Gets whether the pointer changed (<see langword="false"/>: the version was already live).</summary>
    [JsonPropertyName("changed")]
    public bool Changed { get; init; }

    /// <summary>Gets the activation's record in <c>runs/</c>, or <see langword="null"/> when nothing changed.</summary>
    [JsonPropertyName("runId")]
    public string? RunId { get; init; }
}

internal sealed record ModelActivationRequest
{
    [JsonPropertyName("reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    [JsonPropertyName("requestedBy")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RequestedBy { get; init; }
}

internal sealed record EmptyRequest;

/// <summary>The answer of <c>GET /api/status</c>: the live model, the kept versions and the last runs.</summary>
public sealed record ModelStatus
{
    /// <summary>Gets the live pointer, or <see langword="null"/> when no model was ever activated.</summary>
    [JsonPropertyName("live")]
    public LiveModel? Live { get; init; }

    /// <summary>Gets the kept versions, newest first.</summary>
    [JsonPropertyName("versions")]
    public IReadOnlyList<ModelVersionSummary> Versions { get; init; } = [];

    /// <summary>Gets the last retrainings and rollbacks, newest first.</summary>
    [JsonPropertyName("runs")]
    public IReadOnlyList<RunSummary> Runs { get; init; } = [];
}

/// <summary>The live pointer (<c>models/current.json</c>).</summary>
public sealed record LiveModel
{
    /// <summary>Gets the live version.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>Gets when it was made live.</summary>
    [JsonPropertyName("activatedAt")]
    public DateTimeOffset ActivatedAt { get; init; }

    /// <summary>Gets the version live before.</summary>
    [JsonPropertyName("previousVersion")]
    public string? PreviousVersion { get; init; }

    /// <summary>Gets what made it live: <c>retrain</c> or <c>rollback</c>.</summary>
    [JsonPropertyName("trigger")]
    public string? Trigger { get; init; }

    /// <summary>Gets who asked (a run id, or the operator).</summary>
    [JsonPropertyName("activatedBy")]
    public string? ActivatedBy { get; init; }

    /// <summary>Gets why.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }
}

/// <summary>One kept model version.</summary>
public sealed record ModelVersionSummary
{
    /// <summary>Gets the version.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>Gets whether it is the live version.</summary>
    [JsonPropertyName("live")]
    public bool Live { get; init; }

    /// <summary>Gets when it was trained.</summary>
    [JsonPropertyName("created")]
    public DateTimeOffset? Created { get; init; }

    /// <summary>Gets how many items it knows.</summary>
    [JsonPropertyName("items")]
    public int? Items { get; init; }

    /// <summary>Gets the vector dimensions.</summary>
    [JsonPropertyName("dimensions")]
    public int? Dimensions { get; init; }

    /// <summary>Gets the gate's metrics by name (<c>validation.model</c>, <c>validation.popularity</c>, <c>validation.live</c>).</summary>
    [JsonPropertyName("metrics")]
    public IReadOnlyDictionary<string, RankingMetrics> Metrics { get; init; } = new Dictionary<string, RankingMetrics>();

    /// <summary>Gets why the version's manifest could not be read, or <see langword="null"/>.</summary>
    [JsonPropertyName("problem")]
    public string? Problem { get; init; }
}

/// <summary>Ranking metrics of one evaluation (see the README's evaluation protocol).</summary>
public sealed record RankingMetrics
{
    /// <summary>Gets the number of evaluated users.</summary>
    [JsonPropertyName("users")]
    public int Users { get; init; }

    /// <summary>Gets the hit rate at 10.</summary>
    [JsonPropertyName("hr@10")]
    public double HitRateAt10 { get; init; }

    /// <summary>Gets the hit rate at 20.</summary>
    [JsonPropertyName("hr@20")]
    public double HitRateAt20 { get; init; }

    /// <summary>Gets NDCG at 10.</summary>
    [JsonPropertyName("ndcg@10")]
    public double NdcgAt10 { get; init; }

    /// <summary>Gets NDCG at 20.</summary>
    [JsonPropertyName("ndcg@20")]
    public double NdcgAt20 { get; init; }

    /// <summary>Gets the mean reciprocal rank.</summary>
    [JsonPropertyName("mrr")]
    public double Mrr { get; init; }

    /// <summary>Gets the catalog coverage at 10.</summary>
    [JsonPropertyName("coverage@10")]
    public double CoverageAt10 { get; init; }
}

/// <summary>One retraining or rollback from <c>runs/</c>.</summary>
public sealed record RunSummary
{
    /// <summary>Gets the run id.</summary>
    [JsonPropertyName("runId")]
    public required string RunId { get; init; }

    /// <summary>Gets what started it (<c>schedule</c>, <c>http</c>, <c>rollback</c>, …).</summary>
    [JsonPropertyName("trigger")]
    public string? Trigger { get; init; }

    /// <summary>Gets when it started.</summary>
    [JsonPropertyName("started")]
    public DateTimeOffset? Started { get; init; }

    /// <summary>Gets when it finished.</summary>
    [JsonPropertyName("finished")]
    public DateTimeOffset? Finished { get; init; }

    /// <summary>Gets the outcome: activated, rejected, no-data, failed (or unreadable).</summary>
    [JsonPropertyName("outcome")]
    public required string Outcome { get; init; }

    /// <summary>Gets the version it made live, if any.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    /// <summary>Gets why, in plain words.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }
}
