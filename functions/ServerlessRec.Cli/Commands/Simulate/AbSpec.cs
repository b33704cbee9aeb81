using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>An A/B of two model configurations: what each arm trains with, and the names the report gives them.</summary>
internal sealed record AbSpec(string Name, string ControlName, TwoTowerOptions Control, string ChallengerName, TwoTowerOptions Challenger);
