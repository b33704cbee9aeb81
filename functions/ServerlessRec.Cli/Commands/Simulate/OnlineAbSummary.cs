namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>The A/Bs: the challenger's share, their world's users and days, the better configuration, the identical one, and the seeds' false positives (when run).</summary>
internal sealed record OnlineAbSummary(double ChallengerShare, int Users, int Days, ServedAbRun Better, ServedAbRun Identical, AbSeedCheck? FalsePositives);
