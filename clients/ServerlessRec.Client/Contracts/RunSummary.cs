using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>One retraining or rollback from <c>runs/</c>.</summary>
public sealed record RunSummary
{
    /// <summary>Gets the run id.</summary>
    [JsonPropertyName("runId")]
    public required string RunId { get; init; }

    /// <summary>Gets what started it (<c>schedule</c>, <c>http</c>, <c>rollback</c>, …).</summary>
    [JsonPropertyName("trigger")]
    public string? Trigger { get; init; }

    /// <summary>Gets when it started.</summary>
    [JsonPropertyName("started")]
    public DateTimeOffset? Started { get; init; }

    /// <summary>Gets when it finished.</summary>
    [JsonPropertyName("finished")]
    public DateTimeOffset? Finished { get; init; }

    /// <summary>Gets the outcome: activated, rejected, no-data, failed (or unreadable).</summary>
    [JsonPropertyName("outcome")]
    public required string Outcome { get; init; }

    /// <summary>Gets the version it made live, if any.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    /// <summary>Gets why, in plain words.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }
}
