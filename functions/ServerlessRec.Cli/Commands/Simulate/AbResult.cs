namespace ServerlessRec.Cli.Commands.Simulate;

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
