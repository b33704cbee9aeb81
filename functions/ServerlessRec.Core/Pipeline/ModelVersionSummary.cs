using System.Text.Json.Serialization;
using ServerlessRec.Evaluation;

namespace ServerlessRec.Pipeline;

/// <summary>One kept model version.</summary>
public sealed record ModelVersionSummary
{
    /// <summary>Gets the version name (its folder under <c>models/</c>).</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>Gets a value indicating whether this version is the live one.</summary>
    [JsonPropertyName("live")]
    public bool Live { get; init; }

    /// <summary>Gets when the version was exported; null when its manifest could not be read (see <c>problem</c>).</summary>
    [JsonPropertyName("created")]
    public DateTimeOffset? Created { get; init; }

    /// <summary>Gets how many items the version holds; null when its manifest could not be read.</summary>
    [JsonPropertyName("items")]
    public int? Items { get; init; }

    /// <summary>Gets the length of its user and item vectors; null when its manifest could not be read.</summary>
    [JsonPropertyName("dimensions")]
    public int? Dimensions { get; init; }

    /// <summary>Gets the metrics the manifest holds (<c>gate.model</c>, <c>gate.popularity</c>, <c>gate.live</c>; <c>validation.*</c> in models exported before the gate scored the shipped model on TEST).</summary>
    [JsonPropertyName("metrics")]
    public IReadOnlyDictionary<string, RankingMetrics> Metrics { get; init; } = new Dictionary<string, RankingMetrics>();

    /// <summary>Gets why the version's manifest could not be read (<see langword="null"/> when it could).</summary>
    [JsonPropertyName("problem")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Problem { get; init; }
}
