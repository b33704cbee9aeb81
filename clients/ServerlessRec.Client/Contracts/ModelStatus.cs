using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

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
