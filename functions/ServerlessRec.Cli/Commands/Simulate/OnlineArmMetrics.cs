namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>One arm's (or A/B loop's) numbers for one day or the whole run.</summary>
internal sealed record OnlineArmMetrics(double Ctr, double ExposureGini, double Coverage, long Impressions, long Clicks);
