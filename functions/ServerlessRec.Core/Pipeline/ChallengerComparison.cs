using System.Text.Json.Serialization;
using ServerlessRec.Serving;

namespace ServerlessRec.Pipeline;

/// <summary>
/// Champion against challenger on CTR@10 in the online-metrics window: the difference (challenger − champion) with its
/// 95% confidence interval, and a verdict.
/// </summary>
public sealed record ChallengerComparison
{
    /// <summary>The z value of a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>Gets the champion arm's impressions at positions 0–9 in the window.</summary>
    [JsonPropertyName("championImpressions")]
    public required long ChampionImpressions { get; init; }

    /// <summary>Gets the champion arm's attributed clicks at positions 0–9.</summary>
    [JsonPropertyName("championClicks")]
    public required long ChampionClicks { get; init; }

    /// <summary>Gets the challenger arm's impressions at positions 0–9 in the window.</summary>
    [JsonPropertyName("challengerImpressions")]
    public required long ChallengerImpressions { get; init; }

    /// <summary>Gets the challenger arm's attributed clicks at positions 0–9.</summary>
    [JsonPropertyName("challengerClicks")]
    public required long ChallengerClicks { get; init; }

    /// <summary>Gets the challenger's versions seen in the window (usually one).</summary>
    [JsonPropertyName("challengerVersions")]
    public required IReadOnlyList<string> ChallengerVersions { get; init; }

    /// <summary>Gets the champion's CTR@10: clicks / impressions at positions 0–9.</summary>
    [JsonPropertyName("championCtrAt10")]
    public required double ChampionCtrAt10 { get; init; }

    /// <summary>Gets the challenger's CTR@10: clicks / impressions at positions 0–9.</summary>
    [JsonPropertyName("challengerCtrAt10")]
    public required double ChallengerCtrAt10 { get; init; }

    /// <summary>Gets challenger CTR@10 − champion CTR@10.</summary>
    [JsonPropertyName("difference")]
    public required double Difference { get; init; }

    /// <summary>Gets the lower end of the 95% interval of <see cref="Difference"/>.</summary>
    [JsonPropertyName("low")]
    public required double Low { get; init; }

    /// <summary>Gets the upper end of the 95% interval of <see cref="Difference"/>.</summary>
    [JsonPropertyName("high")]
    public required double High { get; init; }

    /// <summary>Gets the impressions each arm needs before the verdict can be other than <see cref="ChallengerVerdicts.Inconclusive"/>.</summary>
    [JsonPropertyName("minImpressions")]
    public required long MinImpressions { get; init; }

    /// <summary>Gets <see cref="ChallengerVerdicts.Better"/>, <see cref="ChallengerVerdicts.Worse"/> or <see cref="ChallengerVerdicts.Inconclusive"/>.</summary>
    [JsonPropertyName("verdict")]
    public required string Verdict { get; init; }

    /// <summary>Gets the verdict in words.</summary>
    [JsonPropertyName("reason")]
    public required string Reason { get; init; }

    /// <summary>
    /// Compares the arms over the groups of a window (every version and source of an arm together, impressions and clicks
    /// at positions 0–9). The interval is the two-proportion normal approximation, unpooled:
    /// d ± z·√(p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂). <see langword="null"/> when the challenger arm has no impressions.
    /// </summary>
    /// <param name="groups">The window's rows (<see cref="OnlineMetricsCalculator.Compute"/>).</param>
    /// <param name="minImpressions">The impressions at 0–9 each arm needs for a verdict other than inconclusive.</param>
    public static ChallengerComparison? Compare(IReadOnlyList<OnlineMetricsRow> groups, long minImpressions)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minImpressions);
        var champion = groups.Where(g => g.Arm == RecommendationArms.Champion).ToList();
        var challenger = groups.Where(g => g.Arm == RecommendationArms.Challenger).ToList();
        long n2 = champion.Sum(g => g.ImpressionsAt10), c2 = champion.Sum(g => g.ClicksAt10);
        long n1 = challenger.Sum(g => g.ImpressionsAt10), c1 = challenger.Sum(g => g.ClicksAt10);
        if (n1 == 0)
        {
            return null;
        }

        var p1 = (double)c1 / n1;
        var p2 = n2 == 0 ? 0 : (double)c2 / n2;
        var difference = p1 - p2;
        var se = n2 == 0 ? double.PositiveInfinity : Math.Sqrt((p1 * (1 - p1) / n1) + (p2 * (1 - p2) / n2));
        var low = difference - (Z95 * se);
        var high = difference + (Z95 * se);
        string verdict, reason;
        if (n1 < minImpressions || n2 < minImpressions)
        {
            verdict = ChallengerVerdicts.Inconclusive;
            reason = $"too few impressions: {n1} for the challenger and {n2} for the champion; each arm needs {minImpressions}";
        }
        else if (low > 0)
        {
            verdict = ChallengerVerdicts.Better;
            reason = $"the challenger's CTR@10 is higher by {F(difference)} (95% interval {F(low)} to {F(high)})";
        }
        else if (high < 0)
        {
            verdict = ChallengerVerdicts.Worse;
            reason = $"the challenger's CTR@10 is lower by {F(-difference)} (95% interval {F(low)} to {F(high)})";
        }
        else
        {
            verdict = ChallengerVerdicts.Inconclusive;
            reason = $"the 95% interval of the difference ({F(low)} to {F(high)}) holds 0";
        }

        return new ChallengerComparison
        {
            ChampionImpressions = n2,
            ChampionClicks = c2,
            ChallengerImpressions = n1,
            ChallengerClicks = c1,
            ChallengerVersions = [.. challenger.Select(g => g.ModelVersion).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            ChampionCtrAt10 = p2,
            ChallengerCtrAt10 = p1,
            Difference = difference,
            Low = low,
            High = high,
            MinImpressions = minImpressions,
            Verdict = verdict,
            Reason = reason,
        };
    }

    private static string F(double value) => value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}
