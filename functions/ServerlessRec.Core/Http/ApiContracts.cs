using ServerlessRec.Pipeline;
using System.Text.Json.Serialization;
using ServerlessRec.Events;
using ServerlessRec.Serving;

namespace ServerlessRec.Http;

/// <summary>One event in the body of <c>POST /api/events</c>: the event contract of design.md.</summary>
public sealed record PostedEvent
{
    /// <summary>Gets the <c>userId</c>: the user who acted (required; 1–128 characters, no control characters).</summary>
    [JsonPropertyName("userId")]
    public string? UserId { get; init; }

    /// <summary>Gets the <c>itemId</c>: the catalog item acted on (required; 1–128 characters, no control characters).</summary>
    [JsonPropertyName("itemId")]
    public string? ItemId { get; init; }

    /// <summary>Gets the event <c>type</c>: one of the configured event types (required; e.g. <c>view</c>, <c>click</c>, <c>purchase</c>).</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>Gets when it happened (ISO-8601 with an offset, or Unix seconds); the server's clock when omitted.</summary>
    [JsonPropertyName("timestamp")]
    [JsonConverter(typeof(EventTimestampJsonConverter))]
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Gets the optional <c>value</c> (a rating, dwell seconds): a finite number from -1000000 to 1000000; null when the event has none.</summary>
    [JsonPropertyName("value")]
    public double? Value { get; init; }

    /// <summary>Gets the <c>recommendationId</c> of the response that showed the item, when the event answers one (attribution).</summary>
    [JsonPropertyName("recommendationId")]
    public string? RecommendationId { get; init; }

    /// <summary>Gets the item's 0-based position in that response's list; only with <see cref="RecommendationId"/>.</summary>
    [JsonPropertyName("position")]
    public int? Position { get; init; }
}

/// <summary>The body of <c>POST /api/events</c>: <c>{ "events": [ {userId, itemId, type, timestamp?, value?}, ... ] }</c>.</summary>
public sealed record EventBatchRequest
{
    /// <summary>Gets the <c>events</c> to log: 1 to 1000 events, none of them null.</summary>
    [JsonPropertyName("events")]
    public IReadOnlyList<PostedEvent?>? Events { get; init; }
}

/// <summary>The 202 answer of <c>POST /api/events</c>.</summary>
public sealed record EventBatchResponse
{
    /// <summary>Gets how many events were logged and added to histories.</summary>
    [JsonPropertyName("accepted")]
    public required int Accepted { get; init; }

    /// <summary>Gets how many users' histories were updated.</summary>
    [JsonPropertyName("users")]
    public required int Users { get; init; }
}

/// <summary>The answer of <c>GET /api/users/{userId}/vector</c>.</summary>
public sealed record UserVectorResponse
{
    /// <summary>Gets the live model version whose user tower computed the vector.</summary>
    [JsonPropertyName("modelVersion")]
    public required string ModelVersion { get; init; }

    /// <summary>Gets the <c>userId</c> asked for.</summary>
    [JsonPropertyName("userId")]
    public required string UserId { get; init; }

    /// <summary>Gets how many history events the vector was computed from.</summary>
    [JsonPropertyName("historyLength")]
    public required int HistoryLength { get; init; }

    /// <summary>Gets the user's <c>vector</c>: the output of the live model's user tower, one float per model dimension.</summary>
    [JsonPropertyName("vector")]
    public required IReadOnlyList<float> Vector { get; init; }
}

/// <summary>The answer of <c>GET /api/health</c> when a model is live.</summary>
public sealed record HealthResponse
{
    /// <summary>Gets <c>ok</c>, or <c>degraded</c> when <c>reasons</c> lists problems.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>Gets the live model version this instance serves.</summary>
    [JsonPropertyName("modelVersion")]
    public required string ModelVersion { get; init; }

    /// <summary>Gets why the status is <c>degraded</c> (absent when it is <c>ok</c>).</summary>
    [JsonPropertyName("reasons")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Reasons { get; init; }
}

/// <summary>The answer of <c>DELETE /api/users/{userId}</c>.</summary>
public sealed record ForgetUserResponse
{
    /// <summary>Gets the <c>userId</c> whose data was forgotten.</summary>
    [JsonPropertyName("userId")]
    public required string UserId { get; init; }

    /// <summary>Gets whether a stored history existed and was deleted.</summary>
    [JsonPropertyName("historyDeleted")]
    public required bool HistoryDeleted { get; init; }
}

/// <summary>
/// The body of <c>POST /api/retrain</c>: an empty JSON object (<c>{}</c>). It carries nothing yet; requiring it makes
/// the start a JSON request, which a page in a browser cannot send to another site without a CORS preflight.
/// </summary>
public sealed record RetrainStartRequest;

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
    public RunOutcome? Outcome { get; init; }

