namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>The targets, measured.</summary>
internal sealed record OnlineTargets(
    double TwoTowerCtrOverPopularity,
    bool TwoTowerCtrAtLeast2xPopularity,
    bool ExplorationGiniLastDayAtMostFirst,
    bool ExplorationCtrWithin10Percent,
    bool BetterConfigurationTrueLiftAtLeast10Percent,
    bool BetterConfigurationDetected,
    bool IdenticalInconclusive,
    double? IdenticalFalsePositiveRateOverSeeds);
