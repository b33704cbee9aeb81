using System.Text.Json.Serialization;
using ServerlessRec.Serving;

namespace ServerlessRec.Pipeline;

/// <summary>The answer of <c>GET /api/status</c> and <c>serverlessrec status</c>.</summary>
public sealed record ModelStatus
{
    /// <summary>Gets the live pointer (<see langword="null"/>: no model was ever activated).</summary>
    [JsonPropertyName("live")]
    public ModelPointer? Live { get; init; }

    /// <summary>Gets the challenger served beside the live version (<see langword="null"/>: none runs).</summary>
    [JsonPropertyName("challenger")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChallengerPointer? Challenger { get; init; }

    /// <summary>Gets the kept versions, newest first.</summary>
    [JsonPropertyName("versions")]
    public required IReadOnlyList<ModelVersionSummary> Versions { get; init; }

    /// <summary>Gets the last runs (retrainings, rollbacks and promotions), newest first.</summary>
    [JsonPropertyName("runs")]
    public required IReadOnlyList<RunSummary> Runs { get; init; }

    /// <summary>Gets the newest promotion of a challenger (by an operator or by a retraining's rule); <see langword="null"/>: none recorded.</summary>
    [JsonPropertyName("lastPromotion")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RunSummary? LastPromotion { get; init; }
}
