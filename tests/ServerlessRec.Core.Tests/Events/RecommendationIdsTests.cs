using ServerlessRec.Events;

namespace ServerlessRec.Core.Tests.Events;

public sealed class RecommendationIdsTests
{
    [Fact]
    public void New_ManyIds_AreValidUniqueAndSortByServingTime()
    {
        var start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

        var ids = Enumerable.Range(0, 2000).Select(i => RecommendationIds.New(start.AddMilliseconds(i))).ToList();

        Assert.All(ids, id => Assert.True(RecommendationIds.IsValid(id), id));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAA+A")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAB")]
    [InlineData("i42")]
    public void IsValid_NotAnId_IsFalse(string value) => Assert.False(RecommendationIds.IsValid(value));

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA-")]
    [InlineData("-_zz0123456789xyzXYZ_k")]
    public void IsValid_TwentyTwoCharactersEndingInTwoBits_IsTrue(string value) => Assert.True(RecommendationIds.IsValid(value));

    [Fact]
    public void SampleFraction_ManyIds_SpreadsEvenlyOverZeroToOne()
    {
        var now = DateTimeOffset.UnixEpoch.AddDays(20_000);

        var fractions = Enumerable.Range(0, 4000).Select(_ => RecommendationIds.SampleFraction(RecommendationIds.New(now))).ToList();

        Assert.All(fractions, f => Assert.InRange(f, 0.0, 0.9999999));
        // A tenth of them below 0.1, give or take five standard deviations (sd = sqrt(4000 * 0.1 * 0.9) ≈ 19).
        Assert.InRange(fractions.Count(f => f < 0.1), 305, 495);
    }
}
