using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Training;

public sealed class HistoryWeightingTests
{
    [Fact]
    public void Compute_EventOneHalfLifeOld_HasHalfItsWeight()
    {
        var weighting = new HistoryWeighting(new TwoTowerOptions { DecayHalfLifeDays = 1 });
        long[] times = [0, 86400];
        float[] weights = [2f, 1f];
        var longTerm = new float[2];
        var session = new float[2];

        weighting.Compute(times, weights, longTerm, session);

        Assert.Equal(1f, longTerm[0], 5);
        Assert.Equal(1f, longTerm[1], 5);
    }

    [Fact]
    public void Compute_GapLongerThanSessionGap_EndsTheSession()
    {
        var weighting = new HistoryWeighting(new TwoTowerOptions { SessionGapMinutes = 30, SessionMaxEvents = 10, SessionPositionDecay = 1 });
        long[] times = [0, 600, 600 + 3600, 600 + 3600 + 60];
        float[] weights = [1f, 1f, 4f, 2f];
        var longTerm = new float[4];
        var session = new float[4];

        weighting.Compute(times, weights, longTerm, session);

        Assert.Equal([0f, 0f, 4f, 2f], session);
    }

    [Fact]
    public void Compute_LongSession_KeepsOnlyTheMostRecentEvents()
    {
        var weighting = new HistoryWeighting(new TwoTowerOptions { SessionMaxEvents = 2, SessionPositionDecay = 1 });
        long[] times = [0, 1, 2, 3];
        float[] weights = [1f, 1f, 0f, 1f];
        var longTerm = new float[4];
        var session = new float[4];

        weighting.Compute(times, weights, longTerm, session);

        // The negative (weight 0) event neither counts nor uses a session slot.
        Assert.Equal([0f, 1f, 0f, 1f], session);
        Assert.Equal(0f, longTerm[2]);
    }

    [Fact]
    public void Compute_SessionPositionDecay_WeighsEachOlderPositiveByTheFactorOnceMore()
    {
        var weighting = new HistoryWeighting(new TwoTowerOptions { SessionMaxEvents = 10, SessionPositionDecay = 0.5 });
        long[] times = [0, 1, 2, 3];
        float[] weights = [1f, 2f, 0f, 4f];
        var longTerm = new float[4];
        var session = new float[4];

        weighting.Compute(times, weights, longTerm, session);

        // Newest positive ×1, the next ×0.5, the next ×0.25; the negative takes no position.
        Assert.Equal([0.25f, 1f, 0f, 4f], session);
        // The long-term pool is not weighed by position.
        Assert.Equal(1f, longTerm[0], 5);
        Assert.Equal(2f, longTerm[1], 5);
    }
}
