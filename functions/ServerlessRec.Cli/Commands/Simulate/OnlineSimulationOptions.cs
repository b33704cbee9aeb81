namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>The closed-loop simulation's settings.</summary>
internal sealed record OnlineSimulationOptions
{
    public int Days { get; init; } = 14;

    public int Users { get; init; } = 2000;

    public int Items { get; init; } = 500;

    public int Seed { get; init; } = 7;

    /// <summary>Gets the exploration shares to run (0 is plain two-tower).</summary>
    public IReadOnlyList<double> Exploration { get; init; } = [0, 0.1, 0.2];

    /// <summary>Gets the MMR weight of the diversity arm (0: relevance only; 1: categories only).</summary>
    public double Diversity { get; init; } = 0.3;

    /// <summary>Gets the chance a user visits on a given day.</summary>
    public double VisitProbability { get; init; } = 0.5;

    /// <summary>Gets the generated history per user before day 1 (what the first model is trained on).</summary>
    public int WarmEventsPerUser { get; init; } = 15;

    /// <summary>Gets the share of users (by their keyed bucket, through the challenger pointer) in an A/B's challenger arm.</summary>
    public double ChallengerShare { get; init; } = 0.1;
}
