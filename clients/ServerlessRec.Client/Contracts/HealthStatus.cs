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
