using System.Text.Json.Serialization;

namespace ServerlessRec.Pipeline;

/// <summary>One run from <c>runs/&lt;runId&gt;.json</c>.</summary>
public sealed record RunSummary
{
    /// <summary>Gets the run id (<c>yyyyMMdd-HHmmss-…</c>, UTC start time first), the name of its record without <c>.json</c>.</summary>
    [JsonPropertyName("runId")]
    public required string RunId { get; init; }

    /// <summary>Gets who started the run: <c>timer</c>, <c>admin</c>, <c>cli</c>, <c>rollback</c> for an activation by an operator, or <c>promotion</c> for a promoted challenger; null for an unreadable record.</summary>
    [JsonPropertyName("trigger")]
    public string? Trigger { get; init; }

    /// <summary>Gets when the run started; null for an unreadable record.</summary>
    [JsonPropertyName("started")]
    public DateTimeOffset? Started { get; init; }

    /// <summary>Gets when the run ended; null for an unreadable record.</summary>
    [JsonPropertyName("finished")]
    public DateTimeOffset? Finished { get; init; }

    /// <summary>Gets the outcome: activated, rejected, no-data, failed (or unreadable for a damaged record).</summary>
    [JsonPropertyName("outcome")]
    public required RunOutcome Outcome { get; init; }

    /// <summary>Gets the version the run made live (a retraining that activated one, or a rollback); null otherwise.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    /// <summary>Gets why; for a failed run, the step and cause in plain words (<see cref="RetrainFailureText"/>).</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }
}
