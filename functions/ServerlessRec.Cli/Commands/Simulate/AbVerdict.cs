using ServerlessRec.Pipeline;

namespace ServerlessRec.Cli.Commands.Simulate;

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
