namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>
/// A served A/B's outcome: the arms (users that made a request, CTR@10, impressions), the challenger − control
/// difference with its 95% interval, the relative lift and the verdict (<see cref="AbVerdict"/>); the smallest relative
/// lift it detects with 80% power; the challenger's true lift measured from the known affinities; and the share of
/// requests whose served list was exactly the one the arm's trained model ranks in process.
/// </summary>
internal sealed record ServedAbRun(
    string Control,
    string Challenger,
    double Share,
    int ControlUsers,
    int ChallengerUsers,
    double ControlCtr,
    double ChallengerCtr,
    long ControlImpressions,
    long ChallengerImpressions,
    double Difference,
    double Low,
    double High,
    double RelativeLift,
    string Verdict,
    double? MinimumDetectableLift,
    double TrueLift,
    double ServedListsMatchingTheTrainer);
