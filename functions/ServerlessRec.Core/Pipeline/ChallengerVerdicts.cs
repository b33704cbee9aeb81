namespace ServerlessRec.Pipeline;

/// <summary>The verdicts of a champion/challenger comparison.</summary>
public static class ChallengerVerdicts
{
    /// <summary>The challenger's CTR@10 is higher: the whole 95% interval of the difference is above 0.</summary>
    public const string Better = "better";

    /// <summary>The challenger's CTR@10 is lower: the whole interval is below 0.</summary>
    public const string Worse = "worse";

    /// <summary>The interval holds 0, or an arm has fewer impressions than the minimum.</summary>
    public const string Inconclusive = "inconclusive";
}
