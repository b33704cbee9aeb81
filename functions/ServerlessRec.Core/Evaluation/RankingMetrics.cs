using System.Text.Json.Serialization;

namespace ServerlessRec.Evaluation;

/// <summary>Ranking quality averaged over users (design.md, "Evaluation protocol").</summary>
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

    /// <summary>Gets the mean reciprocal rank (no cut-off).</summary>
    [JsonPropertyName("mrr")]
    public double Mrr { get; init; }

    /// <summary>Gets the distinct items in all users' top 10 over the catalog size.</summary>
    [JsonPropertyName("coverage@10")]
    public double CoverageAt10 { get; init; }

    /// <summary>
    /// Gets the share of the top-10 slots holding an item the user rejects (skip, dislike, low rating) after the
    /// held-out point: rejections before it are never ranked, so this counts the ones still to come.
    /// </summary>
    [JsonPropertyName("rejected@10")]
    public double RejectedShareAt10 { get; init; }

    /// <summary>
    /// Gets the number of users left out because their held-out item was already in their history (not a target:
    /// serving never shows a seen item; see <see cref="RankingEvaluator.IsTarget"/>).
    /// </summary>
    [JsonPropertyName("repeatTargetsDropped")]
    public int RepeatTargetsDropped { get; init; }
}
