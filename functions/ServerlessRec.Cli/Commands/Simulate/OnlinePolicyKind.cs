namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>What an arm recommends with.</summary>
internal enum OnlinePolicyKind
{
    Popularity,
    TwoTower,
}
