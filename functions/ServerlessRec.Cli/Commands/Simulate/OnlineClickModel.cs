using ServerlessRec.Pipeline;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>
/// How a simulated user responds to a recommended item: P(click) = sigmoid(a·affinity + b) × positionBias(p) × fatigue^shown,
/// with positionBias(p) = 1 / log2(p + 2) (1 at the top, 0.29 at position 9) and shown the times the user was shown the item before.
/// </summary>
/// <param name="AffinityWeight">a: how strongly the true affinity drives clicks (default 3).</param>
/// <param name="Bias">b: the logit of an item of affinity 0 (default −4: about 1.8 % at the top).</param>
/// <param name="Fatigue">The factor each earlier showing of the same item multiplies the probability by (default 0.7).</param>
internal sealed record OnlineClickModel(double AffinityWeight = 3, double Bias = -4, double Fatigue = 0.7)
{
    /// <summary>The examination probability of position <paramref name="position"/> (0-based).</summary>
    public static double PositionBias(int position) => 1 / Math.Log2(position + 2);

    /// <summary>The click probability of an item of this true affinity shown at this position, shown this often before.</summary>
    public double Probability(double affinity, int position, int timesShownBefore) =>
        1 / (1 + Math.Exp(-((AffinityWeight * affinity) + Bias))) * PositionBias(position) * Math.Pow(Fatigue, timesShownBefore);
}

/// <summary>One A/B arm's traffic, per user: clicks and impressions.</summary>
internal sealed record AbArmTraffic(IReadOnlyList<(long Clicks, long Impressions)> Users)
{
    /// <summary>Gets the clicks over impressions.</summary>
    public double Ctr => Impressions == 0 ? 0 : (double)Clicks / Impressions;

    /// <summary>Gets the arm's clicks.</summary>
    public long Clicks => Users.Sum(u => u.Clicks);

    /// <summary>Gets the arm's impressions.</summary>
    public long Impressions => Users.Sum(u => u.Impressions);
}

/// <summary>An A/B comparison: per-arm CTR, the challenger − control difference with its 95 % interval, and the verdict.</summary>
internal sealed record AbResult(
    string Control,
    string Challenger,
    double ControlCtr,
    double ChallengerCtr,
    long ControlImpressions,
    long ChallengerImpressions,
    double Difference,
    double Low,
    double High,
    double RelativeLift,
    string Verdict);

/// <summary>
/// Compares two arms' CTR. Impressions of one user are not independent (the same tastes, the same fatigue), so the
/// variance of each arm's CTR (a ratio Σclicks / Σimpressions over users) is the delta-method one over users:
/// Σ (cᵤ − CTR·nᵤ)² / (Σ nᵤ)². The verdict is "better" when the 95 % interval of the difference lies above 0, "worse"
/// when below, else "inconclusive": the verdicts and z of the serving's <see cref="ChallengerComparison"/>, which
/// differs only in its variance (per impression: it has no per-user counts).
/// </summary>
internal static class AbVerdict
{
    private const double Z95 = ChallengerComparison.Z95;

    /// <summary>The one-sided z of 80% power.</summary>
    private const double Z80 = 0.8416212335729143;

    public static AbResult Compare(string control, AbArmTraffic controlTraffic, string challenger, AbArmTraffic challengerTraffic)
    {
        var a = controlTraffic.Ctr;
        var b = challengerTraffic.Ctr;
        var se = Math.Sqrt(RatioVariance(controlTraffic) + RatioVariance(challengerTraffic));
        var difference = b - a;
        var low = difference - (Z95 * se);
        var high = difference + (Z95 * se);
        var verdict = low > 0 ? ChallengerVerdicts.Better : high < 0 ? ChallengerVerdicts.Worse : ChallengerVerdicts.Inconclusive;
        return new AbResult(control, challenger, a, b, controlTraffic.Impressions, challengerTraffic.Impressions, difference, low, high, a == 0 ? 0 : difference / a, verdict);
    }

    /// <summary>
    /// The smallest lift relative to the control's CTR that this A/B's interval detects with 80% power:
    /// (z₉₅ + z₈₀)·SE / control CTR, the standard error read back from the interval; null when the control had no click.
    /// </summary>
    public static double? MinimumDetectableLift(AbResult result) =>
        result.ControlCtr == 0 ? null : (Z95 + Z80) * ((result.High - result.Low) / (2 * Z95)) / result.ControlCtr;

    private static double RatioVariance(AbArmTraffic traffic)
    {
        var impressions = (double)traffic.Impressions;
        if (impressions == 0)
        {
            return 0;
        }

        var ctr = traffic.Ctr;
        var sum = 0.0;
        foreach (var (clicks, shown) in traffic.Users)
        {
            var residual = clicks - (ctr * shown);
            sum += residual * residual;
        }

        return sum / (impressions * impressions);
    }
}
