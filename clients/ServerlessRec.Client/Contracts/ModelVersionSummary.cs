using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>One kept model version.</summary>
public sealed record ModelVersionSummary
{
    /// <summary>Gets the version.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>Gets whether it is the live version.</summary>
    [JsonPropertyName("live")]
    public bool Live { get; init; }

    /// <summary>Gets when it was trained.</summary>
    [JsonPropertyName("created")]
    public DateTimeOffset? Created { get; init; }

    /// <summary>Gets how many items it knows.</summary>
    [JsonPropertyName("items")]
    public int? Items { get; init; }

    /// <summary>Gets the vector dimensions.</summary>
    [JsonPropertyName("dimensions")]
    public int? Dimensions { get; init; }

    /// <summary>Gets the gate's metrics by name (<c>validation.model</c>, <c>validation.popularity</c>, <c>validation.live</c>).</summary>
    [JsonPropertyName("metrics")]
    public IReadOnlyDictionary<string, RankingMetrics> Metrics { get; init; } = new Dictionary<string, RankingMetrics>();

    /// <summary>Gets why the version's manifest could not be read, or <see langword="null"/>.</summary>
    [JsonPropertyName("problem")]
    public string? Problem { get; init; }
}
