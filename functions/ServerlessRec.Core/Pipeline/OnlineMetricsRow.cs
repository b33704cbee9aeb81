using ServerlessRec.Serving;

namespace ServerlessRec.Pipeline;

/// <summary>The online metrics of one (model version, arm, source) group in a window.</summary>
/// <param name="ModelVersion">The model version that answered (<see cref="OnlineMetricsCalculator.Unknown"/> for responses the server did not log).</param>
/// <param name="Arm">The arm (<see cref="RecommendationArms"/>).</param>
/// <param name="Source">The response's <c>source</c>.</param>
public sealed record OnlineMetricsRow(string ModelVersion, string Arm, string Source)
{
    /// <summary>Gets the responses with impressions.</summary>
    public long Recommendations { get; init; }

    /// <summary>Gets the impressions (an item shown at a position of a response), every position.</summary>
    public long Impressions { get; init; }

    /// <summary>Gets the impressions at positions 0–9.</summary>
    public long ImpressionsAt10 { get; init; }

    /// <summary>Gets the impressions at positions 0–9 that got an attributed click (each counted once).</summary>
    public long ClicksAt10 { get; init; }

    /// <summary>Gets <see cref="ClicksAt10"/> / <see cref="ImpressionsAt10"/> (0 without impressions).</summary>
    public double CtrAt10 { get; init; }

    /// <summary>Gets the attributed conversions: distinct (response, item) pairs with a purchase or like.</summary>
    public long Conversions { get; init; }

    /// <summary>Gets the distinct items shown.</summary>
    public int ExposedItems { get; init; }

    /// <summary>Gets the catalog size the coverage and the Gini are taken over (the model version's items, plus exposed items it lacks).</summary>
    public int CatalogItems { get; init; }

    /// <summary>Gets <see cref="ExposedItems"/> / <see cref="CatalogItems"/>.</summary>
    public double Coverage { get; init; }

    /// <summary>Gets the Gini coefficient of the impressions over the catalog, unexposed items counting 0 (0: even; near 1: all on one item).</summary>
    public double ExposureGini { get; init; }

    /// <summary>Gets the mean training popularity (positive events in the version's training data) of the items shown, per impression.</summary>
    public double MeanPopularity { get; init; }
}
