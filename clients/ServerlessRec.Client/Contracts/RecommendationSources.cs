namespace ServerlessRec.Client;

/// <summary>The values of <see cref="RecommendationResponse.Source"/>: a string, so a value added by a newer server still reads.</summary>
public static class RecommendationSources
{
    /// <summary>The user's stored history (and the request's events).</summary>
    public const string History = "history";

    /// <summary>Only the events sent with the request.</summary>
    public const string Request = "request";

    /// <summary>No usable history: the most popular items.</summary>
    public const string Popular = "popular";

    /// <summary>The vector of an item (similar items).</summary>
    public const string Item = "item";

    /// <summary>The remote index failed or missed its time budget; the instance's own copy of the vectors answered.</summary>
    public const string Fallback = "fallback";
}
