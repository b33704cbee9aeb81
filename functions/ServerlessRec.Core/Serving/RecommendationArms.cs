namespace ServerlessRec.Serving;

/// <summary>The arms a response can come from; the online metrics are grouped by arm.</summary>
public static class RecommendationArms
{
    /// <summary>The live model (<c>models/current.json</c>).</summary>
    public const string Champion = "champion";

    /// <summary>The challenger (<c>models/challenger.json</c>), served to the users whose bucket is below its share.</summary>
    public const string Challenger = "challenger";
}
