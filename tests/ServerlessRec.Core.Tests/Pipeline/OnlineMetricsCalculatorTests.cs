using ServerlessRec.Events;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;

namespace ServerlessRec.Core.Tests.Pipeline;

public sealed class OnlineMetricsCalculatorTests
{
    private static readonly DateTimeOffset Served = new(2026, 2, 28, 10, 0, 0, TimeSpan.Zero);

    private static readonly OnlineCatalog Catalog = new(5, new Dictionary<string, long> { ["a"] = 10, ["b"] = 4, ["c"] = 2, ["d"] = 1, ["e"] = 0 });

    internal static string Id(int n) => RecommendationIds.New(Served.AddSeconds(n));

    internal static ImpressionRecord Record(string id, string source, params string[] items) =>
        new() { RecommendationId = id, ServedAt = Served, ModelVersion = "v1", Arm = RecommendationArms.Champion, Source = source, ItemIds = items };

    private static InteractionEvent Event(string type, string item, string? recommendationId, int? position = null) =>
        new("u1", item, type, Served.AddMinutes(1), null, recommendationId, position);

    [Fact]
    public void Compute_HandBuiltLog_GivesExactCtrConversionsCoverageGiniAndPopularity()
    {
        string r1 = Id(1), r2 = Id(2), r3 = Id(3);
        ImpressionRecord[] served = [Record(r1, "history", "a", "b", "c"), Record(r2, "history", "a", "d"), Record(r3, "popular", "a", "b")];
        InteractionEvent[] events =
        [
            Event("click", "b", r1, 1),
            Event("click", "b", r1, 1), // the same click twice counts once
            Event("click", "d", r2), // no position: where d was shown, 1
            Event("purchase", "c", r1),
            Event("like", "a", r3),
            Event("click", "a", Id(4), 0), // a response the server did not log
            Event("click", "e", null), // not attributed at all: ignored
        ];

        var rows = OnlineMetricsCalculator.Compute(served, events, new EventTypeOptions(), v => v == "v1" ? Catalog : null, out var unattributed);

        Assert.Equal(1, unattributed);
        Assert.Equal(2, rows.Count);
        var history = Assert.Single(rows, r => r.Source == "history");
        Assert.Equal(("v1", "champion"), (history.ModelVersion, history.Arm));
        Assert.Equal(2, history.Recommendations);
        Assert.Equal(5, history.Impressions);
        Assert.Equal(5, history.ImpressionsAt10);
        Assert.Equal(2, history.ClicksAt10);
        Assert.Equal(0.4, history.CtrAt10, 12);
        Assert.Equal(1, history.Conversions);
        Assert.Equal((4, 5), (history.ExposedItems, history.CatalogItems));
        Assert.Equal(0.8, history.Coverage, 12);
        // Exposure a 2, b 1, c 1, d 1, e 0: sorted 0,1,1,1,2 → 2·19/(5·5) − 6/5 = 0.32.
        Assert.Equal(0.32, history.ExposureGini, 12);
        Assert.Equal((10 + 4 + 2 + 10 + 1) / 5.0, history.MeanPopularity, 12);

        var popular = Assert.Single(rows, r => r.Source == "popular");
        Assert.Equal((1L, 2L, 0L, 0.0, 1L), (popular.Recommendations, popular.Impressions, popular.ClicksAt10, popular.CtrAt10, popular.Conversions));
        Assert.Equal(0.4, popular.Coverage, 12);
        // a 1, b 1, three items 0: sorted 0,0,0,1,1 → 2·9/(5·2) − 6/5 = 0.6.
        Assert.Equal(0.6, popular.ExposureGini, 12);
        Assert.Equal(7.0, popular.MeanPopularity, 12);
    }

    [Fact]
    public void Compute_ClientImpressions_ReplaceTheServerListAndOnlyPositionsBelowTenCount()
    {
        string r1 = Id(1), r2 = Id(2);
        var twelve = Enumerable.Range(0, 12).Select(i => $"i{i}").ToArray();
        InteractionEvent[] events =
        [
            // The client saw three of the twelve items served; the two clicks are at positions 0 and 11.
            Event("impression", "i0", r1, 0),
            Event("impression", "i1", r1, 1),
            Event("impression", "i11", r1, 11),
            Event("impression", "i11", r1, 11), // a retried post repeats it
            Event("click", "i0", r1, 0),
            Event("click", "i11", r1, 11),
            // Impressions of a response the server did not log: their own group.
            Event("impression", "x", r2, 0),
            Event("click", "x", r2, 0),
        ];

        var rows = OnlineMetricsCalculator.Compute([Record(r1, "history", twelve)], events, new EventTypeOptions(), _ => null, out var unattributed);

        Assert.Equal(0, unattributed);
        var logged = Assert.Single(rows, r => r.ModelVersion == "v1");
        Assert.Equal((1L, 3L, 2L, 1L), (logged.Recommendations, logged.Impressions, logged.ImpressionsAt10, logged.ClicksAt10));
        Assert.Equal(0.5, logged.CtrAt10, 12);
        var unknown = Assert.Single(rows, r => r.ModelVersion == OnlineMetricsCalculator.Unknown);
        Assert.Equal((OnlineMetricsCalculator.Unknown, OnlineMetricsCalculator.Unknown, 1L, 1.0), (unknown.Arm, unknown.Source, unknown.ClicksAt10, unknown.CtrAt10));
    }

    [Theory]
    [InlineData(new long[] { 1, 1, 1, 1 }, 4, 0.0)]
    [InlineData(new long[] { 4 }, 4, 0.75)]
    [InlineData(new long[] { 1, 1, 2 }, 4, 0.375)]
    [InlineData(new long[] { 3, 1 }, 2, 0.25)]
    [InlineData(new long[0], 4, 0.0)]
    public void Gini_KnownDistributions_MatchTheirCoefficients(long[] counts, int population, double expected) =>
        Assert.Equal(expected, OnlineMetricsCalculator.Gini(counts, population), 12);
}
