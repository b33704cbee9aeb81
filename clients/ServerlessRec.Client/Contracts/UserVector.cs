using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>The answer of <c>GET /api/users/{userId}/vector</c>.</summary>
public sealed record UserVector
{
    /// <summary>Gets the model version that computed the vector.</summary>
    [JsonPropertyName("modelVersion")]
    public required string ModelVersion { get; init; }

    /// <summary>Gets the user id.</summary>
    [JsonPropertyName("userId")]
    public required string UserId { get; init; }

    /// <summary>Gets how many history events the vector was computed from.</summary>
    [JsonPropertyName("historyLength")]
    public int HistoryLength { get; init; }

    /// <summary>Gets the vector (L2-normalised).</summary>
    [JsonPropertyName("vector")]
    public required IReadOnlyList<float> Vector { get; init; }
}
