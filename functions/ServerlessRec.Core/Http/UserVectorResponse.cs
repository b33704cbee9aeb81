using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

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
