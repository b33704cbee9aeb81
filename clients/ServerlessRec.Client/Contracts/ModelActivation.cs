using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>The answer of <c>POST /api/models/{version}/activate</c>: the live pointer after the activation.</summary>
public sealed record ModelActivation
{
    /// <summary>Gets the live version.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>Gets the version live before.</summary>
    [JsonPropertyName("previousVersion")]
    public string? PreviousVersion { get; init; }

    /// <summary>Gets when the version was made live.</summary>
    [JsonPropertyName("activatedAt")]
    public DateTimeOffset ActivatedAt { get; init; }

    /// <summary>Gets what made it live (<c>rollback</c> here).</summary>
    [JsonPropertyName("trigger")]
    public string? Trigger { get; init; }

    /// <summary>Gets who asked.</summary>
    [JsonPropertyName("activatedBy")]
    public string? ActivatedBy { get; init; }

    /// <summary>Gets why.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <summary>Gets whether the pointer changed (<see langword="false"/>: the version was already live).</summary>
    [JsonPropertyName("changed")]
    public bool Changed { get; init; }

    /// <summary>Gets the activation's record in <c>runs/</c>, or <see langword="null"/> when nothing changed.</summary>
    [JsonPropertyName("runId")]
    public string? RunId { get; init; }
}
