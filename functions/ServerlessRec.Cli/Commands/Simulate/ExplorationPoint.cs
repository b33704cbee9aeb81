namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>One exploration setting: its CTR, the ratio to no exploration, and its exposure Gini on the first and last day.</summary>
internal sealed record ExplorationPoint(double Exploration, double Ctr, double CtrVsNoExploration, double GiniFirstDay, double GiniLastDay, double Coverage);
