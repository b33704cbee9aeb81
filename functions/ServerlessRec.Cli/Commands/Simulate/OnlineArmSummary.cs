namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>One arm over the run: CTR@10, exposure Gini and coverage of all its impressions, and the first and last day.</summary>
internal sealed record OnlineArmSummary(double Ctr, double ExposureGini, double Coverage, double GiniFirstDay, double GiniLastDay, double CtrFirstDay, double CtrLastDay, long Impressions, long Clicks)
{
    public double? Exploration { get; init; }
}
