namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>One day: each arm's metrics.</summary>
internal sealed record OnlineDay(int Day, SortedDictionary<string, OnlineArmMetrics> Arms);
