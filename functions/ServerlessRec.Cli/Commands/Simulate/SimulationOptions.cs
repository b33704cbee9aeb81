namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>What <c>simulate</c> was asked to do.</summary>
internal sealed record SimulationOptions
{
    public int Days { get; init; }

    public required string Store { get; init; }

    public string? Root { get; init; }

    public int Users { get; init; }

    public int Items { get; init; }

    public int EventsPerDay { get; init; }

    public double BulkShare { get; init; }

    public double PoisonRate { get; init; }

    public int ForgetPerDay { get; init; }

    public int FaultDay { get; init; }

    public double FaultRate { get; init; }

    public int WindowDays { get; init; }

    public int RecommendationsPerDay { get; init; }

    public int Clients { get; init; }

    public int Seed { get; init; }
}
