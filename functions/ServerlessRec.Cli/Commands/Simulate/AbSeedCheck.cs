namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>
/// The identical-configuration A/B on other seeds: how many were not "inconclusive", the rate, and each verdict; with
/// <c>--ab-seeds-power</c> also the better-configuration A/B on the same seeds: how many were "better", each verdict,
/// true lift and measured lift.
/// </summary>
internal sealed record AbSeedCheck(int Seeds, int Positives, double Rate, IReadOnlyList<string> Verdicts)
{
    public int? BetterDetected { get; init; }

    public IReadOnlyList<string>? BetterVerdicts { get; init; }

    public IReadOnlyList<double>? BetterTrueLifts { get; init; }

    public IReadOnlyList<double>? BetterRelativeLifts { get; init; }
}
