using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

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
