using System.Text.Json.Serialization;

namespace ServerlessRec.Http;

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

    /// <summary>Gets what made the version live: <c>retrain</c>, <c>rollback</c> or <c>promotion</c>; null on pointers written before it was recorded.</summary>
    [JsonPropertyName("trigger")]
    public string? Trigger { get; init; }

    /// <summary>Gets who asked for the activation (a run id for <c>retrain</c> and an automatic <c>promotion</c>; the operator for <c>rollback</c> and a manual one); null when not recorded.</summary>
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
