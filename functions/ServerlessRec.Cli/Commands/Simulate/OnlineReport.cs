namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>The simulator's JSON report.</summary>
internal sealed record OnlineReport(IReadOnlyDictionary<string, object> Summary, OnlineTargets Targets, IReadOnlyList<OnlineDay> Days, double Seconds);
