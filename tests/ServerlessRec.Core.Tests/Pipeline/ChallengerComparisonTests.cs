using ServerlessRec.Pipeline;
using ServerlessRec.Serving;

namespace ServerlessRec.Core.Tests.Pipeline;

/// <summary>Champion against challenger on CTR@10: the difference, its 95% interval and the verdict, from hand-built groups.</summary>
public sealed class ChallengerComparisonTests
{
    [Fact]
    public void Compare_KnownLift_IsBetterWithTheNormalApproximationInterval()
    {
        // 5% against 8% over 2,000 impressions each: d = 0.03, se = √(0.08·0.92/2000 + 0.05·0.95/2000) ≈ 0.007781.
        var result = ChallengerComparison.Compare([Row("v1", RecommendationArms.Champion, 2000, 100), Row("v2", RecommendationArms.Challenger, 2000, 160)], 1000)!;

        Assert.Equal(ChallengerVerdicts.Better, result.Verdict);
        Assert.Equal(0.03, result.Difference, 10);
        var se = Math.Sqrt((0.08 * 0.92 / 2000) + (0.05 * 0.95 / 2000));
        Assert.Equal(0.03 - (1.959963984540054 * se), result.Low, 10);
        Assert.Equal(0.03 + (1.959963984540054 * se), result.High, 10);
        Assert.Equal(["v2"], result.ChallengerVersions);
    }

    [Fact]
    public void Compare_EqualCtrs_IsInconclusive()
    {
        var result = ChallengerComparison.Compare([Row("v1", RecommendationArms.Champion, 5000, 250), Row("v2", RecommendationArms.Challenger, 3000, 150)], 1000)!;

        Assert.Equal(ChallengerVerdicts.Inconclusive, result.Verdict);
        Assert.Equal(0, result.Difference, 12);
        Assert.True(result.Low < 0 && result.High > 0);
    }

    [Fact]
    public void Compare_KnownDrop_IsWorse()
    {
        var result = ChallengerComparison.Compare([Row("v1", RecommendationArms.Champion, 2000, 160), Row("v2", RecommendationArms.Challenger, 2000, 100)], 1000)!;

        Assert.Equal(ChallengerVerdicts.Worse, result.Verdict);
    }

    [Fact]
    public void Compare_LiftWithFewerImpressionsThanTheMinimum_IsInconclusiveSayingSo()
    {
        var result = ChallengerComparison.Compare([Row("v1", RecommendationArms.Champion, 20000, 1000), Row("v2", RecommendationArms.Challenger, 900, 300)], 1000)!;

        Assert.Equal(ChallengerVerdicts.Inconclusive, result.Verdict);
        Assert.True(result.Low > 0);
        Assert.Contains("each arm needs 1000", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_SourcesOfAnArm_AreAddedAndNoChallengerMeansNoComparison()
    {
        var split = ChallengerComparison.Compare(
            [Row("v1", RecommendationArms.Champion, 1000, 50), Row("v1", RecommendationArms.Champion, 1000, 50, "popular"), Row("v2", RecommendationArms.Challenger, 2000, 160)], 1000)!;

        Assert.Equal(2000, split.ChampionImpressions);
        Assert.Equal(100, split.ChampionClicks);
        Assert.Equal(ChallengerVerdicts.Better, split.Verdict);
        Assert.Null(ChallengerComparison.Compare([Row("v1", RecommendationArms.Champion, 2000, 100)], 1000));
    }

    private static OnlineMetricsRow Row(string version, string arm, long impressions, long clicks, string source = "history") =>
        new(version, arm, source) { ImpressionsAt10 = impressions, Impressions = impressions, ClicksAt10 = clicks, CtrAt10 = (double)clicks / impressions };
}
