using ServerlessRec.Evaluation;

namespace ServerlessRec.Core.Tests.Evaluation;

public sealed class LeaveLastOutSplitTests
{
    [Fact]
    public void Create_SameTimestamp_OrdersItemIdsOrdinally()
    {
        // "1000" < "2" < "30" as ordinal strings: the last positive is "30", the one before "2".
        var data = TestDatasets.Build([("u", "30", "view", 5), ("u", "2", "view", 5), ("u", "1000", "view", 5), ("u", "a", "view", 1)]);

        var split = LeaveLastOutSplit.Create(data);

        Assert.Equal("30", data.ItemIds[data.EventItems[split.TestEvent[0]]]);
        Assert.Equal("2", data.ItemIds[data.EventItems[split.ValidationEvent[0]]]);
        Assert.Equal(2, split.TrainEnds[0]);
        Assert.Equal(3, split.TrainValidationEnds[0]);
    }

    [Fact]
    public void Create_UserWithFewerThanThreePositives_IsDropped()
    {
        var data = TestDatasets.Build([
            ("short", "a", "view", 1), ("short", "b", "view", 2), ("short", "c", "skip", 3),
            ("long", "a", "view", 1), ("long", "b", "view", 2), ("long", "c", "view", 3)]);

        var split = LeaveLastOutSplit.Create(data);

        var user = Assert.Single(split.Users);
        Assert.Equal("long", data.UserIds[user]);
        Assert.Equal(0, split.TrainEnds[data.UserIds.ToList().IndexOf("short")]);
    }

    [Fact]
    public void Create_TrailingNegative_IsNeverTheHeldOutItem()
    {
        var data = TestDatasets.Build([("u", "a", "view", 1), ("u", "b", "view", 2), ("u", "c", "view", 3), ("u", "d", "skip", 4)]);

        var split = LeaveLastOutSplit.Create(data);

        Assert.Equal("c", data.ItemIds[data.EventItems[split.TestEvent[0]]]);
        Assert.Equal("b", data.ItemIds[data.EventItems[split.ValidationEvent[0]]]);
    }
}
