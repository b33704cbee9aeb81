using ServerlessRec.Training;

namespace ServerlessRec.Core.Tests.Training;

public sealed class HistoryWindowTests
{
    private static readonly HistoryWindow Window = new(new TwoTowerOptions { HistoryLength = 3, SessionMaxEvents = 10, SessionPositionDecay = 1 });

    [Fact]
    public void Fill_NegativesZeroWeightsAndUnknownItems_TakeNoSlot()
    {
        int[] items = [1, 2, 3, 4, 5, 6, 7];
        long[] times = [0, 1, 2, 3, 4, 5, 6];
        float[] weights = [1f, 1f, 2f, 0f, 4f, 1f, 8f];
        bool[] negative = [false, false, false, false, false, true, false];
        int[] map = [0, 11, 12, 13, 14, 15, 16, 0];
        var chosen = new int[3];
        var positions = new int[3];

        var n = Window.Fill(new HistoryEvents(items, times, weights, negative) { ItemMap = map }, chosen, new float[3], new float[3], positions);

        // 4 has weight 0, 6 is negative, 7 is unknown to the tower: the last three positives it knows are 2, 3 and 5.
        Assert.Equal(3, n);
        Assert.Equal([12, 13, 15], chosen);
        Assert.Equal([1, 2, 4], positions);
    }

    [Fact]
    public void Fill_DatasetCutoff_ReadsOnlyEventsBeforeIt()
    {
        var data = TestDatasets.Build([("u", "a", "view", 1), ("u", "b", "like", 2), ("u", "c", "skip", 3), ("u", "d", "click", 4), ("u", "e", "view", 5)]);
        var chosen = new int[3];
        var longTerm = new float[3];
        var session = new float[3];

        var n = Window.Fill(HistoryEvents.Of(data, 0, 4), chosen, longTerm, session);

        Assert.Equal(["a", "b", "d"], chosen.Take(n).Select(i => data.ItemIds[i]));
        Assert.Equal([1f, 4f, 2f], session);
    }
}
