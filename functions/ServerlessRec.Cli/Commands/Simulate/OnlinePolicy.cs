using ServerlessRec.Training;

namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>One arm: popularity or two-tower (trained with <paramref name="Control"/>) and its reranking.</summary>
internal sealed record OnlinePolicy(string Name, OnlinePolicyKind Kind, TwoTowerOptions Control)
{
    public double Diversity { get; init; }

    public double Exploration { get; init; }
}
