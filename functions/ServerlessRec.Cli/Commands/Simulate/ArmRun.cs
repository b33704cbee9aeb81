namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>One arm's run: each day's metrics and the whole run's.</summary>
internal sealed record ArmRun(IReadOnlyList<OnlineArmMetrics> Days, OnlineArmMetrics Total);