    /// <summary>Gets the version that went live, when one did.</summary>
    [JsonPropertyName("version")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Version { get; init; }

    /// <summary>Gets why: the gate's decision, or the failed step and its error.</summary>
    [JsonPropertyName("reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }
}

/// <summary>The body of <c>POST /api/models/{version}/activate</c>.</summary>
public sealed record ModelActivationRequest
{
    /// <summary>Gets why the version is made live (recorded in <c>models/current.json</c> and the run history).</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <summary>Gets who asks (recorded likewise; the caller is already authorised for the Operations group).</summary>
    [JsonPropertyName("requestedBy")]
    public string? RequestedBy { get; init; }
}

/// <summary>The body of <c>POST /api/models/{version}/challenge</c>.</summary>
public sealed record ModelChallengeRequest
{
    /// <summary>Gets the share of users the challenger is served to: above 0, at most 0.5. Required.</summary>
    [JsonPropertyName("share")]
    public double? Share { get; init; }

    /// <summary>Gets why the challenger is started (recorded in <c>models/challenger.json</c>).</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <summary>Gets who asks (recorded likewise).</summary>
    [JsonPropertyName("requestedBy")]
    public string? RequestedBy { get; init; }
}

/// <summary>The answer of <c>POST /api/models/{version}/challenge</c> and <c>DELETE /api/models/challenger</c>.</summary>
public sealed record ModelChallengerResponse
{
    /// <summary>Gets the challenger started, or the one stopped (<see langword="null"/>: none ran).</summary>
    [JsonPropertyName("challenger")]
    public ChallengerPointer? Challenger { get; init; }

    /// <summary>Gets whether <c>models/challenger.json</c> changed.</summary>
    [JsonPropertyName("changed")]
    public required bool Changed { get; init; }
}

/// <summary>The answer of <c>POST /api/models/{version}/activate</c>: the live pointer after the activation.</summary>
public sealed record ModelActivationResponse
{
    /// <summary>Gets the live version after the activation.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>Gets the version that was live before it; null when none was.</summary>
    [JsonPropertyName("previousVersion")]
    public string? PreviousVersion { get; init; }

    /// <summary>Gets when the live version was activated (ISO-8601); unchanged when <c>changed</c> is false.</summary>
    [JsonPropertyName("activatedAt")]
    public required DateTimeOffset ActivatedAt { get; init; }

    /// <summary>Gets what made the version live: <c>retrain</c> or <c>rollback</c>; null on pointers written before it was recorded.</summary>
    [JsonPropertyName("trigger")]
    public string? Trigger { get; init; }

    /// <summary>Gets who asked for the activation (a run id for <c>retrain</c>; the operator for <c>rollback</c>); null when not recorded.</summary>
    [JsonPropertyName("activatedBy")]
    public string? ActivatedBy { get; init; }

    /// <summary>Gets why the version was made live, in the words of whoever asked; null when none was given.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <summary>Gets whether the pointer changed (false: the version was already live).</summary>
    [JsonPropertyName("changed")]
    public required bool Changed { get; init; }

    /// <summary>Gets the activation's record in <c>runs/</c> (<see langword="null"/> when nothing changed).</summary>
    [JsonPropertyName("runId")]
    public string? RunId { get; init; }
}

/// <summary>The RFC 9457 problem body every error answer carries; <see cref="Field"/> names the offending request field.</summary>
public sealed record ApiProblem
{
    /// <summary>Gets the problem <c>type</c>: a URI of the HTTP status in RFC 9110.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>Gets a short, human-readable summary of the problem type.</summary>
    [JsonPropertyName("title")]
    public required string Title { get; init; }

    /// <summary>Gets the HTTP status code of the answer.</summary>
    [JsonPropertyName("status")]
    public required int Status { get; init; }

    /// <summary>Gets what went wrong with this request, in words.</summary>
    [JsonPropertyName("detail")]
    public required string Detail { get; init; }

    /// <summary>Gets the JSON path of the offending request field (e.g. <c>events[0].itemId</c>); absent when no single field is at fault.</summary>
    [JsonPropertyName("field")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Field { get; init; }

    /// <summary>
    /// Gets, on a failed <c>POST /api/events</c>, whether its events are in the event log all the same (true: they are;
    /// repeat the post only with the same <c>Idempotency-Key</c>). Absent on every other answer.
    /// </summary>
    [JsonPropertyName("eventsLogged")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? EventsLogged { get; init; }
}

/// <summary>Source-generated JSON metadata for every body the API writes (no reflection per response).</summary>
/// <remarks>
/// Request bodies are read with <see cref="RequestBody.Options"/> instead: source-generated metadata sets every
/// init-only property through a constructor delegate, so an omitted <c>k</c> would read as 0 and an omitted
/// <c>excludeSeen</c> as false instead of the contract's defaults (10, true).
/// </remarks>
// Strict defaults on purpose: no numbers in strings, no comments, exact (camelCase) property names.
[JsonSourceGenerationOptions]
[JsonSerializable(typeof(RecommendationResponse))]
[JsonSerializable(typeof(EventBatchResponse))]
[JsonSerializable(typeof(UserVectorResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ForgetUserResponse))]
[JsonSerializable(typeof(UserDataExport))]
[JsonSerializable(typeof(RetrainStartResponse))]
[JsonSerializable(typeof(RetrainStatusResponse))]
[JsonSerializable(typeof(ApiProblem))]
[JsonSerializable(typeof(ModelStatus))]
[JsonSerializable(typeof(ModelActivationResponse))]
[JsonSerializable(typeof(ModelChallengerResponse))]
[JsonSerializable(typeof(CatalogUpdateResponse))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
