namespace ServerlessRec.Cli.Commands.Simulate;

/// <summary>One A/B arm's traffic, per user: clicks and impressions.</summary>
internal sealed record AbArmTraffic(IReadOnlyList<(long Clicks, long Impressions)> Users)
{
    /// <summary>Gets the clicks over impressions.</summary>
    public double Ctr => Impressions == 0 ? 0 : (double)Clicks / Impressions;

    /// <summary>Gets the arm's clicks.</summary>
    public long Clicks => Users.Sum(u => u.Clicks);

    /// <summary>Gets the arm's impressions.</summary>
    public long Impressions => Users.Sum(u => u.Impressions);
}
