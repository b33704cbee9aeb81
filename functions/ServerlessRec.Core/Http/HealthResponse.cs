using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

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
