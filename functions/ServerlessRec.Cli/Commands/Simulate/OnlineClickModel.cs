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
