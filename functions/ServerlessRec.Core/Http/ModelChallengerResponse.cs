using System.Text.Json.Serialization;
using ServerlessRec.Serving;

namespace ServerlessRec.Http;

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
