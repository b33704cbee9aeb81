using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>Ranking metrics of one evaluation (see the README's evaluation protocol).</summary>
public sealed record RankingMetrics
{
    /// <summary>Gets the number of evaluated users.</summary>
    [JsonPropertyName("users")]
    public int Users { get; init; }

    /// <summary>Gets the hit rate at 10.</summary>
    [JsonPropertyName("hr@10")]
    public double HitRateAt10 { get; init; }

    /// <summary>Gets the hit rate at 20.</summary>
    [JsonPropertyName("hr@20")]
    public double HitRateAt20 { get; init; }

    /// <summary>Gets NDCG at 10.</summary>
    [JsonPropertyName("ndcg@10")]
    public double NdcgAt10 { get; init; }

    /// <summary>Gets NDCG at 20.</summary>
    [JsonPropertyName("ndcg@20")]
    public double NdcgAt20 { get; init; }

    /// <summary>Gets the mean reciprocal rank.</summary>
    [JsonPropertyName("mrr")]
    public double Mrr { get; init; }

    /// <summary>Gets the catalog coverage at 10.</summary>
    [JsonPropertyName("coverage@10")]
    public double CoverageAt10 { get; init; }
}
