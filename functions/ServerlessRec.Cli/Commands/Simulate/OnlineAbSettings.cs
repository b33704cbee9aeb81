namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>The A/Bs' settings: their world's users and days, the baseline configuration text and the false-positive seeds.</summary>
internal sealed record OnlineAbSettings(int Users, int Days, string Control, int Seeds, bool SeedsPower = false);
